"""Stable identities: links to documents and passages must survive the next ingest.

A document's id comes from where it came from (the canonical URL a sidecar gives, else its
source path), never from ingest order. A passage's id comes from its
document's id and its own normalised text, plus a counter for identical texts in one document,
so editing one paragraph changes only the ids of the passages that contain it.
"""

from __future__ import annotations

import re
from collections import Counter

from .textutil import normalise, short_hash

_SAFE_RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


def document_id(source: str, url: str = "", record_id: str = "") -> str:
    """16 hex digits of sha1 of the URL or source; a JSON Lines record keeps its own id."""
    if record_id:
        return record_id if _SAFE_RECORD_ID.match(record_id) else short_hash("record:" + record_id)
    return short_hash(url.strip() if url.strip() else source)


def passage_ids(doc_id: str, texts: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    ids = []
    for text in texts:
        key = normalise(text)
        seen[key] += 1
        ids.append(short_hash(f"{doc_id}\n{key}\n{seen[key]}"))
    return ids
