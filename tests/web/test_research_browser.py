"""The research tools in a real Chromium against a real waitress server: the trends chart,
sorting a concordance, copying a citation and downloading an export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect


def test_trends_chart_and_table_from_the_form(page: Any, live_server: str) -> None:
    page.goto(live_server + "/trends")
    page.get_by_label("Query 1").fill("deepfake")
    page.get_by_label("Query 2").fill('"training data"')
    page.get_by_role("button", name="Draw the trend").click()
    page.wait_for_url(re.compile(r"/trends\?q=deepfake&q=%22training"))
    chart = page.get_by_role("img", name=re.compile(r"^Passages per 1,000 by session"))
    expect(chart).to_be_visible()
    assert chart.locator("polyline").count() == 2
    assert chart.locator("g.point").count() == 24
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 120
    row = page.locator(".trend-table tbody tr").nth(11)
    assert row.locator("th, td").all_inner_texts() == ["12", "2", "2", "200.0", "1", "1",
                                                        "100.0"]
    point = chart.locator("g.point title").nth(11)
    assert point.text_content() == ("“deepfake”, session 12: 200 per 1,000 passages "
                                    "(2 of 10 passages, 2 documents)")


def test_kwic_sort_by_the_word_after(page: Any, live_server: str) -> None:
    page.goto(live_server + "/kwic")
    page.get_by_label("Word or phrase").fill("copyright")
    page.get_by_role("button", name="Show in context").click()
    page.wait_for_url(re.compile(r"/kwic\?q=copyright"))
    rights = page.locator("td.kwic-right")
    assert [t.split()[0] for t in rights.all_inner_texts()] == [
        "Conundrum”.", "concerns", "-protected", "protected.", "infrastructure.", "or"]
    page.get_by_role("link", name="Word after the match").click()
    page.wait_for_url(re.compile(r"sort=right"))
    assert [t.split()[0] for t in rights.all_inner_texts()] == [
        "concerns", "Conundrum”.", "infrastructure.", "or", "protected.", "-protected"]
    expect(page.locator(".kwic-sort strong")).to_have_text("Word after the match")
    # The matches line up: every match cell starts at the same x.
    lefts = {round(b["x"]) for b in (cell.bounding_box() for cell in
                                     page.locator("td.kwic-match").all()) if b}
    assert len(lefts) == 1


def test_cite_copies_the_citation_and_reads_without_javascript(
        make_page: Callable[..., Any], live_server: str) -> None:
    page = make_page(viewport={"width": 1280, "height": 900},
                     permissions=["clipboard-read", "clipboard-write"])
    page.goto(live_server + "/search?q=Gurry")
    hit = page.locator("li.hit").first
    hit.locator("details.cite summary").click()
    apa = hit.locator("[data-citation='apa']")
    expect(apa).to_be_visible()
    hit.get_by_role("button", name="Copy the apa citation").click()
    expect(hit.get_by_role("button", name="Copy the apa citation")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == apa.inner_text().strip()
    assert copied.startswith("World Intellectual Property Organization. (2020, July 7). WIPO "
                             "Director General Opens Virtual Conference on IP and AI [News].")
    plain = make_page(java_script_enabled=False)
    plain.goto(live_server + "/search?q=Gurry")
    plain.locator("li.hit details.cite summary").first.click()
    expect(plain.locator("li.hit [data-citation='bibtex']").first).to_contain_text(
        "@misc{kb-c64704b70b0a533d,")
    assert plain.locator("button.copy-citation").count() == 0


def test_export_link_downloads_every_result_as_csv(page: Any, live_server: str) -> None:
    page.goto(live_server + "/search?q=copyright&session=9")
    with page.expect_download() as info:
        page.locator("a[data-export='csv']").click()
    download = info.value
    assert download.suggested_filename == "kb-copyright.csv"
    with open(download.path(), encoding="utf-8") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    assert len(rows) == 5
    assert {r["sessions"] for r in rows} == {"9"}
    assert all(r["text"] and r["permalink"].startswith(live_server + "/doc/") for r in rows)


def test_research_pages_fit_a_phone_without_sideways_scroll(make_page: Callable[..., Any],
                                                             live_server: str) -> None:
    page = make_page(viewport={"width": 375, "height": 800})
    for url in ("/trends?q=deepfake&q=training", "/kwic?q=copyright", "/sessions/12",
                "/topics/synthetic-media", "/new", "/cite/c64704b70b0a533d"):
        page.goto(live_server + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
