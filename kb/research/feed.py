"""Following a query: an Atom feed of its matching passages, newest ingest first, and what the
last ingest added or changed.

A feed reader polls the feed and shows entries it has not seen; entries are identified by
their passage id (``urn:kb:passage:<id>``), which survives re-ingests while the text is the
same, so an unchanged passage never shows up twice. ``updated`` is when the index last wrote
the passage's document.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

from kb.model import SearchRequest
from kb.research.citation import permalink
from kb.search import Library

ATOM = "http://www.w3.org/2005/Atom"
#: Entries in one feed: readers keep what they saw, so a feed only needs the newest.
MAX_ENTRIES = 50
SUMMARY_CHARS = 600
#: Documents listed per kind (added, updated) on the "new" page.
MAX_NEW = 200


def atom_feed(library: Library, request: SearchRequest, *, self_url: str, base_url: str,
              title: str, entries: int = MAX_ENTRIES) -> str:
    """The feed as an XML string (UTF-8 declared)."""
    scan = library.scan(replace(request, sort="relevance"), order="ingest",
                        limit=max(1, min(entries, MAX_ENTRIES)))
    records = list(scan.records())
    updated = max((r.ingested for r in records if r.ingested), default="") or _now()
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", self_url)
    _text(feed, "title", title)
    subtitle = f"{scan.total:,} matching passage{'s' if scan.total != 1 else ''}"
    _text(feed, "subtitle", subtitle + (f"; the newest {len(records)}" if scan.total >
                                         len(records) else ""))
    _text(feed, "updated", updated)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "WIPO Conversation knowledge base (kb)")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url,
                  type="application/atom+xml")
    _text(feed, "generator", "kb")
    for record in records:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", f"urn:kb:passage:{record.passage_id}")
        heading = f" – {record.speaker or record.heading}" if (
            record.speaker or (record.heading and record.heading != record.title)) else ""
        _text(entry, "title", (record.title or record.source) + heading)
        link = permalink(base_url, record.doc_id, record.passage_id)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=link, type="text/html")
        _text(entry, "updated", record.ingested or updated)
        if record.date:
            _text(entry, "published", f"{record.date}T00:00:00Z" if len(record.date) == 10
                  else updated)
        summary = _text(entry, "summary", _shorten(record.text))
        summary.set("type", "text")
        for number in record.sessions:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=f"session-{number}",
                          label=library.registry.session_label(number))
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode")


def new_since_last_ingest(library: Library) -> dict[str, Any]:
    """The documents the last ingest added and updated (with title, type, date, sessions and
    passage count) and those it removed; bounded to :data:`MAX_NEW` of each kind."""
    last = library.last_ingest()
    out: dict[str, Any] = {"at": last.get("at", ""), "recorded": bool(last)}
    for kind in ("added", "updated"):
        ids = list(last.get(kind, []))
        docs = []
        for doc_id in ids[:MAX_NEW]:
            doc = library.document(doc_id)
            if doc is not None:  # removed again by a later commit that recorded nothing
                docs.append({"doc_id": doc.doc_id, "title": doc.title, "source": doc.source,
                             "type": doc.doc_type, "date": doc.date, "sessions": doc.sessions,
                             "passages": len(doc.passages)})
        out[kind] = docs
        out[f"{kind}_total"] = len(ids)
    removed = list(last.get("removed", []))
    out["removed"] = removed[:MAX_NEW]
    out["removed_total"] = len(removed)
    return out


def _text(parent: ET.Element, name: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = _xml_safe(value)
    return element


def _xml_safe(text: str) -> str:
    """Text without the control characters XML 1.0 forbids (a stray one would break a feed)."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)


def _shorten(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= SUMMARY_CHARS:
        return flat
    cut = flat.rfind(" ", 0, SUMMARY_CHARS)
    return flat[:cut if cut > 0 else SUMMARY_CHARS] + " …"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
