"""The research functions (kb.research) on the fixture corpus through the real ingest and
index, with exact expected values: trends, keyword in context, citations, exports, feeds, what
is new, and the topic and session profiles."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import bibtexparser
import feedparser
import pytest
import rispy

from kb.model import SearchRequest
from kb.research import citation, export, feed, kwic, profiles, trends
from kb.research.chart import trend_svg

BASE = "http://kb.example"
DAY = dt.date(2026, 11, 28)
GURRY = "c64704b70b0a533d"        # 003 seed, the Gurry news item (session 2)
RECAP = "08f88e26464e8798"        # 000 seed, the ninth session's recap: no original address
CRABTREE = "0bafca6f38bf91a5"     # a speaker's turn in the twelfth session's captions


# -- trends ---------------------------------------------------------------------------------
def test_trends_count_documents_passages_and_the_share_per_session(library: Any) -> None:
    result = trends.trends(library, ["deepfake", "training data", " deepfake "])
    assert result.sessions == list(range(1, 13))
    assert [s.query for s in result.series] == ["deepfake", "training data"]
    deepfake, training = result.series
    assert (deepfake.documents, deepfake.passages) == (2, 2)
    assert [(p.session, p.documents, p.passages, p.session_passages, p.per_thousand)
            for p in deepfake.points if p.passages] == [(12, 2, 2, 10, 200.0)]
    assert (training.documents, training.passages) == (5, 11)
    assert [(p.session, p.documents, p.passages, p.session_passages, p.per_thousand)
            for p in training.points if p.passages] == [
        (2, 1, 1, 6, 166.7), (4, 1, 1, 1, 1000.0), (7, 1, 1, 1, 1000.0),
        (9, 3, 7, 8, 875.0), (12, 1, 1, 10, 100.0)]
    assert result.rows()[11] == {
        "query": "deepfake", "session": 12, "label": "12 · Synthetic media · Oct 2025",
        "documents": 2, "passages": 2, "session_passages": 10, "per_1000_passages": 200.0}


def test_trend_filters_restrict_counts_and_denominators(library: Any) -> None:
    result = trends.trends(library, ["licensing"], SearchRequest(types=["transcript"],
                                                                  sessions=[9, 12]))
    assert result.sessions == [9, 12]
    assert [(p.session, p.passages, p.session_passages, p.per_thousand)
            for p in result.series[0].points] == [(9, 1, 2, 500.0), (12, 1, 8, 125.0)]
    assert result.to_dict()["filters"] == {"session": [9, 12], "type": ["transcript"]}


def test_trends_refuse_no_query_and_more_than_eight(library: Any) -> None:
    with pytest.raises(trends.TrendError, match="at least one"):
        trends.trends(library, ["  ", ""])
    with pytest.raises(trends.TrendError, match="20 queries were given; a trend compares at "
                                                "most 8"):
        trends.trends(library, [f"word{i}" for i in range(20)])
    assert len(trends.trends(library, [f"word{i}" for i in range(8)]).series) == 8


def test_the_chart_is_accessible_svg_with_every_value_described(library: Any) -> None:
    svg = trend_svg(trends.trends(library, ["deepfake", "<b>&"]))
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img" and root.get("aria-labelledby") == "trend-title trend-desc"
    assert root.find(f"{ns}title").text == "Passages per 1,000 by session: “deepfake”, “<b>&”"
    desc = root.find(f"{ns}desc").text
    assert "“deepfake” (2 passages in 2 documents): session 1: 0;" in desc
    assert "session 12: 200." in desc
    assert len(root.findall(f".//{ns}polyline")) == 2
    points = [t.text for t in root.findall(f".//{ns}g[@class='point']/{ns}title")]
    assert len(points) == 24
    assert points[11] == ("“deepfake”, session 12: 200 per 1,000 passages (2 of 10 passages, "
                          "2 documents)")
    labels = [t.text for t in root.findall(f"{ns}text")]
    assert "Session" in labels and "Passages per 1,000" in labels
    assert [str(n) for n in range(1, 13)] == [t for t in labels if t.isdigit()][-12:]


# -- keyword in context -----------------------------------------------------------------------
def _lines(result: kwic.Concordance) -> list[tuple[str, str]]:
    return [(line.match, line.passage_id) for line in result.lines]


def test_kwic_lists_every_occurrence_in_document_order(library: Any) -> None:
    result = kwic.concordance(library, SearchRequest(query="copyright"))
    assert (result.passages, result.looked_for, result.truncated) == (7, ["copyright"], False)
    assert _lines(result) == [
        ("Copyright", RECAP), ("copyright", RECAP), ("copyright", "e28d3899a28248e7"),
        ("copyright", "7cb6f6246b37fd84"), ("copyright", "a3febb766e5d497d"),
        ("copyright", "ea15bc6b6e01855f")]
    first = result.lines[1]
    assert first.left.endswith("strategy in AI development to address ")
    assert first.right.startswith(" concerns and data training bias issues.")
    assert (first.sessions, first.type, first.date) == ([9], "news", "2024-03-13")


def test_kwic_sorts_by_the_word_before_or_after(library: Any) -> None:
    left = kwic.concordance(library, SearchRequest(query="copyright"), sort="left")
    assert [line.left.split()[-1] for line in left.lines] == [
        "address", "and", "are", "of", "the", "whether"]
    right = kwic.concordance(library, SearchRequest(query="copyright"), sort="right")
    assert [line.right.split()[0] for line in right.lines] == [
        "concerns", "Conundrum”.", "infrastructure.", "or", "protected.", "-protected"]


def test_kwic_uses_the_index_analysis_stems_and_phrases(library: Any) -> None:
    stems = kwic.concordance(library, SearchRequest(query="protect"))
    assert [line.match for line in stems.lines] == ["protection", "protected", "protected",
                                                    "protected"]
    phrase = kwic.concordance(library, SearchRequest(query='"training data"'), sort="right")
    assert {line.match.lower() for line in phrase.lines} == {"training data"}
    assert len(phrase.lines) == 9 and phrase.passages == 6
    filtered = kwic.concordance(library, SearchRequest(query="consent", speakers=[
        "Duncan Crabtree-Ireland"]))
    assert _lines(filtered) == [("consent", CRABTREE), ("consent", CRABTREE)]
    assert filtered.lines[0].speaker == "Duncan Crabtree-Ireland"
    missing = kwic.concordance(library, SearchRequest(query="licence"))
    assert (missing.lines, missing.passages) == ([], 0)


def test_kwic_of_stop_words_is_refused_with_a_reason(library: Any) -> None:
    with pytest.raises(kwic.KwicError, match="“the of” has only very common words"):
        kwic.concordance(library, SearchRequest(query="the of"))
    with pytest.raises(kwic.KwicError, match="Give a word"):
        kwic.concordance(library, SearchRequest(query=""))
    with pytest.raises(kwic.KwicError, match="'sort' must be one of"):
        kwic.concordance(library, SearchRequest(query="copyright"), sort="middle")


def test_kwic_is_bounded_and_says_so(library: Any) -> None:
    result = kwic.concordance(library, SearchRequest(query='"training data"'), max_lines=4)
    assert len(result.lines) == 4 and result.truncated
    assert result.notes[-1] == ("Only the first 4 lines are shown; narrow the search with a "
                                "filter to see the rest.")


# -- citations ---------------------------------------------------------------------------------
def _cite(library: Any, registry: Any, passage_id: str) -> citation.Citation:
    return citation.cite(library.passage_record(passage_id), registry, BASE, DAY)


def test_apa_and_chicago_of_an_organisation_page(library: Any, registry: Any) -> None:
    found = _cite(library, registry, GURRY)
    link = f"{BASE}/doc/e6b121e219815efb?p={GURRY}#p-{GURRY}"
    url = "https://www.wipo.int/about-wipo/en/dg_gurry/news/2020/news_0029.html"
    series = ("WIPO Conversation on Intellectual Property and Frontier Technologies, session 2: "
              "Intellectual Property and Artificial Intelligence: the Revised Issues Paper")
    assert found.apa() == (
        "World Intellectual Property Organization. (2020, July 7). WIPO Director General Opens "
        f"Virtual Conference on IP and AI [News]. In {series}. Retrieved November 28, 2026, "
        f"from {url} (passage: {link})")
    assert found.chicago() == (
        "World Intellectual Property Organization. “WIPO Director General Opens Virtual "
        f"Conference on IP and AI.” {series}. July 7, 2020. Accessed November 28, 2026. {url}. "
        f"Passage: {link}.")


def test_a_speaker_is_the_author_and_a_missing_address_is_not_invented(
        library: Any, registry: Any) -> None:
    turn = _cite(library, registry, CRABTREE)
    assert turn.apa().startswith("Crabtree-Ireland, D. (2025, October 28). Twelfth session, "
                                 "morning: live captions [Transcript]. In WIPO Conversation")
    assert turn.chicago().startswith("Crabtree-Ireland, Duncan. “Twelfth session, morning: "
                                     "live captions.”")
    recap = _cite(library, registry, RECAP)
    assert recap.original_url == "" and recap.organisation == ""
    assert recap.apa().startswith("9th WIPO Conversation on “Training the Machines – Bytes, "
                                  "Rights, and the Copyright Conundrum” – Recap and Highlights "
                                  "[News]. (2024, March 13). In WIPO Conversation")
    assert recap.apa().endswith(f"from {BASE}/doc/9d214c12a84ef165?p={RECAP}#p-{RECAP}")


def test_bibtex_and_ris_parse_with_their_parsers(library: Any, registry: Any) -> None:
    found = _cite(library, registry, GURRY)
    entry = bibtexparser.loads(found.bibtex()).entries[0]
    assert entry["ID"] == f"kb-{GURRY}" and entry["ENTRYTYPE"] == "misc"
    assert entry["author"] == "{World Intellectual Property Organization}"
    assert entry["title"] == "WIPO Director General Opens Virtual Conference on IP and AI"
    assert (entry["year"], entry["date"], entry["urldate"]) == ("2020", "2020-07-07",
                                                                 "2026-11-28")
    assert entry["url"] == "https://www.wipo.int/about-wipo/en/dg_gurry/news/2020/news_0029.html"
    record = rispy.loads(found.ris())[0]
    assert record["type_of_reference"] == "ELEC"
    assert record["authors"] == ["World Intellectual Property Organization"]
    assert record["title"] == "WIPO Director General Opens Virtual Conference on IP and AI"
    assert (record["year"], record["date"], record["access_date"]) == ("2020", "2020/07/07",
                                                                        "2026/11/28")
    assert record["notes"] == [f"Passage: {BASE}/doc/e6b121e219815efb?p={GURRY}#p-{GURRY}"]
    turn = bibtexparser.loads(_cite(library, registry, CRABTREE).bibtex()).entries[0]
    assert turn["author"] == "Crabtree-Ireland, Duncan"


def test_bibtex_escapes_latex_specials(library: Any, registry: Any) -> None:
    found = _cite(library, registry, GURRY)
    found.title = "Fees & 100% {of} #1 costs_x"
    entry = bibtexparser.loads(found.bibtex()).entries[0]
    assert entry["title"] == r"Fees \& 100\% (of) \#1 costs\_x"


# -- export ---------------------------------------------------------------------------------------
def test_csv_export_holds_every_passage_with_full_text(library: Any) -> None:
    result = export.export(library, SearchRequest(query="copyright"), "csv", BASE,
                           accessed=DAY)
    rows = list(csv.DictReader(io.StringIO("".join(result.blocks))))
    assert result.total == 7 and len(rows) == 7
    assert list(rows[0]) == export.COLUMNS
    by_id = {r["passage_id"]: r for r in rows}
    gurry_text = library.passage("ea15bc6b6e01855f").text
    assert by_id["ea15bc6b6e01855f"]["text"] == gurry_text
    assert by_id[RECAP]["permalink"] == f"{BASE}/doc/9d214c12a84ef165?p={RECAP}#p-{RECAP}"
    assert by_id[RECAP]["session_labels"] == "9 · Training the Machines · Mar 2024"
    assert [r["rank"] for r in rows] == [str(n) for n in range(1, 8)]


def test_jsonl_ris_and_bibtex_exports_hold_one_record_per_passage(library: Any) -> None:
    request = SearchRequest(query="consent")
    lines = "".join(export.export(library, request, "jsonl", BASE).blocks).splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["passage_id"] for r in records] == [CRABTREE, "ea15bc6b6e01855f"]
    assert records[0]["speaker"] == "Duncan Crabtree-Ireland" and records[0]["start"] is None
    ris = rispy.loads("".join(export.export(library, request, "ris", BASE).blocks))
    assert [r["id"] for r in ris] == [CRABTREE, "ea15bc6b6e01855f"]
    bib = bibtexparser.loads("".join(export.export(library, request, "bibtex", BASE).blocks))
    assert [e["ID"] for e in bib.entries] == [f"kb-{CRABTREE}", "kb-ea15bc6b6e01855f"]


def test_an_export_over_the_limit_is_refused_before_streaming(library: Any) -> None:
    with pytest.raises(export.ExportTooLarge, match="would hold 29 passages; the limit is 10"):
        export.export(library, SearchRequest(), "csv", BASE, max_rows=10)
    with pytest.raises(ValueError, match="format must be one of"):
        export.export(library, SearchRequest(), "xlsx", BASE)


def test_csv_cells_are_formula_safe() -> None:
    assert [export.formula_safe(v) for v in ("=SUM(A1)", "+1", "-2", "@x", "\tx", "plain")] \
        == ["'=SUM(A1)", "'+1", "'-2", "'@x", "'\tx", "plain"]
    assert export.csv_text([["=1+1", "ok", None, [1, 2]]]) == "'=1+1,ok,,1; 2\n"


# -- feeds and what is new -----------------------------------------------------------------
def test_the_feed_is_valid_atom_with_one_entry_per_passage(library: Any) -> None:
    xml = feed.atom_feed(library, SearchRequest(query="deepfake"), self_url=f"{BASE}/feed?q=x",
                         base_url=BASE, title="deepfake")
    parsed = feedparser.parse(xml)
    assert parsed.bozo == 0 and parsed.version == "atom10"
    assert parsed.feed.id == f"{BASE}/feed?q=x" and parsed.feed.title == "deepfake"
    assert sorted(e.id for e in parsed.entries) == ["urn:kb:passage:792056eb4d667063",
                                                    "urn:kb:passage:7f18dc1c8e48a543"]
    for entry in parsed.entries:
        assert entry.link.startswith(f"{BASE}/doc/") and entry.summary and entry.updated
    root = ET.fromstring(xml.split("\n", 1)[1])
    atom = "{http://www.w3.org/2005/Atom}"
    for element in ("id", "title", "updated", "author"):
        assert root.find(f"{atom}{element}") is not None
    for entry in root.findall(f"{atom}entry"):
        for element in ("id", "title", "updated", "link", "summary"):
            assert entry.find(f"{atom}{element}") is not None, element


def test_new_lists_what_the_fixture_ingest_added(library: Any) -> None:
    found = feed.new_since_last_ingest(library)
    assert found["recorded"] and (found["added_total"], found["updated_total"],
                                  found["removed_total"]) == (7, 0, 0)
    assert sorted(d["source"] for d in found["added"]) == [
        "000_359018dcccf6213c.txt", "002_107c567630f7e293.txt", "003_c1b8a34cd238fc18.txt",
        "web-fixtures/hostile_page.txt", "web-fixtures/ninth_session_day2_captions.vtt",
        "web-fixtures/twelfth_session_summary.txt",
        "web-fixtures/twelfth_session_transcript.txt"]


# -- profiles -------------------------------------------------------------------------------------
def test_topic_profile(library: Any) -> None:
    found = profiles.topic_profile(library, "synthetic-media")
    assert (found["documents"], found["passages"]) == (3, 7)
    assert [p for p in found["by_session"] if p["passages"]] == [
        {"session": 12, "documents": 3, "passages": 7, "per_1000_passages": 700.0}]
    assert found["key_phrases"][0] == {"phrase": "synthetic media", "documents": 2}
    assert found["speakers"] == [
        {"name": "Michele Woods", "id": "michele-woods", "passages": 3},
        {"name": "Daren Tang", "id": "daren-tang", "passages": 2},
        {"name": "Duncan Crabtree-Ireland", "id": "duncan-crabtree-ireland", "passages": 2},
        {"name": "Anna Kovacs", "id": "anna-kovacs", "passages": 1}]
    assert profiles.topic_profile(library, "no-such-topic") is None


def test_session_profile(library: Any) -> None:
    found = profiles.session_profile(library, 12)
    assert (found["documents"], found["passages"]) == (3, 10)
    assert [(t["id"], t["documents"], t["passages"], t["share_percent"])
            for t in found["topics"][:3]] == [("synthetic-media", 3, 7, 70.0),
                                               ("personality-rights", 2, 6, 60.0),
                                               ("watermarking", 2, 3, 30.0)]
    assert found["topics"][0]["signal"] == "deepfake*"
    assert profiles.session_profile(library, 99) is None
