"""The JSON API on the fixture index: exact shapes and counts, and the same answers as the
Library that ``kb search --format json`` prints."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from index.facets import FacetCounter
from kb.model import SearchRequest
from kb.output import json_text

SEARCH_KEYS = ["query", "understood", "total", "unit", "page", "page_size", "pages",
               "suggestion", "notes", "hits", "facets", "also_searched"]
HIT_KEYS = {"doc_id", "passage_id", "source", "title", "type", "date", "sessions", "topics",
            "score", "snippet", "speaker", "heading", "start", "language", "position",
            "also_at", "more", "mentions", "recording_url"}


def _counts(data: dict[str, Any], facet: str) -> dict[str, int]:
    return {v["value"]: v["count"] for v in data["facets"][facet]}


def test_search_answers_with_the_documented_shape(client: FlaskClient) -> None:
    data = client.get("/api/search?q=training").get_json()
    assert list(data) == SEARCH_KEYS
    assert set(data["hits"][0]) == HIT_KEYS
    assert list(data["facets"]) == ["session", "topic", "type", "year", "speaker", "language",
                                    "source"]
    assert (data["query"], data["total"], data["unit"], data["page"], data["pages"]) == (
        "training", 4, "documents", 1, 1)
    assert sorted(h["source"] for h in data["hits"]) == [
        "000_359018dcccf6213c.txt", "002_107c567630f7e293.txt",
        "web-fixtures/ninth_session_day2_captions.vtt", "web-fixtures/twelfth_session_summary.txt"]
    assert _counts(data, "session") == {"9": 3, "12": 1}
    assert _counts(data, "type") == {"news": 1, "session-page": 1, "summary": 1,
                                     "transcript": 1}
    assert data["facets"]["session"][0] == {
        "value": "9", "label": "9 · Training the Machines · Mar 2024", "count": 3,
        "selected": False}


def test_filters_combine_or_within_a_facet_and_and_across(client: FlaskClient) -> None:
    def total(query: str) -> int:
        return client.get(f"/api/search?{query}").get_json()["total"]

    assert total("") == 7
    assert total("session=9") == 3
    assert total("session=9&session=12") == 6
    assert total("session=9&session=12&topic=synthetic-media") == 3
    assert total("session=9&topic=synthetic-media") == 0
    assert total("type=summary&type=third-party-report") == 2
    assert total("year=2025") == 3
    assert total("lang=en&source=corpus/web-fixtures") == 4


def test_search_is_exactly_what_the_library_answers(client: FlaskClient, library: Any) -> None:
    api = client.get("/api/search?q=copyright&session=9&session=12&sort=date&size=2").get_json()
    direct = library.search(SearchRequest(query="copyright", sessions=[9, 12], sort="date",
                                          page_size=2)).to_dict()
    assert api == direct


def test_search_is_sent_as_kb_prints_it(client: FlaskClient, library: Any) -> None:
    """The answer is the Library's to_dict() written as `kb search --format json` writes it
    (UTF-8, the characters a terminal would act on escaped), without its spaces: its records
    handed to the encoder as they are make the same bytes as their dicts."""
    response = client.get("/api/search?q=copyright&size=3")
    result = library.search(SearchRequest(query="copyright", page_size=3))
    assert any(hit.more for hit in result.hits)
    assert response.data == json_text(result.to_dict(), compact=True).encode() + b"\n"
    assert "9 · Training the Machines · Mar 2024".encode() in response.data
    assert response.content_type == "application/json"


def test_flat_grouping_counts_passages(client: FlaskClient, passage_total: int) -> None:
    data = client.get("/api/search?group=flat&size=1").get_json()
    assert (data["unit"], data["total"], data["pages"]) == (
        "passages", passage_total, passage_total)
    assert passage_total > 7


def test_document_is_its_to_dict(client: FlaskClient, library: Any) -> None:
    hit = client.get("/api/search?q=hostile").get_json()["hits"][0]
    data = client.get(f"/api/doc/{hit['doc_id']}").get_json()
    assert data == library.document(hit["doc_id"]).to_dict()
    assert data["title"] == "Hostile page <script>alert(1)</script> about deepfakes"
    assert (data["type"], data["date"], data["sessions"], data["url"]) == (
        "third-party-report", "2025-11-03", [12], "javascript:alert(document.cookie)")
    assert len(data["passages"]) == 1


def test_sessions_lists_the_registry_with_counts(client: FlaskClient) -> None:
    sessions = client.get("/api/sessions").get_json()["sessions"]
    assert [s["number"] for s in sessions] == list(range(1, 13))
    assert {s["number"]: s["documents"] for s in sessions} == {
        1: 1, 2: 2, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 3, 10: 0, 11: 0, 12: 3}
    twelve = sessions[11]
    assert (twelve["label"], twelve["start"], twelve["end"], twelve["passages"]) == (
        "12 · Synthetic media · Oct 2025", "2025-10-28", "2025-10-29", 10)


def test_topics_lists_every_topic_with_counts_per_session(client: FlaskClient) -> None:
    topics = {t["id"]: t for t in client.get("/api/topics").get_json()["topics"]}
    assert len(topics) == 23
    assert (topics["synthetic-media"]["documents"], topics["synthetic-media"]["by_session"]) == (
        3, {"12": 3})
    assert (topics["copyright"]["documents"], topics["copyright"]["by_session"]) == (
        3, {"9": 2, "12": 1})
    assert (topics["trademarks"]["documents"], topics["trademarks"]["by_session"]) == (0, {})


def test_healthz_reports_generation_and_size(client: FlaskClient, passage_total: int) -> None:
    data = client.get("/healthz").get_json()
    assert {k: data[k] for k in ("status", "generation", "documents", "passages")} == {
        "status": "ok", "generation": 1, "documents": 7, "passages": passage_total}


def test_healthz_answers_without_counting_facets(client: FlaskClient, passage_total: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # A probe every second must not pay for a search: with facet counting broken, it still
    # answers from the generation's own counts, while a search (which counts facets) fails.
    def broken(*args: object, **kwargs: object) -> None:
        raise AssertionError("facets were counted")

    monkeypatch.setattr(FacetCounter, "count_all", broken)
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.get_json()
    assert {k: data[k] for k in ("status", "generation", "documents", "passages")} == {
        "status": "ok", "generation": 1, "documents": 7, "passages": passage_total}
    assert client.get("/api/search?q=training").status_code == 500


def test_healthz_opens_nothing_when_no_ingest_came(client: FlaskClient, passage_total: int,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # What a probe costs when nothing changed: no listing of the index folder, no searcher
    # opened, no generation prepared (each request looks at the folder's time, one stat).
    import index.search
    import kb.search

    client.get("/healthz")
    monkeypatch.setattr(kb.search, "REFRESH_INTERVAL", 3600.0)

    def broken(*args: object, **kwargs: object) -> None:
        raise AssertionError("the index was opened or listed again")

    monkeypatch.setattr(index.search, "open_newest_complete", broken)
    monkeypatch.setattr(index.search, "folder_state", broken)
    monkeypatch.setattr(index.search.KbIndex, "_up_to_date", broken)
    answers = [client.get("/healthz").get_json() for _ in range(5)]
    assert {(a["generation"], a["documents"], a["passages"]) for a in answers} == {
        (1, 7, passage_total)}


def test_openapi_describes_every_api_route(client: FlaskClient, app: Flask) -> None:
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") or rule.rule == "/healthz"
    }
    assert set(spec["paths"]) == routes
    params = [p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]]
    assert params == ["q", "session", "topic", "type", "year", "speaker", "lang", "source",
                      "sort", "page", "size", "group", "mentions", "expand", "from",
                      "to"]
    assert set(spec["components"]["schemas"]["SearchResult"]["properties"]) == set(SEARCH_KEYS)
    assert set(spec["components"]["schemas"]["Hit"]["properties"]) == HIT_KEYS
