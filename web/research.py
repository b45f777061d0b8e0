"""Data for the research pages and their API twins: parse the URL, call kb.research, return
what the page and the JSON both show. Errors are 400s and 404s that say what is wrong."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from flask import abort, request, url_for
from werkzeug.datastructures import MultiDict

from kb.model import Document, Passage, PassageRecord, SearchRequest
from kb.research import citation, export, feed, kwic, profiles, trends
from kb.research.chart import trend_svg
from web.backend import backend
from web.params import FACET_PARAMS, ParamError, check_utf8, parse_search
from web.searching import canonical_params

#: Parameters a feed URL may carry; anything else is a 400, so a typo is not a silent no-op.
FEED_PARAMS = {"q", *FACET_PARAMS}


def base_url() -> str:
    """Where this kb is served, for permalinks in citations, exports and feeds."""
    return request.host_url.rstrip("/")


def filters_request(*, drop: tuple[str, ...] = ("q",)) -> SearchRequest:
    """The filters (and sort) of the current URL as a SearchRequest, validated as /search
    validates them; the parameters in ``drop`` are read by the caller."""
    args = MultiDict([(k, v) for k, v in request.args.items(multi=True) if k not in drop])
    return parse_search(args, request.query_string, backend().registry()).request


def filter_params(req: SearchRequest) -> list[tuple[str, str]]:
    """The filters of ``req`` as URL parameters (no query, no paging)."""
    return [(k, v) for k, v in canonical_params(replace(req, query="", page=1))
            if k in FACET_PARAMS]


# -- trends -------------------------------------------------------------------------------
def trends_data() -> tuple[list[str], SearchRequest, trends.Trends | None, str]:
    """(queries, filters, trends or None when no query was given, error message)."""
    check_utf8(request.query_string)
    base = filters_request()
    queries = trends.clean_queries(request.args.getlist("q"))
    if not queries:
        return [], base, None, ""
    try:
        return queries, base, trends.trends(backend().library(), queries, base), ""
    except trends.TrendError as exc:
        return queries, base, None, str(exc)


def trends_page() -> tuple[dict[str, Any], int]:
    queries, base, result, error = trends_data()
    params = [("q", q) for q in queries] + filter_params(base)
    shown = min(trends.MAX_QUERIES, max(3, len(queries) + 1))
    slots = (queries + [""] * shown)[:max(shown, len(queries))]
    return {
        "queries": queries,
        "slots": slots,
        "max_queries": trends.MAX_QUERIES,
        "trends": result,
        "svg": trend_svg(result) if result else "",
        "error": error,
        "hidden": filter_params(base),
        "chips": [(k, v) for k, v in filter_params(base)],
        "csv_url": _url("research_api.trends_csv", params),
        "json_url": _url("research_api.trends", params),
        "svg_url": _url("research_api.trends_svg", params),
    }, 400 if error else 200


def trends_or_400() -> trends.Trends:
    queries, _, result, error = trends_data()
    if error or result is None:
        abort(400, description=error or "Give at least one query: /api/trends?q=deepfake.")
    return result


# -- keyword in context -----------------------------------------------------------------
def kwic_data() -> tuple[SearchRequest, kwic.Concordance | None, str]:
    check_utf8(request.query_string)
    base = filters_request(drop=("q", "sort", "width"))
    query = " ".join(request.args.get("q", "").split())
    sort = request.args.get("sort", "document") or "document"
    width = _int_arg("width", kwic.DEFAULT_WIDTH)
    req = replace(base, query=query)
    if not query:
        return req, None, ""
    try:
        return req, kwic.concordance(backend().library(), req, sort=sort, width=width), ""
    except kwic.KwicError as exc:
        return req, None, str(exc)


def kwic_page() -> tuple[dict[str, Any], int]:
    req, result, error = kwic_data()
    params = ([("q", req.query)] if req.query else []) + filter_params(req)
    sort = result.sort if result else "document"
    return {
        "req": req,
        "result": result,
        "error": error,
        "sorts": kwic.SORTS,
        "sort": sort,
        "hidden": filter_params(req),
        "sort_urls": {s: _url("research_pages.kwic", params + ([("sort", s)] if s != "document"
                                                                 else [])) for s in kwic.SORTS},
        "csv_url": _url("research_api.kwic_csv", params + ([("sort", sort)]
                                                           if sort != "document" else [])),
        "json_url": _url("research_api.kwic_json", params),
    }, 400 if error else 200


def kwic_or_400() -> kwic.Concordance:
    req, result, error = kwic_data()
    if error or result is None:
        abort(400, description=error or "Give a word or phrase: /api/kwic?q=authorship.")
    return result


# -- citations --------------------------------------------------------------------------
def citation_of(passage_id: str) -> citation.Citation:
    record = backend().library().passage_record(passage_id)
    if record is None:
        abort(404, description=f"There is no passage with the id {passage_id[:200]!r}.")
    return citation.cite(record, backend().registry(), base_url())


def citations_for_hits(hits: list[Any]) -> dict[str, citation.Citation]:
    """passage_id -> citation, for every hit of a results page (a further passage of a hit's
    document is cited from its own page)."""
    library, registry, base = backend().library(), backend().registry(), base_url()
    records = (library.passage_record(hit.passage_id) for hit in hits)
    return {r.passage_id: citation.cite(r, registry, base) for r in records if r is not None}


def citations_for_document(doc: Document) -> dict[str, citation.Citation]:
    registry, base = backend().registry(), base_url()
    return {p.passage_id: citation.cite(_record(doc, p), registry, base) for p in doc.passages}


def _record(doc: Document, passage: Passage) -> PassageRecord:
    return PassageRecord(
        doc_id=doc.doc_id, passage_id=passage.passage_id, source=doc.source, title=doc.title,
        type=doc.doc_type, date=doc.date, sessions=passage.sessions or doc.sessions,
        topics=passage.topics or doc.topics, text=passage.text, speaker=passage.speaker,
        heading=passage.heading, start=passage.start,
        language=passage.language or doc.language, position=passage.position, url=doc.url,
        site=doc.site, ingested=doc.ingested)


def style_or_400(default: str = "") -> str:
    style = request.args.get("style", default) or default
    if style and style not in citation.STYLES:
        abort(400, description=f"'style' must be one of {', '.join(citation.STYLES)}, "
                               f"not {style[:40]!r}.")
    return style


# -- export -----------------------------------------------------------------------------
def export_or_400() -> export.Export:
    check_utf8(request.query_string)
    fmt = request.args.get("format", "csv") or "csv"
    if fmt not in export.FORMATS:
        abort(400, description=f"'format' must be one of {', '.join(export.FORMATS)}, "
                               f"not {fmt[:40]!r}.")
    req = replace(filters_request(drop=("format", "page", "size", "group")),
                  query=" ".join(request.args.get("q", "").split()))
    try:
        return export.export(backend().library(), req, fmt, base_url(),
                             max_rows=export.MAX_WEB_ROWS)
    except export.ExportTooLarge as exc:
        abort(400, description=str(exc))


def export_links(req: SearchRequest) -> dict[str, str]:
    """format -> URL exporting every result of the search ``req``."""
    params = ([("q", req.query)] if req.query else []) + filter_params(req)
    if req.sort != "relevance":
        params.append(("sort", req.sort))
    return {fmt: _url("research_api.export_results", params + [("format", fmt)])
            for fmt in export.FORMATS}


def tool_links(req: SearchRequest) -> dict[str, str]:
    """The trend and the concordance of the search ``req``, with its filters."""
    params = [("q", req.query)] + filter_params(req)
    return {"trend": _url("research_pages.trends_page", params),
            "kwic": _url("research_pages.kwic", params)}


def download_name(stem: str, extension: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-")[:40] or "all"
    return f"kb-{slug}.{extension}"


# -- feeds and what is new -----------------------------------------------------------------
def feed_or_400() -> str:
    check_utf8(request.query_string)
    unknown = sorted(set(request.args) - FEED_PARAMS)
    if unknown:
        raise ParamError(f"A feed takes only {', '.join(sorted(FEED_PARAMS))}; "
                         f"unknown: {', '.join(u[:40] for u in unknown[:5])}.")
    req = replace(filters_request(), query=" ".join(request.args.get("q", "").split()))
    params = ([("q", req.query)] if req.query else []) + filter_params(req)
    self_url = base_url() + _url("research_api.feed", params)
    what = f"“{req.query}”" if req.query else "everything"
    chips = ", ".join(f"{k} {v}" for k, v in filter_params(req))
    title = f"WIPO Conversation kb: passages matching {what}" + (f" ({chips})" if chips else "")
    return feed.atom_feed(backend().library(), req, self_url=self_url, base_url=base_url(),
                          title=title)


def feed_link(req: SearchRequest) -> str:
    return _url("research_api.feed",
                ([("q", req.query)] if req.query else []) + filter_params(req))


def new_data() -> dict[str, Any]:
    return feed.new_since_last_ingest(backend().library())


# -- topics and sessions ------------------------------------------------------------------
def topic_data(topic_id: str) -> dict[str, Any]:
    found = profiles.topic_profile(backend().library(), topic_id)
    if found is None:
        abort(404, description=f"There is no topic {topic_id[:200]!r}; see /topics.")
    return found


def session_data(number: int) -> dict[str, Any]:
    found = profiles.session_profile(backend().library(), number)
    if found is None:
        abort(404, description=f"There is no session {number} in the session registry or the "
                               "index.")
    found["trend_url"] = _url("research_pages.trends_page",
                              [("q", f"topic:{t['id']}") for t in found["topics"][:4]])
    return found


def _url(endpoint: str, params: list[tuple[str, str]]) -> str:
    base = url_for(endpoint)
    return f"{base}?{urlencode(params)}" if params else base


def _int_arg(name: str, default: int) -> int:
    value = request.args.get(name, "")
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ParamError(f"'{name}' must be a whole number, not {value[:40]!r}.") from None
