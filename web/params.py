"""Turn a query string into a SearchRequest, or say precisely what is wrong with it.

The URL is the page's whole state and people edit, bookmark and paste URLs, so anything
out of range is clamped (with a note on the page) and anything meaningless is a 400 that names
the parameter, never an exception deeper down.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from kb.facets import DECLARED, Facet
from kb.model import MAX_PAGE, MAX_PAGE_SIZE, MAX_QUERY_CHARS, SORTS, SearchRequest
from kb.registry import Registry

#: URL parameter -> facet name, as kb.facets declares them; "lang" keeps URLs short.
FACET_PARAMS: dict[str, str] = {facet.param: facet.name for facet in DECLARED}
PARAM_FOR_FACET: dict[str, str] = {facet: param for param, facet in FACET_PARAMS.items()}
#: The URL parameters of the date range, in the order of ``ParsedSearch.dates``.
DATE_PARAMS = ("from", "to")
SINGLE_PARAMS = ("q", "sort", "page", "size", "group", "mentions", "expand", *DATE_PARAMS)
GROUPS = ("document", "flat")
#: What the search page's "Show" control offers for ``group``.
GROUP_LABELS: dict[str, str] = {"document": "Documents", "flat": "Passages"}
#: What the search page's "Per page" control offers for ``size`` (the URL takes any 1..100).
PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 10
MAX_VALUES = 50
MAX_VALUE_CHARS = 200
#: A date bound: a year, a month or a day, as the query language's ``date:`` takes them.
_DATE_BOUND = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


class ParamError(BadRequest):
    """A 400 whose description tells the user which parameter is wrong and why."""


@dataclass
class ParsedSearch:
    request: SearchRequest
    #: Human notes about clamped values, shown with the results.
    notes: list[str] = field(default_factory=list)
    #: The ``from`` and ``to`` date bounds ("" when open): a filter the form sets apart from
    #: the query, searched as the query language's ``date:from..to``.
    dates: tuple[str, str] = ("", "")

    def searched(self) -> SearchRequest:
        """The request the library runs: the query plus the date range, if any."""
        start, end = self.dates
        if not (start or end):
            return self.request
        clause = f"date:{start}..{end}" if start != end else f"date:{start}"
        query = f"{self.request.query} {clause}".strip()
        return dataclasses.replace(self.request, query=query)


def check_utf8(raw_query: bytes) -> None:
    """Reject a query string that is not UTF-8 instead of searching for replacement characters."""
    for part in raw_query.split(b"&"):
        try:
            unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            name = part.split(b"=", 1)[0].decode("ascii", "replace")
            raise ParamError(f"The value of '{name}' is not valid UTF-8 text.") from None


def parse_search(args: MultiDict[str, str], raw_query: bytes, registry: Registry,
                 held: Callable[[str], set[str]] | None = None) -> ParsedSearch:
    """:param held: facet -> the values the index holds, asked only for a session or topic the
    registry lacks: anything the index holds can be filtered by, registered or not."""
    check_utf8(raw_query)
    held = held or (lambda facet: set())
    notes: list[str] = []
    single = {name: _single(args, name) for name in SINGLE_PARAMS}
    query = " ".join((single["q"] or "").split())
    if len(query) > MAX_QUERY_CHARS:
        raise ParamError(
            f"The query is {len(query):,} characters long; the limit is {MAX_QUERY_CHARS:,}."
        )
    sort = single["sort"] or "relevance"
    if sort not in SORTS:
        raise ParamError(f"'sort' must be one of {', '.join(SORTS)}, not {sort[:40]!r}.")
    group = single["group"] or "document"
    if group not in GROUPS:
        raise ParamError(f"'group' must be one of {', '.join(GROUPS)}, not {group[:40]!r}.")
    page = _int(single["page"], "page", 1)
    size = _int(single["size"], "size", DEFAULT_PAGE_SIZE)
    if page < 1 or page > MAX_PAGE:
        notes.append(f"Page {page} does not exist; showing page {_clamp(page, 1, MAX_PAGE)}.")
        page = _clamp(page, 1, MAX_PAGE)
    if size < 1 or size > MAX_PAGE_SIZE:
        clamped = _clamp(size, 1, MAX_PAGE_SIZE)
        notes.append(f"{size} results per page is out of range; showing {clamped}.")
        size = clamped
    dates = (_date_bound(single["from"], "from"), _date_bound(single["to"], "to"))
    if dates[0] and dates[1] and dates[0] > dates[1]:
        notes.append(f"The date range {dates[0]} to {dates[1]} was given backwards; "
                     f"showing {dates[1]} to {dates[0]}.")
        dates = (dates[1], dates[0])
    facets: dict[str, Any] = {
        facet.request_field: [_facet_value(facet, v, registry, held)
                              for v in _values(args, facet.param)]
        for facet in DECLARED}
    return ParsedSearch(
        SearchRequest(
            query=query,
            **facets,
            sort=sort,
            page=page,
            page_size=size,
            group=group,
            include_mentions=_flag(single["mentions"], "mentions"),
            expand=single["expand"] in (None, "") or _flag(single["expand"], "expand"),
        ),
        notes,
        dates,
    )


def _single(args: MultiDict[str, str], name: str) -> str | None:
    values = list(dict.fromkeys(args.getlist(name)))
    if len(values) > 1:
        raise ParamError(f"'{name}' was given {len(values)} different values; give it once.")
    return values[0].strip() if values else None


def _values(args: MultiDict[str, str], name: str) -> list[str]:
    given = args.getlist(name)
    if len(given) > MAX_VALUES:
        raise ParamError(f"'{name}' was given {len(given)} values; the limit is {MAX_VALUES}.")
    values = [v.strip() for v in dict.fromkeys(given) if v.strip()]
    for value in values:
        if len(value) > MAX_VALUE_CHARS:
            raise ParamError(f"A value of '{name}' is longer than {MAX_VALUE_CHARS} characters.")
    return values


def _int(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ParamError(f"'{name}' must be a whole number, not {value[:40]!r}.") from None
    return number


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _facet_value(facet: Facet, value: str, registry: Registry,
                 held: Callable[[str], set[str]]) -> int | str:
    """One value of a facet's URL parameter, checked as the facet's kind requires."""
    if facet.kind == "session":
        return _session(value, registry, held)
    if facet.kind == "topic":
        return _topic(value, registry, held)
    if facet.kind == "choice":
        return _choice(value, facet.param, facet.choices)
    if facet.kind == "year":
        return _year(value)
    return value


def _session(value: str, registry: Registry, held: Callable[[str], set[str]]) -> int:
    if value.isdigit() and (int(value) in registry.sessions or value in held("session")):
        return int(value)
    known = ", ".join(str(n) for n in registry.sessions)
    raise ParamError(f"There is no session {value[:40]!r}; the sessions are {known}.")


def _topic(value: str, registry: Registry, held: Callable[[str], set[str]]) -> str:
    if value in registry.topics or value in held("topic"):
        return value
    raise ParamError(f"There is no topic {value[:40]!r}; see the list of topics at /topics.")


def _flag(value: str | None, name: str) -> bool:
    """A yes/no switch: absent, "0" or "" is no; "1" is yes."""
    if value in (None, "", "0"):
        return False
    if value == "1":
        return True
    raise ParamError(f"'{name}' must be 1 or 0, not {value[:40]!r}.")


def _choice(value: str, name: str, allowed: dict[str, str]) -> str:
    if value not in allowed:
        raise ParamError(f"'{name}' must be one of {', '.join(allowed)}, not {value[:40]!r}.")
    return value


def _date_bound(value: str | None, name: str) -> str:
    if not value:
        return ""
    if not _DATE_BOUND.fullmatch(value):
        raise ParamError(f"'{name}' must be a year, month or day like 2023, 2023-03 or "
                         f"2023-03-13, not {value[:40]!r}.")
    return value


def _year(value: str) -> int:
    if not (value.isdigit() and len(value) == 4):
        raise ParamError(f"'year' must be a four-digit year, not {value[:40]!r}.")
    return int(value)
