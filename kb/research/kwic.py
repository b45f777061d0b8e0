"""Keyword in context: every occurrence of a query's words or phrase as a concordance line.

Occurrences are found with the index's own analysis (see index.concordance), so a word finds
the forms search finds ("protect": "protected", "protection") and a phrase skips the stop words
search skips. Lines are bounded (:data:`MAX_LINES`); sorting by the word before or after the
match is what a concordancer is for: it gathers the phrases a word is used in.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from index import occurrences
from kb.model import SearchRequest
from kb.search import Library

#: Most lines one concordance holds (page, API and CSV alike); the note says when it is cut.
MAX_LINES = 5000
#: Most matching passages read looking for occurrences.
MAX_PASSAGES = 20_000
DEFAULT_WIDTH = 60
MIN_WIDTH, MAX_WIDTH = 20, 200
SORTS: dict[str, str] = {
    "document": "Document order (oldest first)",
    "left": "Word before the match",
    "right": "Word after the match",
}
_WORD = re.compile(r"\w+")


class KwicError(ValueError):
    """A concordance that cannot be made (no query, only stop words); the message says why."""


@dataclass
class KwicLine:
    left: str
    match: str
    right: str
    doc_id: str
    passage_id: str
    title: str
    type: str
    date: str
    sessions: list[int]
    speaker: str
    #: Character offset of the match in the passage text.
    offset: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Concordance:
    query: str
    #: The query's words and phrases as looked for ("training data", "copyright").
    looked_for: list[str]
    sort: str
    width: int
    lines: list[KwicLine]
    #: Matching passages (all of them, even past the bound) and passages read.
    passages: int
    read: int
    truncated: bool = False
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "looked_for": self.looked_for, "sort": self.sort,
                "width": self.width, "total_lines": len(self.lines), "passages": self.passages,
                "truncated": self.truncated, "notes": list(self.notes),
                "lines": [line.to_dict() for line in self.lines]}


LINE_COLUMNS = ["left", "match", "right", "title", "type", "date", "sessions", "speaker",
                "doc_id", "passage_id", "offset"]


def concordance(library: Library, request: SearchRequest, *, sort: str = "document",
                width: int = DEFAULT_WIDTH, max_lines: int = MAX_LINES) -> Concordance:
    """The concordance of ``request.query`` within its filters.

    :raises KwicError: an empty query, or one of stop words only (they are not indexed, so
        there is nothing to find), or an unknown sort.
    """
    if sort not in SORTS:
        raise KwicError(f"'sort' must be one of {', '.join(SORTS)}, not {sort[:40]!r}.")
    query = " ".join(request.query.split())
    if not query:
        raise KwicError("Give a word or a phrase to see in context.")
    width = max(MIN_WIDTH, min(MAX_WIDTH, int(width)))
    scan = library.scan(replace(request, query=query), order="date-asc", limit=MAX_PASSAGES)
    if not scan.patterns:
        scan.close()
        if any("very common words" in note for note in scan.notes):
            raise KwicError(f"“{query}” has only very common words (stop words), which are "
                            "not indexed, so they cannot be shown in context; add a more "
                            "specific word, or put them in a phrase with one.")
        raise KwicError(f"“{query}” has no words to find in passage text (only filters or "
                        "words of other fields); give a word or a phrase.")
    lines: list[KwicLine] = []
    read = 0
    truncated = scan.total > MAX_PASSAGES
    for record in scan.records():
        read += 1
        for start, end in occurrences(record.text, record.language, scan.patterns):
            if len(lines) >= max_lines:
                truncated = True
                break
            left, right = _context(record.text, start, end, width)
            lines.append(KwicLine(left, _flat(record.text[start:end]), right, record.doc_id,
                                  record.passage_id, record.title, record.type, record.date,
                                  record.sessions, record.speaker, start))
        if len(lines) >= max_lines and truncated:
            scan.close()
            break
    notes = list(scan.notes)
    if truncated:
        notes.append(f"Only the first {len(lines):,} lines are shown; narrow the search with "
                     "a filter to see the rest.")
    return Concordance(query, [p.label for p in scan.patterns], sort, width,
                       sort_lines(lines, sort), scan.total, read, truncated, notes)


def sort_lines(lines: list[KwicLine], sort: str) -> list[KwicLine]:
    """Document order as found; "left" by the words before the match, nearest first; "right"
    by the match and the words after it."""
    if sort == "left":
        return sorted(lines, key=lambda ln: _words(ln.left)[::-1])
    if sort == "right":
        return sorted(lines, key=lambda ln: [ln.match.casefold(), *_words(ln.right)])
    return list(lines)


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def _context(text: str, start: int, end: int, width: int) -> tuple[str, str]:
    """Up to ``width`` characters either side, cut at a word boundary, on one line."""
    left = text[max(0, start - width):start]
    if start - width > 0 and " " in left:
        left = left[left.index(" ") + 1:]
    right = text[end:end + width]
    if end + width < len(text) and " " in right:
        right = right[:right.rindex(" ")]
    return _flat(left), _flat(right)


def _flat(text: str) -> str:
    """Whitespace runs (newlines too) as one space, keeping a leading/trailing space."""
    return re.sub(r"\s+", " ", text)
