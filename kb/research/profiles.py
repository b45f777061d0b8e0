"""Profiles of a topic and of a session: what a researcher asks before searching.

Both are built from facet counts over the whole index (so they agree with a search filtered
the same way) and from the documents' own key phrases.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from kb.model import SearchRequest
from kb.research.trends import per_thousand, session_trend
from kb.search import Library
from kb.speakers import speaker_id

#: Documents whose key phrases are pooled for a topic's key phrases.
PHRASE_DOCUMENTS = 50
TOP_PHRASES = 15
TOP_SPEAKERS = 25


def topic_profile(library: Library, topic_id: str) -> dict[str, Any] | None:
    """A topic's description, documents and passages per session, key phrases and speakers;
    None for a topic the registry does not have."""
    topic = library.registry.topics.get(topic_id)
    if topic is None:
        return None
    base = SearchRequest(topics=[topic_id])
    trend = session_trend(library, base)
    documents = library.search(replace(base, page_size=1)).total
    return {
        **topic.to_dict(),
        "documents": documents,
        "passages": trend.passages,
        "by_session": [_point(p) for p in trend.points],
        "key_phrases": key_phrases(library, base),
        "speakers": speakers(library, base),
    }


def session_profile(library: Library, number: int) -> dict[str, Any] | None:
    """A session's speakers, and its topics with their share of the session's passages."""
    # A session the index holds documents about has a profile, registered or not yet.
    if number not in library.registry.sessions and str(number) not in library.held("session"):
        return None
    base = SearchRequest(sessions=[number])
    flat = library.search(replace(base, group="flat", page_size=1))
    grouped = library.search(replace(base, page_size=1))
    documents = {v.value: v.count for v in grouped.facets.get("topic", [])}
    topics = [{"id": v.value, "label": v.label, "passages": v.count,
               "documents": documents.get(v.value, 0), "signal": _signal(library, v.value),
               "share_percent": per_thousand(v.count, flat.total) / 10}
              for v in flat.facets.get("topic", []) if v.count]
    return {"number": number, "documents": grouped.total, "passages": flat.total,
            "topics": sorted(topics, key=lambda t: (-t["passages"], t["label"])),
            "speakers": speakers(library, base)}


def speakers(library: Library, base: SearchRequest) -> list[dict[str, Any]]:
    """Who speaks (or is named) in the passages of ``base``, by passages, with their page id."""
    result = library.search(replace(base, group="flat", page_size=1))
    return [{"name": v.value, "id": speaker_id(v.value), "passages": v.count}
            for v in result.facets.get("speaker", [])[:TOP_SPEAKERS] if v.count]


def key_phrases(library: Library, base: SearchRequest) -> list[dict[str, Any]]:
    """Key phrases shared by the most documents of ``base`` (its newest documents first)."""
    result = library.search(replace(base, sort="date", page_size=PHRASE_DOCUMENTS))
    counts: Counter[str] = Counter()
    for hit in result.hits:
        doc = library.document(hit.doc_id)
        if doc is not None:
            counts.update(dict.fromkeys(doc.key_phrases, 1))
    return [{"phrase": phrase, "documents": n}
            for phrase, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            [:TOP_PHRASES]]


def _signal(library: Library, topic_id: str) -> str:
    """The topic's first signal as a query (a phrase quoted), to see it in context."""
    topic = library.registry.topics.get(topic_id)
    signal = topic.signals[0] if topic and topic.signals else ""
    return f'"{signal}"' if " " in signal else signal


def _point(point: Any) -> dict[str, Any]:
    return {"session": point.session, "documents": point.documents, "passages": point.passages,
            "per_1000_passages": point.per_thousand}
