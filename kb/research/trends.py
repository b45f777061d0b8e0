"""Trends across sessions: how much of each session a query matches.

Raw counts favour big sessions (a session with a day of transcripts matches everything more
often), so each count is also given per 1,000 passages of that session within the same
filters: the measure the chart draws. Counts come from the search's own facet counts over the
whole result set, so a trend and a search with the same words and filters always agree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from kb.model import SearchRequest
from kb.search import Library

#: Most queries one trend compares: a chart of more lines is unreadable, and each query costs
#: two searches.
MAX_QUERIES = 8


class TrendError(ValueError):
    """A request that cannot be charted (no query, too many queries); the message says why."""


@dataclass
class TrendPoint:
    session: int
    documents: int
    passages: int
    #: Passages of the session within the filters: the denominator of ``per_thousand``.
    session_passages: int
    per_thousand: float


@dataclass
class TrendSeries:
    query: str
    documents: int
    passages: int
    points: list[TrendPoint]
    #: The query as kb understood it, and notes (stop words, unknown fields).
    understood: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class Trends:
    sessions: list[int]
    #: session number -> its short label ("9 · Training the Machines · Mar 2024").
    labels: dict[int, str]
    series: list[TrendSeries]
    filters: dict[str, list[Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sessions": [{"number": n, "label": self.labels[n]} for n in self.sessions],
            "filters": {k: v for k, v in self.filters.items() if v},
            "series": [asdict(s) for s in self.series],
        }

    def rows(self) -> list[dict[str, Any]]:
        """One row per query and session: the CSV (and table) form."""
        return [
            {"query": s.query, "session": p.session, "label": self.labels[p.session],
             "documents": p.documents, "passages": p.passages,
             "session_passages": p.session_passages, "per_1000_passages": p.per_thousand}
            for s in self.series for p in s.points
        ]


ROW_COLUMNS = ["query", "session", "label", "documents", "passages", "session_passages",
               "per_1000_passages"]


def clean_queries(queries: list[str]) -> list[str]:
    """Queries with spaces normalised, empty ones and repeats dropped, in the order given."""
    return list(dict.fromkeys(" ".join(q.split()) for q in queries if q.strip()))


def trends(library: Library, queries: list[str], base: SearchRequest | None = None) -> Trends:
    """Per query and session: matching documents, passages and passages per 1,000.

    :param base: the filters (its query, paging and sort are ignored); with sessions selected
        only those sessions are charted.
    :raises TrendError: no query, or more than :data:`MAX_QUERIES`.
    """
    wanted = clean_queries(queries)
    if not wanted:
        raise TrendError("Give at least one word or phrase to trace across the sessions.")
    if len(wanted) > MAX_QUERIES:
        raise TrendError(f"{len(wanted)} queries were given; a trend compares at most "
                         f"{MAX_QUERIES}. Remove some and try again.")
    base = base or SearchRequest()
    sessions = sorted(set(base.sessions)) or sorted(library.registry.sessions)
    totals = _per_session(library, base, "", "flat")
    series = [_series(library, base, query, sessions, totals) for query in wanted]
    labels = {n: library.registry.session_label(n) for n in sessions}
    return Trends(sessions, labels, series, base.filters())


def session_trend(library: Library, base: SearchRequest) -> TrendSeries:
    """The passages within ``base``'s filters (a topic, a speaker) per session, the share per
    1,000 counted against all the passages of each session."""
    sessions = list(base.sessions) or sorted(library.registry.sessions)
    return _series(library, base, "", sessions,
                   _per_session(library, SearchRequest(), "", "flat"))


def _series(library: Library, base: SearchRequest, query: str, sessions: list[int],
            totals: dict[int, int]) -> TrendSeries:
    flat = library.search(_request(base, query, "flat"))
    grouped = library.search(_request(base, query, "document"))
    passages = _session_counts(flat.facets)
    documents = _session_counts(grouped.facets)
    points = [TrendPoint(n, documents.get(n, 0), passages.get(n, 0), totals.get(n, 0),
                         per_thousand(passages.get(n, 0), totals.get(n, 0)))
              for n in sessions]
    return TrendSeries(query, grouped.total, flat.total, points, flat.understood,
                       list(flat.notes))


def per_thousand(count: int, total: int) -> float:
    return round(1000 * count / total, 1) if total else 0.0


def _request(base: SearchRequest, query: str, group: str) -> SearchRequest:
    return replace(base, query=query, group=group, page=1, page_size=1, sort="relevance")


def _per_session(library: Library, base: SearchRequest, query: str, group: str
                 ) -> dict[int, int]:
    return _session_counts(library.search(_request(base, query, group)).facets)


def _session_counts(facets: dict[str, Any]) -> dict[int, int]:
    """session -> count; a session facet ignores its own selection, so every session counts."""
    return {int(v.value): v.count for v in facets.get("session", []) if v.value.isdigit()}
