"""The pages in a real Chromium against a real waitress server: the flows a researcher uses,
with JavaScript on and off, and at a phone's width."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

QUERY = "training"
#: Documents matching QUERY in the fixture index, and those of them in session 9.
QUERY_TOTAL, QUERY_SESSION_9 = 4, 3
#: The speakers of the fixture transcript, as ingest names them.
TRANSCRIPT_SPEAKERS = {"Michele Woods", "Daren Tang", "Duncan Crabtree-Ireland", "Anna Kovacs"}
#: Titles of the documents of sessions 9 or 12 on synthetic media.
SYNTHETIC_TITLES = [
    "Hostile page <script>alert(1)</script> about deepfakes",
    "Summary of the Twelfth Session: IP and Synthetic Media",
    "Twelfth session, morning: live captions",
]


def _total(page: Any) -> int:
    return int(page.locator("#results-summary .total").inner_text().replace(",", ""))


def _titles(page: Any) -> list[str]:
    return page.locator(".hit-title a").all_inner_texts()


def _facet(page: Any, param: str, value: str) -> Any:
    return page.locator(f".facets a.facet-link[data-facet='{param}'][data-value='{value}']")


def _search(page: Any, base: str, query: str) -> None:
    page.goto(base + "/")
    page.get_by_role("searchbox", name="Search the WIPO Conversation").fill(query)
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"/search\?q="))


def _no_csp_violations(page: Any) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if "Content Security" in m.text
            else None)
    return messages


def test_search_then_narrow_by_one_session(page: Any, live_server: str) -> None:
    violations = _no_csp_violations(page)
    _search(page, live_server, QUERY)
    assert _total(page) == QUERY_TOTAL
    assert page.locator("#q").input_value() == QUERY
    _facet(page, "session", "9").click()
    page.wait_for_url(re.compile(r"session=9"))
    assert _total(page) == QUERY_SESSION_9
    expect(page.locator(".chip")).to_have_count(1)
    expect(page.locator(".chip")).to_contain_text("9 · Training the Machines · Mar 2024")
    expect(_facet(page, "session", "9")).to_have_attribute("aria-current", "true")
    assert violations == []


def test_two_sessions_and_a_topic_then_remove_a_chip(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/search")
    assert _total(page) == 7
    _facet(page, "session", "9").click()
    page.wait_for_url(re.compile(r"session=9"))
    assert _total(page) == 3
    _facet(page, "session", "12").click()
    page.wait_for_url(re.compile(r"session=9&session=12"))
    assert _total(page) == 6
    expect(_facet(page, "topic", "synthetic-media").locator(".facet-count")).to_have_text("3")
    _facet(page, "topic", "synthetic-media").click()
    page.wait_for_url(re.compile(r"topic=synthetic-media"))
    assert _total(page) == 3
    assert sorted(_titles(page)) == SYNTHETIC_TITLES
    expect(page.locator(".chip")).to_have_count(3)
    page.get_by_role("link", name=re.compile(r"Remove filter Session: 12 ")).click()
    page.wait_for_url(lambda url: "session=12" not in url)
    expect(page.locator(".chip")).to_have_count(2)
    assert _total(page) == 0
    expect(page.locator(".empty")).to_contain_text("without them 7 documents match")
    page.get_by_role("link", name="Search without the filters").click()
    page.wait_for_url(re.compile(r"/search$"))
    assert _total(page) == 7
    page.go_back()
    page.wait_for_url(re.compile(r"session=9&topic=synthetic-media"))
    expect(page.locator(".chip")).to_have_count(2)


def test_paginate_and_go_back(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/search?size=2")
    first_page = _titles(page)
    assert len(first_page) == 2
    expect(page.locator("#results-summary")).to_contain_text("page 1 of")
    page.get_by_role("link", name="Next →").click()
    page.wait_for_url(re.compile(r"page=2"))
    expect(page.locator(".pagination [aria-current=page]")).to_have_text("2")
    second_page = _titles(page)
    assert len(second_page) == 2 and set(second_page).isdisjoint(first_page)
    page.go_back()
    page.wait_for_url(lambda url: "page=2" not in url)
    assert _titles(page) == first_page
    page.go_forward()
    page.wait_for_url(re.compile(r"page=2"))
    assert _titles(page) == second_page


def test_open_a_document_at_the_passage_with_the_words_highlighted(
    page: Any, live_server: str
) -> None:
    violations = _no_csp_violations(page)
    page.goto(f"{live_server}/search?q=voice+clones")
    card = page.locator(".hit").first
    speaker = card.locator(".hit-meta .speaker").inner_text()
    assert speaker in TRANSCRIPT_SPEAKERS
    link = card.locator(".hit-title a")
    href = link.get_attribute("href") or ""
    passage_id = href.rsplit("#p-", 1)[1]
    link.click()
    page.wait_for_url(re.compile(r"/doc/.+#p-"))
    target = page.locator(f"#p-{passage_id}")
    expect(target).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == f"p-{passage_id}"
    marks = {m.lower() for m in target.locator("mark").all_inner_texts()}
    assert "voice" in marks and any(m.startswith("clon") for m in marks)
    expect(target.locator(".speaker")).to_have_text(speaker)
    expect(page.get_by_role("button", name="Copy link").first).to_be_visible()
    assert violations == []


def test_sort_chosen_with_the_mouse_applies_itself(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/search?q={QUERY}")
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    expect(page.locator("form.sort button")).to_be_visible()  # for keyboards
    sort = page.get_by_label("Sort by")
    sort.dispatch_event("pointerdown")
    sort.select_option("date-asc")
    page.wait_for_url(re.compile(r"sort=date-asc"))
    dates = page.locator(".hit time").evaluate_all("els => els.map(e => e.dateTime)")
    assert dates == sorted(dates)


def test_the_same_flow_without_javascript(make_page: Callable[..., Any],
                                         live_server: str) -> None:
    page = make_page(java_script_enabled=False)
    _search(page, live_server, QUERY)
    assert _total(page) == QUERY_TOTAL
    _facet(page, "session", "9").click()
    page.wait_for_url(re.compile(r"session=9"))
    assert _total(page) == QUERY_SESSION_9
    page.get_by_label("Sort by").select_option("date")
    page.locator("form.sort button").click()
    page.wait_for_url(re.compile(r"sort=date"))
    assert "session=9" in page.url
    page.get_by_role("link", name=re.compile(r"Remove filter Session: 9 ")).click()
    page.wait_for_url(lambda url: "session=9" not in url)
    assert _total(page) == QUERY_TOTAL
    expect(page.get_by_role("button", name="Copy link")).to_have_count(0)
    page.locator(".hit-title a").first.click()
    page.wait_for_url(re.compile(r"/doc/.+#p-"))
    expect(page.locator(":target mark").first).to_be_visible()


def test_phone_width_puts_facets_above_results_without_sideways_scroll(
    make_page: Callable[..., Any], live_server: str
) -> None:
    page = make_page(viewport={"width": 375, "height": 800})
    for url in (f"/search?q={QUERY}&session=9", "/sessions", "/topics", "/"):
        page.goto(live_server + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
    page.goto(f"{live_server}/search?q={QUERY}")
    facets = page.locator("aside.facets").bounding_box()
    results = page.locator("section.results").bounding_box()
    assert facets is not None and results is not None
    assert facets["y"] + facets["height"] <= results["y"]
    assert facets["width"] == results["width"]


def test_a_copied_link_to_a_passage_that_is_gone_says_so(page: Any, live_server: str) -> None:
    _search(page, live_server, QUERY)
    href = page.locator(".hit-title a").first.get_attribute("href")
    doc_path = href.split("?", 1)[0].split("#", 1)[0]
    page.goto(f"{live_server}{doc_path}#p-0123456789abcdef")
    expect(page.locator("#missing-passage")).to_be_visible()
    expect(page.locator("#missing-passage")).to_contain_text(
        "The passage you linked to is no longer in this document")
    passage_id = page.locator("section.passage").first.get_attribute("id")
    page.goto(f"{live_server}{doc_path}#{passage_id}")
    expect(page.locator("#missing-passage")).to_be_hidden()
