"""The query string as the page's whole state: parsed, clamped, or refused with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from kb.model import SearchRequest
from kb.registry import Registry, load_registry
from web.links import SearchLinks
from web.params import ParamError, check_utf8, parse_search
from web.searching import canonical_params, page_window

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(CORPUS)


def _parse(registry: Registry, pairs: list[tuple[str, str]]):
    return parse_search(MultiDict(pairs), b"", registry)


def test_every_parameter_lands_in_the_search_request(registry: Registry) -> None:
    parsed = _parse(registry, [
        ("q", "  training   data "), ("session", "9"), ("session", "12"), ("session", "9"),
        ("topic", "copyright"), ("type", "transcript"), ("year", "2024"),
        ("speaker", "DAREN TANG"), ("lang", "en"), ("source", "corpus"), ("sort", "date"),
        ("page", "3"), ("size", "25"), ("group", "flat"), ("utm_source", "mail"),
    ])
    assert parsed.request == SearchRequest(
        query="training data", sessions=[9, 12], topics=["copyright"], types=["transcript"],
        years=[2024], speakers=["DAREN TANG"], languages=["en"], sources=["corpus"],
        sort="date", page=3, page_size=25, group="flat",
    )
    assert parsed.notes == []


def test_defaults_for_an_empty_query_string(registry: Registry) -> None:
    assert _parse(registry, []).request == SearchRequest()


@pytest.mark.parametrize(("pairs", "expected", "note"), [
    ([("page", "-1")], (1, 10), "Page -1 does not exist; showing page 1."),
    ([("page", "0")], (1, 10), "Page 0 does not exist; showing page 1."),
    ([("page", "999999")], (1000, 10), "Page 999999 does not exist; showing page 1000."),
    ([("page", "1050")], (1000, 10), "Page 1050 does not exist; showing page 1000."),
    ([("size", "1000000")], (1, 100), "1000000 results per page is out of range; showing 100."),
    ([("size", "0")], (1, 1), "0 results per page is out of range; showing 1."),
])
def test_out_of_range_numbers_are_clamped_with_a_note(
    registry: Registry, pairs: list[tuple[str, str]], expected: tuple[int, int], note: str
) -> None:
    parsed = _parse(registry, pairs)
    assert (parsed.request.page, parsed.request.page_size) == expected
    assert parsed.notes == [note]


@pytest.mark.parametrize(("pairs", "message"), [
    ([("page", "two")], "'page' must be a whole number, not 'two'."),
    ([("size", "1.5")], "'size' must be a whole number, not '1.5'."),
    ([("sort", "random")], "'sort' must be one of relevance, date, date-asc, not 'random'."),
    ([("group", "x")], "'group' must be one of document, flat, not 'x'."),
    ([("q", "a"), ("q", "b")], "'q' was given 2 different values; give it once."),
    ([("session", "99")], "There is no session '99'; the sessions are 1, 2, 3, 4, 5, 6, 7, 8, "
                          "9, 10, 11, 12."),
    ([("session", "nine")], "There is no session 'nine'; the sessions are 1, 2, 3, 4, 5, 6, 7, "
                            "8, 9, 10, 11, 12."),
    ([("topic", "astrology")], "There is no topic 'astrology'; see the list of topics at "
                               "/topics."),
    ([("type", "poem")], "'type' must be one of session-page, news, transcript, summary, paper, "
                         "report, third-party-report, page, not 'poem'."),
    ([("lang", "xx")], "'lang' must be one of en, fr, es, ru, ar, zh, und, not 'xx'."),
    ([("year", "24")], "'year' must be a four-digit year, not '24'."),
    ([("q", "x" * 100_000)], "The query is 100,000 characters long; the limit is 1,000."),
    ([("speaker", "x" * 201)], "A value of 'speaker' is longer than 200 characters."),
])
def test_meaningless_values_are_refused_with_the_reason(
    registry: Registry, pairs: list[tuple[str, str]], message: str
) -> None:
    with pytest.raises(ParamError) as raised:
        _parse(registry, pairs)
    assert raised.value.code == 400
    assert raised.value.description == message


def test_the_same_single_value_twice_is_harmless(registry: Registry) -> None:
    assert _parse(registry, [("page", "2"), ("page", "2")]).request.page == 2


def test_non_utf8_bytes_are_refused() -> None:
    check_utf8(b"q=caf%C3%A9&session=9")
    with pytest.raises(ParamError, match="The value of 'q' is not valid UTF-8 text."):
        check_utf8(b"session=9&q=caf%E9")


def test_links_toggle_facets_and_drop_the_page() -> None:
    links = SearchLinks("/search", [("q", "ai"), ("session", "9"), ("page", "3")])
    assert links.toggle("session", "12") == "/search?q=ai&session=9&session=12"
    assert links.toggle("session", "9") == "/search?q=ai"
    assert links.replace("sort", "date") == "/search?q=ai&session=9&sort=date"
    assert links.page(4) == "/search?q=ai&session=9&page=4"
    assert links.page(1) == "/search?q=ai&session=9"
    assert links.without_filters() == "/search?q=ai"
    assert links.is_selected("session", "9") and not links.is_selected("session", "12")


def test_links_encode_what_they_carry() -> None:
    links = SearchLinks("/search", [("q", 'a&b "c"')])
    assert links.toggle("speaker", "MR. X & Y") == "/search?q=a%26b+%22c%22&speaker=MR.+X+%26+Y"


@pytest.mark.parametrize(("page", "pages", "window"), [
    (1, 1, [1]),
    (1, 4, [1, 2, 3, 4]),
    (5, 10, [1, None, 3, 4, 5, 6, 7, None, 10]),
    (10, 10, [1, None, 8, 9, 10]),
])
def test_page_window(page: int, pages: int, window: list[int | None]) -> None:
    assert page_window(page, pages) == window


def test_links_start_from_the_request_as_understood() -> None:
    request = SearchRequest(query="ai", sessions=[12, 9], languages=["en"], sort="date",
                            page=2, page_size=1)
    assert canonical_params(request) == [
        ("q", "ai"), ("session", "12"), ("session", "9"), ("lang", "en"), ("sort", "date"),
        ("size", "1"), ("page", "2")]
    assert canonical_params(SearchRequest()) == []
