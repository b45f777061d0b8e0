"""The search page's data: the result plus the links, chips and facet blocks around it.

``run_search`` is shared with ``/api/search``, so the page and the API always answer alike.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import request, url_for

from kb.facets import value_label
from kb.model import FACETS, SearchRequest, SearchResult
from web.backend import backend
from web.links import SearchLinks
from web.params import DATE_PARAMS, PARAM_FOR_FACET, ParsedSearch, parse_search

#: Facet values shown before a "more" fold (selected values are always shown).
FACET_TOP = 12
#: Words of a passage that name it in a document's list of further matches.
LABEL_WORDS = 8


def run_search() -> tuple[ParsedSearch, SearchResult]:
    """Parse the current query string and search; a page past the end shows the last page."""
    library = backend().library()
    parsed = parse_search(request.args, request.query_string, backend().registry(),
                          held=getattr(library, "held", None))
    result = library.search_to_last(parsed.searched())
    if result.page != parsed.request.page:  # past the end: the last page is shown
        parsed.request = dataclasses.replace(parsed.request, page=result.page)
    result.notes = parsed.notes + list(result.notes)
    return parsed, result


def search_page() -> dict[str, Any]:
    """Everything the search template needs beyond the result itself."""
    parsed, result = run_search()
    req = parsed.request
    links = SearchLinks(url_for("pages.search"), canonical_params(req, parsed.dates))
    chips = _chips(req, links) + _date_chip(parsed.dates, links)
    context: dict[str, Any] = {
        "mentions_toggle": links.replace("mentions", None if req.include_mentions else "1"),
        "expand_toggle": links.replace("expand", None if not req.expand else "0"),
        "req": req,
        "result": result,
        "links": links,
        "chips": chips,
        "facets": _facet_blocks(result, links),
        "without_filters_total": None,
        "hidden": _hidden_fields(req, parsed.dates),
        "dates": parsed.dates,
        "more_labels": _more_labels(result),
        "page_window": page_window(result.page, result.pages),
        "api_url": SearchLinks(url_for("api.search"),
                               canonical_params(req, parsed.dates)).page(req.page),
    }
    if result.total == 0 and chips:
        unfiltered = SearchRequest(query=req.query, page_size=1, group=req.group)
        context["without_filters_total"] = backend().library().search(unfiltered).total
    return context


def canonical_params(req: SearchRequest, dates: tuple[str, str] = ("", "")
                     ) -> list[tuple[str, str]]:
    """The request as query parameters in a fixed order, defaults left out: links built from
    it carry what was understood (clamped, deduplicated), not what happened to be typed."""
    params = [("q", req.query)] if req.query else []
    params += _hidden_fields(req, dates)
    if req.page > 1:
        params.append(("page", str(req.page)))
    return params


def _hidden_fields(req: SearchRequest, dates: tuple[str, str]) -> list[tuple[str, str]]:
    """The state a new query from the search box keeps: filters, dates, sort, grouping, page
    size."""
    fields = [
        (PARAM_FOR_FACET[facet], str(value))
        for facet, values in req.filters().items()
        for value in values
    ]
    fields += [(param, value) for param, value in zip(DATE_PARAMS, dates, strict=True) if value]
    defaults = SearchRequest()
    for param, value, default in (("sort", req.sort, defaults.sort),
                                  ("group", req.group, defaults.group),
                                  ("size", req.page_size, defaults.page_size)):
        if value != default:
            fields.append((param, str(value)))
    if req.include_mentions:
        fields.append(("mentions", "1"))
    if not req.expand:
        fields.append(("expand", "0"))
    return fields


def page_window(page: int, pages: int, width: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and ``width`` either side of the current one,
    with None where a run is left out."""
    shown = sorted({1, pages, *range(max(1, page - width), min(pages, page + width) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


def _chips(req: SearchRequest, links: SearchLinks) -> list[dict[str, str]]:
    chips = []
    registry = backend().registry()
    for facet, values in req.filters().items():
        param = PARAM_FOR_FACET[facet]
        for value in values:
            chips.append({
                "facet": FACETS[facet],
                "label": value_label(facet, value, registry),
                "remove": links.toggle(param, str(value)),
            })
    return chips


def _more_labels(result: SearchResult) -> dict[str, str]:
    """A name for each further matching passage of a document: its speaker, its own heading,
    else its first words. A heading that only repeats the title or the hit's own heading names
    nothing, and repeated on every line it hides which passage is which."""
    labels: dict[str, str] = {}
    library = backend().library()
    for hit in result.hits:
        for more in hit.more:
            if more.speaker:
                labels[more.passage_id] = more.speaker
            elif more.heading and more.heading not in (hit.title, hit.heading):
                labels[more.passage_id] = more.heading
            else:
                passage = library.passage(more.passage_id)
                labels[more.passage_id] = (_first_words(passage.text) if passage
                                           else f"Passage {more.position + 1}")
    return labels


def _first_words(text: str) -> str:
    words = text.split()
    return " ".join(words[:LABEL_WORDS]) + ("…" if len(words) > LABEL_WORDS else "")


def _date_chip(dates: tuple[str, str], links: SearchLinks) -> list[dict[str, str]]:
    start, end = dates
    if not (start or end):
        return []
    label = (f"{start} to {end}" if start and end and start != end else start if start == end
             else f"from {start}" if start else f"until {end}")
    return [{"facet": "Date", "label": label, "remove": links.without(*DATE_PARAMS)}]


def _facet_blocks(result: SearchResult, links: SearchLinks) -> list[dict[str, Any]]:
    """Facets in display order with a toggle link per value; values past ``FACET_TOP`` are
    folded, except selected ones, which must stay in sight to be unselected."""
    blocks = []
    for facet, label in FACETS.items():
        param = PARAM_FOR_FACET[facet]
        values = [
            {
                "value": fv.value,
                "label": fv.label,
                "count": fv.count,
                "selected": fv.selected or links.is_selected(param, fv.value),
                "url": links.toggle(param, fv.value),
            }
            for fv in result.facets.get(facet, [])
        ]
        if values:
            top = [v for i, v in enumerate(values) if i < FACET_TOP or v["selected"]]
            rest = [v for i, v in enumerate(values) if i >= FACET_TOP and not v["selected"]]
            blocks.append({"name": facet, "param": param, "label": label,
                           "top": top, "rest": rest})
    return blocks
