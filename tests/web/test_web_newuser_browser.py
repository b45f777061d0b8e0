"""Keyboard and phone use in a real Chromium: how many Tabs reach the first result, a sort menu
that arrows do not submit, what a 390-pixel screen shows first, and a target passage that keeps
its heading in view."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

QUERY = "training"
PHONE = {"width": 390, "height": 844}
OVERVIEW = "002_107c567630f7e293.txt"
#: The seventh-session passage of the overview page, the first under its heading.
METAVERSE = "8e018815607e3a32"
#: The most Tabs any test will press before giving up.
MAX_TABS = 80


def _doc_id(page: Any, base: str, source: str) -> str:
    hits = page.request.get(f"{base}/api/search?size=100").json()["hits"]
    return next(h["doc_id"] for h in hits if h["source"] == source)


def _tabs_until(page: Any, selector: str) -> int:
    """Press Tab until the focused element matches ``selector``; the number of presses."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} not reached in {MAX_TABS} Tabs")


def test_three_tabs_and_enter_reach_the_first_result(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/search?q={QUERY}")
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    to_skip = _tabs_until(page, "a.skip-results")
    expect(page.get_by_role("link", name="Skip to results")).to_be_in_viewport()
    page.keyboard.press("Enter")
    to_result = _tabs_until(page, ".hit-title a")
    assert (to_skip, to_result) == (2, 1)
    first = page.locator(".hit-title a").first
    expect(first).to_be_focused()
    expect(first).to_be_in_viewport()


def test_the_filters_stay_next_in_the_tab_order(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/search?q={QUERY}")
    page.keyboard.press("/")
    _tabs_until(page, "a.skip-results")
    # Not taking the skip link leads through the filters: the panel, the date range, the
    # facet values.
    assert _tabs_until(page, "details.filters > summary") == 1
    assert _tabs_until(page, "#from") == 1
    assert _tabs_until(page, "a.facet-link") == 4  # "to", Apply, the Session summary


def test_arrow_keys_move_through_the_sort_menu_and_enter_applies(
        page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/search?q={QUERY}")
    expect(page.locator("form.sort button")).to_be_visible()
    # Record submissions instead of navigating, so a submit on ArrowDown cannot go unseen.
    page.evaluate("""() => {
        window.submits = 0;
        HTMLFormElement.prototype.submit = function () { window.submits += 1; };
        HTMLFormElement.prototype.requestSubmit = function () { window.submits += 1; };
    }""")
    page.locator("#sort").focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#sort")).to_have_value("date")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#sort")).to_have_value("date-asc")
    assert page.evaluate("window.submits") == 0
    page.keyboard.press("Enter")
    assert page.evaluate("window.submits") == 1


def test_enter_on_the_sort_menu_applies_it(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/search?q={QUERY}")
    page.locator("#sort").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sort=date"))
    expect(page.locator("#sort")).to_have_value("date")


def test_passages_and_page_size_chosen_with_the_mouse(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/search?q={QUERY}")
    group = page.get_by_label("Show")
    group.dispatch_event("pointerdown")
    group.select_option("flat")
    page.wait_for_url(re.compile(r"group=flat"))
    expect(page.locator("#results-summary")).to_contain_text("8 passages")
    page.locator("#from").fill("2025")
    page.locator("#from").press("Enter")
    page.wait_for_url(re.compile(r"from=2025"))
    assert "group=flat" in page.url
    expect(page.locator("#results-summary")).to_contain_text("1 passage")


def test_on_a_phone_the_first_result_is_on_the_first_screen(
        make_page: Callable[..., Any], live_server: str) -> None:
    page = make_page(viewport=PHONE)
    for url in (f"/search?q={QUERY}", f"/search?q={QUERY}&session=9"):
        page.goto(live_server + url)
        title = page.locator(".hit-title").first.bounding_box()
        assert title is not None
        assert title["y"] + title["height"] <= PHONE["height"], url
    # A selected filter shows as a chip above the results; the panel stays folded.
    expect(page.locator(".chip")).to_have_count(1)
    expect(page.locator("details.filters > summary")).to_have_text("Filters (1 selected)")
    filters = page.locator("details.filters")
    expect(filters).not_to_have_attribute("open", "")
    expect(page.locator("a.facet-link").first).to_be_hidden()
    page.locator("details.filters > summary").click()
    expect(page.locator("a.facet-link").first).to_be_visible()


def test_on_a_phone_the_document_text_starts_on_the_first_screen(
        make_page: Callable[..., Any], live_server: str) -> None:
    page = make_page(viewport=PHONE)
    doc_id = _doc_id(page, live_server, OVERVIEW)
    page.goto(f"{live_server}/doc/{doc_id}")
    first = page.locator(".passage p:not(.passage-sessions)").first.bounding_box()
    assert first is not None and first["y"] + first["height"] <= PHONE["height"]
    expect(page.locator(".doc-meta")).to_be_hidden()
    expect(page.locator(".doc-meta-box > summary")).to_have_text(
        "About this document: Session page · 13 Mar 2024 · sessions 1, 2, 3, 4, 5, 6, 7, 8, 9 "
        "· 9 passages")
    page.locator(".doc-meta-box > summary").click()
    expect(page.locator(".doc-meta")).to_be_visible()


def test_on_a_phone_every_topic_count_is_on_screen(
        make_page: Callable[..., Any], live_server: str) -> None:
    page = make_page(viewport=PHONE)
    page.goto(f"{live_server}/topics")
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth")
    counts = page.locator("table.topics td a")
    assert counts.count() == 28
    for box in counts.evaluate_all("els => els.map(e => e.getBoundingClientRect().right)"):
        assert box <= PHONE["width"]
    # Each count says which session it is for.
    expect(page.locator("#topic-synthetic-media td").first).to_have_text("3")
    assert page.locator("#topic-synthetic-media td").first.evaluate(
        "e => getComputedStyle(e, '::before').content") == '"All sessions: "'


def test_a_target_passage_keeps_its_heading_in_view(make_page: Callable[..., Any],
                                                     live_server: str) -> None:
    page = make_page(viewport={"width": 1280, "height": 600})
    doc_id = _doc_id(page, live_server, OVERVIEW)
    page.goto(f"{live_server}/doc/{doc_id}?p={METAVERSE}#p-{METAVERSE}")
    heading = page.get_by_role("heading", name="Intellectual Property and the Metaverse")
    box = heading.bounding_box()
    passage = page.locator(f"#p-{METAVERSE}").bounding_box()
    assert box is not None and passage is not None
    assert 0 <= box["y"] < passage["y"] < 600


def test_copy_link_copies_the_clean_permalink(make_page: Callable[..., Any],
                                              live_server: str) -> None:
    page = make_page(viewport={"width": 1280, "height": 900},
                     permissions=["clipboard-read", "clipboard-write"])
    doc_id = _doc_id(page, live_server, OVERVIEW)
    page.goto(f"{live_server}/doc/{doc_id}?q={QUERY}&p={METAVERSE}#p-{METAVERSE}")
    page.locator(f"#p-{METAVERSE}").get_by_role("button", name="Copy link").click()
    expect(page.locator(f"#p-{METAVERSE} .copy-link")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{live_server}/doc/{doc_id}#p-{METAVERSE}"
