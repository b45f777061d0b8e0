"""Formal meeting reports: numbered paragraphs as turns, the delegation as speaker.

A cover block (language letter, document symbol, "ORIGINAL: ENGLISH", "DATE: ..."), a table of
contents mapping agenda items to paragraph numbers, running page headers ("A/59/14 page 2") and
page numbers are not content; numbered paragraphs in reported speech are, each opening with who
spoke ("12. The Delegation of Japan, speaking on behalf of Group B, said ...").
"""

from __future__ import annotations

import re

from ..enrich.speakers import normalise_speaker
from ..textutil import clean_line
from .base import HEADING, TURN, Block, RawDocument
from .structure import DATE_LINE

NUMBERED = re.compile(r"^\s*(\d{1,4})\.\s+(?=\S)", re.MULTILINE)
RUNNING_HEADER = re.compile(
    r"^\s*(?:[A-Z]{1,10}/[A-Z0-9/.\s]{2,40}?\s+(?:Rev\.\s*\d+\s+)?)?page\s+\d+\s*$",
    re.IGNORECASE,
)
_PAGE_NUMBER = re.compile(r"^\s*(?:-\s*)?\d{1,4}(?:\s*-)?\s*$|^\s*page\s+\d+(?:\s+of\s+\d+)?\s*$",
                          re.IGNORECASE)
_TOC_LINE = re.compile(r"(?:\.{4,}|…{2,}|\s{3,})\s*\d{1,4}(?:\s*(?:-|to)\s*\d{1,4})?\s*$")
_COVER = re.compile(r"^\s*(?:ORIGINAL|DATE|LANGUAGE)\s*:\s*(?P<value>.*)$", re.IGNORECASE)
SYMBOL_LINE = re.compile(r"^\s*[A-Z]{1,10}(?:/[A-Z0-9.]+){2,}(?:\s+REV\.?\s*\d*)?\s*$")
_LANGUAGE_LETTER = re.compile(r"^\s*[EFSARC]\s*$")
_HEADING_LINE = re.compile(
    r"^(?:[A-Z][A-Z0-9 ,:;'’()/&-]{3,}|(?:AGENDA\s+ITEM|ITEM|ISSUE)\s+\d+.*)$"
)
_CONTENTS = re.compile(r"^\s*(?:TABLE OF )?CONTENTS\s*$", re.IGNORECASE)
_REPORT_SPEAKER = re.compile(
    r"^(?:The\s+)?(?P<who>(?:Delegation|Representative|Delegate)s?\s+of\s+(?:the\s+)?"
    r"[A-Z][\w'’-]*(?:\s+(?:and|of|the|[A-Z][\w'’-]*))*?"
    r"|Chair(?:person|man|woman)?|Vice-Chair|Director General|Secretariat|Deputy Director General"
    r"|(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)"
    r"(?=\s*(?:,|\(|said|stated|noted|thanked|expressed|welcomed|asked|recalled|speaking|"
    r"supported|believed|explained|highlighted|emphasized|emphasised|added|requested|"
    r"congratulated|informed|proposed|agreed|opened|closed|invited|concluded))"
)


def parse_report(text: str) -> RawDocument:
    lines = [clean_line(line) for line in text.split("\n")]
    date, title, body_start = _cover(lines)
    blocks: list[Block] = []
    current: Block | None = None
    for line in lines[body_start:]:
        if not line or RUNNING_HEADER.match(line) or _PAGE_NUMBER.match(line) \
                or SYMBOL_LINE.match(line):
            continue  # running headers ("A/59/14" then "page 2") and page numbers
        if _CONTENTS.match(line) or _TOC_LINE.search(line):
            continue
        numbered = NUMBERED.match(line)
        if numbered:
            paragraph = line[numbered.end():]
            speaker = _REPORT_SPEAKER.match(paragraph)
            current = Block(paragraph, TURN,
                            speaker=normalise_speaker(speaker.group("who")) if speaker else "")
            blocks.append(current)
        elif _HEADING_LINE.match(line) and len(line.split()) <= 20:
            current = None
            blocks.append(Block(line, HEADING))
        elif current is not None:
            current.text = _join(current.text, line)
        else:
            current = Block(line, TURN)
            blocks.append(current)
    if not title:
        title = next((b.text for b in blocks if b.kind == HEADING), "")
    return RawDocument(blocks=blocks, doc_type="report", title=_title_case(title), date=date)


def _cover(lines: list[str]) -> tuple[str, str, int]:
    """Date, title and where the body starts, from the cover block (if there is one).

    The cover is the run of symbol, language-letter, ORIGINAL and DATE lines at the top; the
    title is the first upper-case line after it (a running header later on is no cover).
    """
    date = ""
    start = 0
    for i, line in enumerate(lines[:40]):
        if not line:
            continue
        cover = _COVER.match(line)
        if cover:
            if line.upper().startswith("DATE") and DATE_LINE.match(cover.group("value")):
                date = cover.group("value")
        elif not (SYMBOL_LINE.match(line) or _LANGUAGE_LETTER.match(line)):
            break
        start = i + 1
    title = ""
    for line in lines[start:start + 15]:
        if line and not NUMBERED.match(line) and not _CONTENTS.match(line) \
                and _HEADING_LINE.match(line):
            title = line
            break
    return date, title, start


def _join(text: str, line: str) -> str:
    if text.endswith("-") and line[:1].islower():
        return text[:-1] + line
    return f"{text} {line}"


_SMALL_WORDS = frozenset({"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the",
                          "to", "with"})


def _title_case(title: str) -> str:
    """"REPORT OF THE SECOND SESSION" -> "Report of the Second Session"."""
    if not title.isupper():
        return title
    words = title.lower().split()
    return " ".join(w if i and w in _SMALL_WORDS else w[:1].upper() + w[1:]
                    for i, w in enumerate(words))
