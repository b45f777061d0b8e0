"""JSON Lines (.jsonl): one document per line, for bulk imports from other tools.

Each line is an object with ``id`` (string or number: it becomes the document id), ``text``,
and optionally ``title`` plus metadata, either at the top level or under ``metadata``, with the
keys a sidecar accepts (see :mod:`ingest.sidecar`). A bad line fails alone, named by its line
number; the other records of the file are ingested.
"""

from __future__ import annotations

import json
from typing import Any

from ..encoding import decode
from ..errors import IngestError
from . import EXTENSIONS
from .base import RawDocument, Reader
from .structure import text_to_blocks

_RECORD_KEYS = ("id", "text", "title", "metadata")


def parse(data: bytes, name: str) -> list[RawDocument]:
    text = decode(data)
    records: list[RawDocument] = []
    seen: set[str] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        records.append(_record(line, number, seen))
    if records and all(r.error for r in records):
        raise IngestError(f"not valid JSON Lines: {records[0].error}")
    return records


def _record(line: str, number: int, seen: set[str]) -> RawDocument:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return _failed(number, f"line {number}: not valid JSON ({exc.msg})")
    if not isinstance(data, dict):
        return _failed(number, f"line {number}: expected a JSON object")
    raw_id = data.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or not str(raw_id).strip():
        return _failed(number, f"line {number}: record has no 'id'")
    record_id = str(raw_id).strip()
    if record_id in seen:
        return _failed(number, f"line {number}: id {record_id!r} is used by an earlier record")
    seen.add(record_id)
    body = data.get("text")
    if not isinstance(body, str) or not body.strip():
        return RawDocument(blocks=[], record_id=record_id,
                           error=f"line {number}: record {record_id!r} has no 'text'")
    title = data.get("title", "")
    metadata: dict[str, Any] = {k: v for k, v in data.items() if k not in _RECORD_KEYS}
    nested = data.get("metadata")
    if isinstance(nested, dict):
        metadata.update(nested)
    elif nested is not None:
        return RawDocument(blocks=[], record_id=record_id,
                           error=f"line {number}: 'metadata' must be an object")
    if not isinstance(title, str):
        title = str(title)
    return RawDocument(blocks=text_to_blocks(body), title=title.strip(), record_id=record_id,
                       metadata=metadata)


def _failed(number: int, reason: str) -> RawDocument:
    return RawDocument(blocks=[], record_id=f"line-{number}", error=reason)


READER = Reader("jsonl", EXTENSIONS["jsonl"], parse)
