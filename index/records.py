"""Conversions between kb's records and the flat field dictionaries Whoosh stores.

Every record stores its full kb shape as JSON in ``data``, so reading a record back never
depends on which fields happen to be indexed.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any

from index.analysis import mark_language, symbols_in
from index.schema import (
    DOCUMENT,
    HEADING_WEIGHT,
    MANIFEST,
    META,
    MULTI_SEP,
    PASSAGE,
    TITLE_WEIGHT,
)
from kb.model import Document, ManifestEntry, Passage

META_ID = "meta"
#: The record saying what the last commit added, updated and removed (see index.writer).
LAST_INGEST_ID = "last-ingest"

#: Document fields copied onto each passage's stored data, so a hit needs one stored read.
_DOC_FIELDS_ON_PASSAGE = ("title", "source", "date", "language", "site", "url", "ingested")


def passage_key(passage_id: str) -> str:
    return f"p:{passage_id}"


def document_key(doc_id: str) -> str:
    return f"d:{doc_id}"


def manifest_key(source: str) -> str:
    return f"m:{source}"


def _multi(values: list[Any]) -> str:
    if not values:  # most passages' topics, many a document's sessions and speakers
        return ""
    return MULTI_SEP.join([text for text in map(str, values) if text.strip()])


def _dumps(data: dict[str, Any]) -> str:
    """``json.dumps(data, ensure_ascii=False, separators=(",", ":"))``, the same text, written
    by orjson where it writes that text: the standard library's encoder was a twentieth of
    the index write (a passage's JSON holds its whole text).

    orjson writes a float under 1e-4 without an exponent ("0.00001", not "1e-05") and NaN or
    infinity as null, so a record holding such a float (only a passage's ``start`` is one) is
    written by the standard library; so is whatever orjson refuses (a lone surrogate, a key
    that is not a string, an integer past 64 bits).
    """
    import orjson  # on first use: a command that only reads the index never loads it

    for value in data.values():
        if type(value) is float and not (value == 0 or 1e-4 <= abs(value) < 1e16):
            return _json_dumps(data)
    try:
        return str(orjson.dumps(data), "utf-8")
    except orjson.JSONEncodeError:
        return _json_dumps(data)


def _json_dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def document_records(doc: Document) -> list[dict[str, Any]]:
    """The document record first, then its passages in position order.

    The order matters: a document's records are written together in one segment and keep
    their relative order through merges, which lets a reader map any passage to its document
    record by position alone (see :mod:`index.snapshot`).
    """
    head = doc.to_dict(passages=False)
    records = [{"id": document_key(doc.doc_id), "kind": DOCUMENT, "doc_id": doc.doc_id,
                "data": _dumps(head)}]
    # The same for every passage: found once.
    title = _title_stream(doc)
    copied = {name: getattr(doc, name) for name in _DOC_FIELDS_ON_PASSAGE}
    shared = _non_empty({
        "kind": PASSAGE,
        "doc_id": doc.doc_id,
        "title": mark_language(doc.title, doc.language),
        "type": doc.doc_type,
        "year": str(doc.year or ""),
        "site": doc.site,
        "date": doc.date,
        "src": doc.source,
    })
    for passage in sorted(doc.passages, key=lambda p: p.position):
        records.append(_passage_record(doc, passage, title, copied, shared))
    return records


def _passage_record(doc: Document, passage: Passage, title: str, copied: dict[str, Any],
                    shared: dict[str, str]) -> dict[str, Any]:
    """One passage's record; ``copied`` holds the document's fields its stored data
    repeats (:data:`_DOC_FIELDS_ON_PASSAGE`) and ``shared`` the indexed fields every
    passage of the document has (the empty ones left out), both made once per document."""
    data = passage.to_dict()
    data.update(copied)
    data["type"] = doc.doc_type
    sessions = passage.sessions or doc.sessions
    # A passage counts for its own topics only: one that is about none of them must not be
    # counted under its document's (ingest tags a document's topics from its passages').
    topics = passage.topics
    speakers = [passage.speaker] if passage.speaker else doc.speakers
    # A passage in another language than its document's is analysed (stop words, snippet
    # matching) and faceted in its own language.
    language = passage.language or doc.language
    data["sessions"], data["topics"], data["language"] = list(sessions), list(topics), language
    record = _non_empty({
        "id": passage_key(passage.passage_id),
        "body": mark_language(_body(title, passage.heading, passage.text),
                              language),
        "heading": mark_language(passage.heading, language),
        "session": _multi(sessions),
        "session_any": _multi(sorted(set(sessions) | set(passage.mentions))),
        "topic": _multi(topics),
        "speaker": _multi(speakers),
        "speaker_words": " ".join(speakers),
        "language": language,
        "data": _dumps(data),
    })
    record.update(shared)
    return record


def _non_empty(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` without its empty fields (an empty string indexes nothing)."""
    return {name: value for name, value in record.items() if value != ""}


def _title_stream(doc: Document) -> str:
    """The title as body weighs it, with the document symbol its file name carries
    ("wipo_ip_ai_2_ge_20_1_rev.pdf") when the title lacks it: a search for the symbol then
    finds the paper itself first, above the pages that cite it."""
    if not symbols_in(doc.source):  # most sources: no "wipo" in them, nothing to parse
        return doc.title
    named = symbols_in(PurePosixPath(doc.source).stem)
    missing = [term for term in named if term not in set(symbols_in(doc.title))]
    return " ".join([doc.title, *missing]) if missing else doc.title


def _body(title: str, heading: str, text: str) -> str:
    streams = [title] * TITLE_WEIGHT + [heading] * HEADING_WEIGHT + [text]
    return "\n".join(s for s in streams if s)


def manifest_record(entry: ManifestEntry) -> dict[str, Any]:
    return _non_empty({"id": manifest_key(entry.source), "kind": MANIFEST,
                       "dup_of": entry.duplicate_of, "data": _dumps(entry.to_dict())})


def meta_record(meta: dict[str, str]) -> dict[str, Any]:
    return {"id": META_ID, "kind": META, "data": _dumps(meta)}


def last_ingest_record(summary: dict[str, Any]) -> dict[str, Any]:
    return {"id": LAST_INGEST_ID, "kind": META, "data": _dumps(summary)}


def load(stored: dict[str, Any]) -> dict[str, Any]:
    return json.loads(stored["data"])


def passage_from(data: dict[str, Any]) -> Passage:
    return Passage(
        passage_id=data["passage_id"], doc_id=data["doc_id"], position=data["position"],
        text=data["text"], heading=data.get("heading", ""), speaker=data.get("speaker", ""),
        start=data.get("start"), sessions=list(data.get("sessions", [])),
        topics=list(data.get("topics", [])), language=data.get("language", ""),
        mentions=list(data.get("mentions", [])), recording_url=data.get("recording_url", ""),
    )


def document_from(data: dict[str, Any]) -> Document:
    fields = dict(data)
    fields["doc_type"] = fields.pop("type", "page")
    fields.pop("passages", None)
    known = set(Document.__dataclass_fields__)
    return Document(**{k: v for k, v in fields.items() if k in known})


def manifest_from(data: dict[str, Any]) -> ManifestEntry:
    known = set(ManifestEntry.__dataclass_fields__)
    return ManifestEntry(**{k: v for k, v in data.items() if k in known})
