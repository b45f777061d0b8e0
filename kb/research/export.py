"""Exports of a whole result set (every matching passage, not one page) as CSV, JSON Lines,
RIS or BibTeX, streamed.

Each export is a generator of text blocks, one per chunk of passages read from the index, so
the web can hand it to a streaming response and the CLI can write it as it comes: 100,000 rows
never sit in memory at once. CSV cells are made formula-safe (see :func:`formula_safe`),
because a spreadsheet opening an export would otherwise run a passage that starts with "=".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kb.model import PassageRecord, SearchRequest
from kb.output import formula_safe
from kb.registry import Registry
from kb.research.citation import cite, permalink
from kb.search import Library

#: format -> (media type, file extension)
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "jsonl": ("application/x-ndjson; charset=utf-8", "jsonl"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
}
#: Most passages one web export streams: beyond it the answer is a 400 asking to narrow the
#: search (the CLI's `kb search --all` has no such bound; it streams whatever matches).
MAX_WEB_ROWS = 50_000
COLUMNS = ["rank", "passage_id", "doc_id", "permalink", "title", "type", "date", "sessions",
           "session_labels", "topics", "speaker", "heading", "start", "language", "source",
           "url", "ingested", "score", "text"]


class ExportTooLarge(ValueError):
    """The export would exceed the limit; the message gives the count and the limit."""


@dataclass
class Export:
    """A ready export: how many passages, and the text blocks to stream."""

    format: str
    total: int
    blocks: Iterator[str]

    @property
    def media_type(self) -> str:
        return FORMATS[self.format][0]

    @property
    def extension(self) -> str:
        return FORMATS[self.format][1]


def export(library: Library, request: SearchRequest, fmt: str, base_url: str, *,
           max_rows: int | None = None, accessed: dt.date | None = None,
           chunk: int = 500) -> Export:
    """Every passage ``request`` matches, in its sort order, as ``fmt``.

    :raises ValueError: an unknown format.
    :raises ExportTooLarge: more than ``max_rows`` passages match (nothing is streamed).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    scan = library.scan(request, order=request.sort, chunk=chunk)
    if max_rows is not None and scan.total > max_rows:
        scan.close()
        raise ExportTooLarge(
            f"This export would hold {scan.total:,} passages; the limit is {max_rows:,}. "
            "Narrow the search with words or filters, or use `kb search --all` on the "
            "command line.")
    day = accessed or dt.datetime.now(dt.UTC).date()
    writer = _WRITERS[fmt]
    return Export(fmt, scan.total, writer(scan.chunks, library.registry, base_url, day))


def csv_text(rows: list[list[Any]]) -> str:
    """Rows as CSV text, every cell formula-safe: the one way kb.research writes CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([formula_safe(_cell(v)) for v in row])
    return buffer.getvalue()


def row(rank: int, record: PassageRecord, registry: Registry, base_url: str) -> dict[str, Any]:
    """One export row (the CSV columns and the JSON Lines record)."""
    return {
        "rank": rank,
        "passage_id": record.passage_id,
        "doc_id": record.doc_id,
        "permalink": permalink(base_url, record.doc_id, record.passage_id),
        "title": record.title,
        "type": record.type,
        "date": record.date,
        "sessions": record.sessions,
        "session_labels": [registry.session_label(n) for n in record.sessions],
        "topics": record.topics,
        "speaker": record.speaker,
        "heading": record.heading,
        "start": record.start,
        "language": record.language,
        "source": record.source,
        "url": record.url,
        "ingested": record.ingested,
        "score": record.score,
        "text": record.text,
    }


def _csv(chunks: Iterator[list[PassageRecord]], registry: Registry, base_url: str,
         accessed: dt.date) -> Iterator[str]:
    yield csv_text([COLUMNS])
    rank = 0
    for chunk in chunks:
        rows = []
        for record in chunk:
            rank += 1
            data = row(rank, record, registry, base_url)
            rows.append([data[c] for c in COLUMNS])
        yield csv_text(rows)


def _jsonl(chunks: Iterator[list[PassageRecord]], registry: Registry, base_url: str,
           accessed: dt.date) -> Iterator[str]:
    rank = 0
    for chunk in chunks:
        lines = []
        for record in chunk:
            rank += 1
            lines.append(json.dumps(row(rank, record, registry, base_url), ensure_ascii=False))
        yield "\n".join(lines) + "\n"


def _citations(style: str) -> Any:
    def write(chunks: Iterator[list[PassageRecord]], registry: Registry, base_url: str,
              accessed: dt.date) -> Iterator[str]:
        for chunk in chunks:
            yield "\n".join(cite(r, registry, base_url, accessed).render(style) for r in chunk)
            yield "\n"
    return write


_WRITERS = {"csv": _csv, "jsonl": _jsonl, "ris": _citations("ris"),
            "bibtex": _citations("bibtex")}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)
