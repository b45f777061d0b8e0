"""PDF (.pdf) through pypdf: page text without running headers, footers, page numbers, and
with footnotes moved out of the body.

Lines that recur at the top or bottom of most pages (digits ignored, so "page 3" matches
"page 4") are running headers or footers; lone numbers are page numbers. Font sizes come from
pypdf's text visitor, so the layout decides what words cannot: footnotes are the run of
smaller-than-body lines at the foot of a page that holds a note number, and a footnote marker
is a small number set inside a line of body text ("inventor¹ remains"), which is dropped. In a
PDF with one font size throughout, notes are recognised under a typed rule ("_____" then
"1 See ..."), and their numbers where they are glued to a word of the same page's body.
Notes would cut sentences of the body in two at every page break, but they are the paper's
sources: they are kept, one paragraph each, under a "Notes" heading at the end.

The largest lines at the top of the first page are the title, larger-than-body lines are
headings, and a paper's front matter (authors, abstract) is read by :mod:`.frontmatter`.
Hard-wrapped lines are rejoined into paragraphs. A text shaped like a meeting report (cover
block, numbered paragraphs) goes on to the report parser.
"""

from __future__ import annotations

import io
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from math import hypot
from typing import Any

from pypdf import PageObject, PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from ..errors import IngestError
from ..textutil import clean_line
from . import EXTENSIONS, frontmatter, transcripts
from .base import HEADING, PARAGRAPH, Block, RawDocument, Reader
from .structure import is_heading_line

_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"^(?:-\s*)?\d{1,4}(?:\s*-)?$|^page\s+\d+(?:\s+(?:of|/)\s+\d+)?$",
                          re.IGNORECASE)
_EDGE = 2
_TERMINAL = re.compile(r"[.!?:;]['\"”’)]*$")
_LIST_START = re.compile(r"^(?:\d{1,3}[.)]|[•▪◦*-]|\([a-z0-9]\))\s")
_DANGLING = frozenset({"the", "a", "an", "of", "and", "or", "to", "in", "on", "for", "with",
                       "by", "that", "as", "at", "from"})
_NUMBERED = re.compile(r"^\d{1,4}\.\s+\S")
_SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"
#: A span that is only a note number or symbol ("1", "12", "*", "†", "1,2").
_MARKER = re.compile(r"^(?:\d{1,3}(?:,\d{1,3})*|[*†‡]{1,3})$")
#: Unicode superscript digits glued to the end of a word are note markers.
_GLUED_MARK = re.compile(rf"(?<=[^\s\d{_SUPERSCRIPTS}])[{_SUPERSCRIPTS}]+")
#: The opening of a footnote: its number (or symbol), then the note's text.
_NOTE_START = re.compile(rf"^(?:\d{{1,3}}|[{_SUPERSCRIPTS}]{{1,3}}|[*†‡])\s*[^\W\d_\"“(\[]")
_NOTE_NUMBER = re.compile(r"^(\d{1,3})(?!\d)")
#: A rule typed as characters above the notes, in PDFs with one font size throughout.
_RULE = re.compile(r"^[_\-‐–—─━]{5,}$")
#: How much smaller than body text note lines and markers are, at least.
_SMALL = 0.9
_MARK_SMALL = 0.8
#: How much larger than body text a heading and a title are, at least.
_LARGE = 1.12
_TITLE = 1.3
_TITLE_WINDOW = 8
_HEADING_WORDS = 20
_FRONT_WINDOW = 20
_ABSTRACT_LINE = re.compile(r"^abstract\b", re.IGNORECASE)


NOTES = "Notes"


@dataclass
class _Line:
    """One line of a page: its text, its font size (0 when unknown), and the raised note
    number it opened with (taken out of the text), if any."""

    text: str
    size: float = 0.0
    marker: str = ""
    title: bool = False


def parse(data: bytes, name: str) -> list[RawDocument]:
    pages, title, author = _pages(data)
    body = _body_size(pages)
    pages, note_lines = _split_notes(_strip_running(pages, body), body)
    notes = _notes(note_lines)
    first_page = _mark_title(pages[0], body) if pages else []
    lines = first_page + [line for page in pages[1:] for line in page]
    paragraphs = _paragraphs(lines, body, _front_end(first_page))
    text = "\n\n".join(p.text for p in paragraphs)
    if not text.strip():
        raise IngestError("PDF has no extractable text (a scanned image needs OCR first)")
    shaped = transcripts.parse_transcript(text, name)
    if shaped is not None:
        if title and not shaped.title:
            shaped.title = title
        shaped.blocks.extend(_note_blocks(notes, len(paragraphs)))
        return [shaped]
    blocks = [Block(p.text, HEADING if p.heading or is_heading_line(p.text) else PARAGRAPH, group=i)
              for i, p in enumerate(paragraphs)]
    title_at = next((i for i, p in enumerate(paragraphs) if p.title), None)
    front = frontmatter.read(blocks, title_at, author)
    # The title a reader sees beats the file's title field (often "Microsoft Word - x.docx").
    seen = paragraphs[title_at].text if title_at is not None else ""
    raw = front.document(fallback_title=title) if front is not None \
        else RawDocument(blocks=blocks, title=seen or title)
    raw.blocks.extend(_note_blocks(notes, len(paragraphs)))
    return [raw]


def _pages(data: bytes) -> tuple[list[list[_Line]], str, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise IngestError("PDF is encrypted (password-protected); save an unprotected copy")
            pages = [_page_lines(page) for page in reader.pages]
            title = author = ""
            if reader.metadata is not None:
                title = clean_line(str(reader.metadata.title or ""))
                author = clean_line(str(reader.metadata.author or ""))
        except FileNotDecryptedError:
            raise IngestError("PDF is encrypted (password-protected); save an unprotected copy"
                              ) from None
        except IngestError:
            raise
        except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
            raise IngestError(f"PDF is corrupt or unreadable: {exc}") from None
    return pages, title, author


def _page_lines(page: PageObject) -> list[_Line]:
    """The page's lines with their font sizes, as pypdf's text visitor reports the spans."""
    lines: list[_Line] = []
    spans: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        scale = hypot(tm[2], tm[3]) * hypot(cm[2], cm[3]) or 1.0
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            if i:
                _close(spans, lines)
            if piece:
                spans.append((piece, round(size * scale, 1)))

    page.extract_text(visitor_text=visit)
    _close(spans, lines)
    return lines


def _close(spans: list[tuple[str, float]], lines: list[_Line]) -> None:
    """End the line being collected: drop its note markers and note its main font size."""
    if not spans:
        return
    weights: Counter[float] = Counter()
    for text, size in spans:
        weights[size] += len(text.strip())
    main = weights.most_common(1)[0][0] if sum(weights.values()) else 0.0
    parts: list[str] = []
    marker = ""
    for text, size in spans:
        if _MARKER.match(text.strip()) and size <= _MARK_SMALL * main:
            if not "".join(parts).strip():
                marker = text.strip()
            continue
        parts.append(text)
    spans.clear()
    line = clean_line(_GLUED_MARK.sub("", "".join(parts)))
    if line:
        lines.append(_Line(line, main, marker))


def _body_size(pages: list[list[_Line]]) -> float:
    """The font size most of the text is set in (0 when the PDF gives none)."""
    weights: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            weights[line.size] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def _strip_running(pages: list[list[_Line]], body: float) -> list[list[_Line]]:
    """Drop lines that recur at the same edge of most pages, and page numbers.

    A document's title is often its running header too: on the first page, where it is set
    in large type, it stays.
    """
    if len(pages) >= 3:
        counts: Counter[str] = Counter()
        for lines in pages:
            edges = {_DIGITS.sub("#", line.text) for line in lines[:_EDGE] + lines[-_EDGE:]}
            counts.update(edges)
        running = {key for key, n in counts.items() if n >= max(3, len(pages) // 2)}
    else:
        running = set()
    cleaned = []
    for number, lines in enumerate(pages):
        kept = []
        for i, line in enumerate(lines):
            at_edge = i < _EDGE or i >= len(lines) - _EDGE
            if number == 0 and body > 0 and line.size >= _TITLE * body:
                at_edge = False
            if at_edge and (_DIGITS.sub("#", line.text) in running
                            or _PAGE_NUMBER.match(line.text)):
                continue
            kept.append(line)
        cleaned.append(kept)
    return cleaned


def _split_notes(pages: list[list[_Line]], body: float
                 ) -> tuple[list[list[_Line]], list[_Line]]:
    """Each page's body lines, and the footnote lines of all pages in order."""
    bodies: list[list[_Line]] = []
    notes: list[_Line] = []
    for lines in pages:
        at = _notes_start(lines, body)
        page_notes = [line for line in lines[at:]
                      if not _PAGE_NUMBER.match(line.text) and not _RULE.match(line.text)]
        bodies.append(_unmark(lines[:at], page_notes))
        notes.extend(page_notes)
    return bodies, notes


def _unmark(lines: list[_Line], notes: list[_Line]) -> list[_Line]:
    """Drop the page's note numbers where they are glued to a word in body text
    ("countries1 and", "law.2 The"), when the marker is set like the text around it: a number
    counts only if a note on the same page opens with it, and only after a lower-case letter
    (so "G20" and "A4" stay)."""
    numbers = {m[1] for m in (_NOTE_NUMBER.match(n.marker or n.text) for n in notes) if m}
    if not numbers:
        return lines
    glued = re.compile(rf"(?<=[a-zà-ÿ])(?:{'|'.join(sorted(numbers))})(?=[\s.,;:)]|$)|"
                       rf"(?<=[a-zà-ÿ][.,;:)”’\"])(?:{'|'.join(sorted(numbers))})(?=\s|$)")
    return [_Line(glued.sub("", line.text), line.size, line.marker, line.title)
            for line in lines]


def _notes_start(lines: list[_Line], body: float) -> int:
    """Where the footnotes at the foot of a page begin (the page's length when it has none).

    They are the run of lines smaller than body text that ends the page, under body text,
    when one of them opens with a note number (a note continued from the previous page opens
    the run without one). Where every line has the body size, notes are recognised under a
    typed rule.
    """
    start = len(lines)
    while start > 0 and (0 < lines[start - 1].size < _SMALL * body
                         or _PAGE_NUMBER.match(lines[start - 1].text)):
        start -= 1
    if start > 0 and any(_is_note_start(line) for line in lines[start:]
                         if line.size < _SMALL * body):
        return start
    for i in range(len(lines) - 2, 0, -1):
        if _RULE.match(lines[i].text) and _is_note_start(lines[i + 1]):
            return i
    return len(lines)


def _notes(lines: list[_Line]) -> list[str]:
    """Note lines to one text per note, its number in front; a note's continuation on the
    next page (a line without a number) joins the note before it."""
    notes: list[str] = []
    for line in lines:
        if _is_note_start(line) or not notes:
            notes.append(f"{line.marker} {line.text}" if line.marker else line.text)
        else:
            notes[-1] = notes[-1][:-1] + line.text \
                if notes[-1].endswith("-") and line.text[:1].islower() \
                else f"{notes[-1]} {line.text}"
    return notes


def _note_blocks(notes: list[str], group: int) -> list[Block]:
    if not notes:
        return []
    return [Block(NOTES, HEADING, group=group)] + [Block(note, PARAGRAPH, group=group + 1 + i)
                                                   for i, note in enumerate(notes)]


def _is_note_start(line: _Line) -> bool:
    return bool(line.marker) or bool(_NOTE_START.match(line.text))


def _mark_title(lines: list[_Line], body: float) -> list[_Line]:
    """The first page with its title as one line: the first line near the top set clearly
    larger than body text, joined with the lines of the same size that follow it."""
    if body <= 0:
        return lines
    for i, line in enumerate(lines[:_TITLE_WINDOW]):
        if line.size >= _TITLE * body:
            end = i + 1
            while end < len(lines) and abs(lines[end].size - line.size) < 0.5:
                end += 1
            joined = _Line(" ".join(x.text for x in lines[i:end]), line.size, title=True)
            return lines[:i] + [joined] + lines[end:]
    return lines


@dataclass
class _Paragraph:
    text: str
    heading: bool = False
    title: bool = False


def _front_end(lines: list[_Line]) -> int:
    """How many lines of the first page are front matter (title, authors, affiliations,
    dates): up to an "Abstract" line near the top, else up to the end of a title set in large
    type and the short lines under it. Each of these lines is read on its own."""
    for i, line in enumerate(lines[:_FRONT_WINDOW]):
        if _ABSTRACT_LINE.match(line.text):
            return i
    title = next((i for i, line in enumerate(lines[:_TITLE_WINDOW]) if line.title), None)
    if title is None:
        return 0
    width = max((len(line.text) for line in lines), default=0)
    end = title + 1
    while end < len(lines) and end < _FRONT_WINDOW and len(lines[end].text) < 0.75 * width:
        end += 1
    return end


def _paragraphs(lines: list[_Line], body: float, front: int = 0) -> list[_Paragraph]:
    """Rejoin hard-wrapped lines (also across pages) into paragraphs.

    A line closes its paragraph when it is a heading, or when it is clearly shorter than the
    text width and ends a sentence; a list item or numbered paragraph opens a new one. A short
    line set larger than body text is a heading whatever its punctuation. The first ``front``
    lines (front matter) stand alone unless the next one visibly continues them.
    """
    if not lines:
        return []
    width = sorted(len(line.text) for line in lines)[int(len(lines) * 0.8)]
    headings = {i for i, line in enumerate(lines)
                if line.title or (body > 0 and line.size >= _LARGE * body
                                  and len(line.text.split()) <= _HEADING_WORDS)
                or (i >= front and _is_heading(
                    line.text, lines[i + 1].text if i + 1 < len(lines) else "", width))}
    out: list[_Paragraph] = []
    current: _Paragraph | None = None
    closed = True
    for i, line in enumerate(lines):
        text = line.text
        opens = bool(_LIST_START.match(text)) or bool(_NUMBERED.match(text)) or i in headings
        if current is not None and not opens and not closed:
            current.text = current.text[:-1] + text \
                if current.text.endswith("-") and text[:1].islower() else f"{current.text} {text}"
        else:
            if current is not None:
                out.append(current)
            current = _Paragraph(text, i in headings, line.title)
        closed = i in headings or (len(text) < 0.75 * width and bool(_TERMINAL.search(text)))
        if i < front - 1 or (i == front - 1 and front < len(lines)):
            following = lines[i + 1].text
            closed = closed or not (following[:1].islower() or text.endswith(",")
                                    or text.rsplit(" ", 1)[-1].lower() in _DANGLING)
    if current is not None:
        out.append(current)
    return out


def _is_heading(line: str, following: str, width: int) -> bool:
    """A short title-like line, not the start of a sentence that wraps onto the next line."""
    last = line.rsplit(" ", 1)[-1].lower()
    return (is_heading_line(line) and len(line) < 0.75 * width
            and not following[:1].islower() and last not in _DANGLING)


READER = Reader("pdf", EXTENSIONS["pdf"], parse)
