"""Data for the document, sessions and topics pages and their API twins (Datasette style): one
function per view, so that a page and its ``/api/...`` can never disagree."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask import abort, request, url_for

from kb.model import DOC_TYPES, HEADING_SEPARATOR, Document, Hit, SearchRequest
from web.backend import backend
from web.params import MAX_QUERY_CHARS, check_utf8

SIMILAR_LIMIT = 5
SESSION_DOCS_LIMIT = 100


@dataclass(frozen=True)
class UnregisteredSession:
    """A session the index holds documents about but sessions.toml lacks."""

    number: int
    title: str

    @property
    def short_title(self) -> str:
        return self.title


def document_page(doc_id: str) -> dict[str, Any]:
    doc = get_document(doc_id)
    check_utf8(request.query_string)
    query = " ".join(request.args.get("q", "").split())[:MAX_QUERY_CHARS]
    wanted = request.args.get("p", "")
    selected = next((p for p in doc.passages if p.passage_id == wanted), None)
    anchor = selected or (doc.passages[0] if doc.passages else None)
    return {
        "missing": wanted[:40] if wanted and selected is None else "",
        "doc": doc,
        "query": query,
        "terms": backend().library().match_words(query) if query else frozenset(),
        "similar": _similar_documents(doc, anchor.passage_id) if anchor else [],
        "anchor": selected,
        "back": url_for("pages.search", q=query) if query else None,
        # The address to cite: without the searcher's ?q= and ?p=, which only colour this visit.
        "permalink": url_for("pages.document", doc_id=doc.doc_id, _external=True),
        "passage_topics": _passage_only_topics(doc),
        "copy_passages": _copy_passages(doc),
    }


def _copy_passages(doc: Document) -> dict[str, str]:
    """The first passage each collapsed copy added (what only it says), by the copy's source:
    kb shows a copy once, inside this page, so that is the copy's own place to link to."""
    found: dict[str, str] = {}
    for passage in doc.passages:
        for source in doc.duplicates:
            if source not in found and (passage.heading == source or passage.heading.startswith(
                    source + HEADING_SEPARATOR)):
                found[source] = passage.passage_id
    return found


def _passage_only_topics(doc: Document) -> list[str]:
    """Topics that are the subject of some passages but not of the document as a whole: the
    topic facet counts the document under them, so the page says why."""
    order = list(backend().registry().topics)
    found = {t for p in doc.passages for t in p.topics} - set(doc.topics)
    return sorted(found, key=lambda t: order.index(t) if t in order else len(order))


def _similar_documents(doc: Document, passage_id: str) -> list[Hit]:
    """Passages like ``passage_id`` from other documents, one per document: a reader wants
    other sources, not more of the page they are on."""
    seen = {doc.doc_id}
    found = []
    for hit in backend().library().similar(passage_id, SIMILAR_LIMIT * 3):
        if hit.doc_id not in seen:
            seen.add(hit.doc_id)
            found.append(hit)
    return found[:SIMILAR_LIMIT]


def get_document(doc_id: str) -> Document:
    doc = backend().library().document(doc_id)
    if doc is None:
        abort(404, description=f"There is no document with the id {doc_id[:200]!r}.")
    return doc


def sessions_overview() -> list[dict[str, Any]]:
    return backend().library().sessions_overview()


def topics_overview() -> list[dict[str, Any]]:
    return backend().library().topics_overview()


def session_page(number: int) -> dict[str, Any]:
    """A registry session, or one the index holds documents about that the registry lacks
    (shown with a note to add it), so no facet link ends in a 404."""
    registry = backend().registry()
    overview = next((s for s in sessions_overview() if s["number"] == number), {})
    session: Any = registry.sessions.get(number)
    if session is None:
        if not overview:
            abort(404, description=f"There is no session {number} in the session registry.")
        session = UnregisteredSession(number, overview["label"])
    result = backend().library().search(
        SearchRequest(sessions=[number], sort="date", page_size=SESSION_DOCS_LIMIT)
    )
    by_type: dict[str, list[Any]] = {}
    for hit in result.hits:
        by_type.setdefault(hit.type, []).append(hit)
    order = list(DOC_TYPES)
    return {
        "session": session,
        "registered": number in registry.sessions,
        "documents": overview.get("documents", result.total),
        "passages": overview.get("passages", 0),
        "by_type": sorted(by_type.items(), key=lambda kv: order.index(kv[0])
                          if kv[0] in order else len(order)),
        "truncated": result.total > len(result.hits),
        "top_topics": result.facets.get("topic", [])[:10],
        "previous": max((n for n in registry.sessions if n < number), default=None),
        "next": min((n for n in registry.sessions if n > number), default=None),
    }


def topics_page() -> dict[str, Any]:
    """Topics with a count per session, in columns for the sessions that have any."""
    topics = topics_overview()
    counts = [{int(n): c for n, c in t.get("by_session", {}).items()} for t in topics]
    used = Counter(n for row in counts for n, c in row.items() if c)
    numbers = [n for n in backend().registry().sessions if used[n]]
    rows = [
        {**t, "counts": [row.get(n, 0) for n in numbers]}
        for t, row in zip(topics, counts, strict=True)
    ]
    return {"topics": rows, "numbers": numbers}


def health() -> dict[str, Any]:
    """The index's generation, size and time, all of one generation: the newest complete one
    (every request moves to it first), its own counts and its own table of contents' time
    (:meth:`Library.counts`). A probe never searches, counts facets or opens anything: one
    ``stat`` of the index folder, two array lengths and the time of one file."""
    stats = backend().library().counts()
    return {
        "status": "ok",
        "generation": stats.get("generation"),
        "documents": stats.get("documents"),
        "passages": stats.get("passages"),
        "last_modified": stats.get("last_modified"),
    }
