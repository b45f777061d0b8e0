"""Plain text to blocks: lines, paragraphs and headings, when no markup says which is which.

Text pulled from web pages arrives one paragraph per line or with blank lines between
paragraphs, and a link inside a sentence can break the sentence across two lines. Headings are
recognised by shape: a short line on its own that does not end like a sentence.
"""

from __future__ import annotations

import re

from ..textutil import clean_line
from .base import HEADING, PARAGRAPH, Block

_TERMINAL = re.compile(r"[.,;:!…]['\"”’)\]]*$")
_QUESTION = re.compile(r"\?['\"”’)\]]*$")
_STARTS_HEADING = re.compile(
    r"^[\"“‘'(\[]?[A-Z0-9\u00C0-\u024F\u0370-\u1FFF\u0600-\u06FF\u4E00-\u9FFF]"
)
_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
#: A line that is only a date ("March 13 and 14, 2024", "7 July 2020", "2020-07-07").
DATE_LINE = re.compile(
    rf"^(?:[A-Z][a-z]+,\s*)?(?:{_MONTHS}\s+\d{{1,2}}(?:\s*(?:-|–|to|and)\s*\d{{1,2}})?,?\s+\d{{4}}|"
    rf"\d{{1,2}}(?:\s*(?:-|–|to|and)\s*\d{{1,2}})?\s+{_MONTHS}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})\.?$",
    re.IGNORECASE,
)
_HEADING_MAX_WORDS = 20


def text_to_blocks(text: str) -> list[Block]:
    """Split plain text into paragraph and heading blocks."""
    blocks: list[Block] = []
    for number, group in enumerate(_groups(text)):
        for paragraph in _join_broken_lines(group):
            kind = HEADING if is_heading_line(paragraph) else PARAGRAPH
            blocks.append(Block(paragraph, kind, group=number))
    return blocks


def is_heading_line(line: str) -> bool:
    """A short line that starts like a title and does not end like a sentence."""
    words = line.split()
    if not words or len(words) > _HEADING_MAX_WORDS or DATE_LINE.match(line):
        return False
    if not _STARTS_HEADING.match(line):
        return False
    if _QUESTION.search(line):
        return len(words) <= 12
    return not _TERMINAL.search(line)


def _groups(text: str) -> list[list[str]]:
    """Runs of non-blank lines, split at blank lines."""
    groups: list[list[str]] = []
    current: list[str] = []
    for raw in text.split("\n"):
        line = clean_line(raw)
        if line:
            current.append(line)
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _join_broken_lines(lines: list[str]) -> list[str]:
    """Rejoin a sentence that a link split across lines; keep real line-per-paragraph text apart."""
    out: list[str] = []
    for line in lines:
        if out and _continues(out[-1], line):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _continues(previous: str, line: str) -> bool:
    if _TERMINAL.search(previous) and not previous.endswith(","):
        return False
    first = line[0]
    return (first.islower() or first in ",;:)"
            or (previous.endswith(",") and not is_heading_line(line)))
