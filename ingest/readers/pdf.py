"""PDF (.pdf) through pypdf: page text without running headers, footers and page numbers.

Lines that recur at the top or bottom of most pages (digits ignored, so "page 3" matches
"page 4") are running headers or footers; lone numbers are page numbers. Hard-wrapped lines are
rejoined into paragraphs. A text shaped like a meeting report (cover block, numbered
paragraphs) goes on to the report parser.
"""

from __future__ import annotations

import io
import re
import warnings
from collections import Counter

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from ..errors import IngestError
from ..textutil import clean_line
from . import transcripts
from .base import RawDocument, Reader
from .structure import is_heading_line, text_to_blocks

_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"^(?:-\s*)?\d{1,4}(?:\s*-)?$|^page\s+\d+(?:\s+(?:of|/)\s+\d+)?$",
                          re.IGNORECASE)
_EDGE = 2
_TERMINAL = re.compile(r"[.!?:;]['\"”’)]*$")
_LIST_START = re.compile(r"^(?:\d{1,3}[.)]|[•▪◦*-]|\([a-z0-9]\))\s")
_DANGLING = frozenset({"the", "a", "an", "of", "and", "or", "to", "in", "on", "for", "with",
                       "by", "that", "as", "at", "from"})
_NUMBERED = re.compile(r"^\d{1,4}\.\s+\S")


def parse(data: bytes, name: str) -> list[RawDocument]:
    pages, title = _pages(data)
    text = _paragraphs([line for lines in _strip_running(pages) for line in lines])
    if not text.strip():
        raise IngestError("PDF has no extractable text (a scanned image needs OCR first)")
    shaped = transcripts.parse_transcript(text, name)
    if shaped is not None:
        if title and not shaped.title:
            shaped.title = title
        return [shaped]
    return [RawDocument(blocks=text_to_blocks(text), title=title)]


def _pages(data: bytes) -> tuple[list[list[str]], str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise IngestError("PDF is encrypted (password-protected); save an unprotected copy")
            pages = [(page.extract_text() or "").split("\n") for page in reader.pages]
            title = ""
            if reader.metadata is not None and reader.metadata.title:
                title = clean_line(str(reader.metadata.title))
        except FileNotDecryptedError:
            raise IngestError("PDF is encrypted (password-protected); save an unprotected copy"
                              ) from None
        except IngestError:
            raise
        except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
            raise IngestError(f"PDF is corrupt or unreadable: {exc}") from None
    return [[clean_line(line) for line in page if clean_line(line)] for page in pages], title


def _strip_running(pages: list[list[str]]) -> list[list[str]]:
    """Drop lines that recur at the same edge of most pages, and page numbers."""
    if len(pages) >= 3:
        counts: Counter[str] = Counter()
        for lines in pages:
            edges = {_DIGITS.sub("#", line) for line in lines[:_EDGE] + lines[-_EDGE:]}
            counts.update(edges)
        running = {key for key, n in counts.items() if n >= max(3, len(pages) // 2)}
    else:
        running = set()
    cleaned = []
    for lines in pages:
        kept = []
        for i, line in enumerate(lines):
            at_edge = i < _EDGE or i >= len(lines) - _EDGE
            if at_edge and (_DIGITS.sub("#", line) in running or _PAGE_NUMBER.match(line)):
                continue
            kept.append(line)
        cleaned.append(kept)
    return cleaned


def _paragraphs(lines: list[str]) -> str:
    """Rejoin hard-wrapped lines (also across pages) into paragraphs separated by blank lines.

    A line closes its paragraph when it is a heading, or when it is clearly shorter than the
    text width and ends a sentence; a list item or numbered paragraph opens a new one.
    """
    if not lines:
        return ""
    width = sorted(len(line) for line in lines)[int(len(lines) * 0.8)]
    headings = {i for i, line in enumerate(lines)
                if _is_heading(line, lines[i + 1] if i + 1 < len(lines) else "", width)}
    out: list[str] = []
    current = ""
    closed = True
    for i, line in enumerate(lines):
        opens = bool(_LIST_START.match(line)) or bool(_NUMBERED.match(line)) or i in headings
        if current and not opens and not closed:
            current = current[:-1] + line if current.endswith("-") and line[:1].islower() \
                else f"{current} {line}"
        else:
            if current:
                out.append(current)
            current = line
        closed = i in headings or (len(line) < 0.75 * width and bool(_TERMINAL.search(line)))
    if current:
        out.append(current)
    return "\n\n".join(out)


def _is_heading(line: str, following: str, width: int) -> bool:
    """A short title-like line, not the start of a sentence that wraps onto the next line."""
    last = line.rsplit(" ", 1)[-1].lower()
    return (is_heading_line(line) and len(line) < 0.75 * width
            and not following[:1].islower() and last not in _DANGLING)


READER = Reader("pdf", (".pdf",), parse)
