"""Hostile corpus text renders inert, every response carries the security headers, and bad
input gets a 400 or 404 that says what was wrong: never a 500."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient

from web import create_app
from web.app import CSP

HOSTILE_QUERY = "/search?q=script+alert"


def _hostile_doc_url(client: FlaskClient) -> str:
    hits = client.get("/api/search?q=hostile").get_json()["hits"]
    return f"/doc/{hits[0]['doc_id']}?q=alert"


def test_hostile_text_is_escaped_on_the_results_page(client: FlaskClient) -> None:
    html = client.get(HOSTILE_QUERY).get_data(as_text=True)
    assert "Hostile page" in html
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;" in html


def test_hostile_text_is_escaped_on_the_document_page(client: FlaskClient) -> None:
    html = client.get(_hostile_doc_url(client)).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "onerror=alert(1)>" not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=<mark>alert</mark>(1)&gt;" in html
    assert "&lt;a href=&quot;javascript:<mark>alert</mark>(1)&quot;&gt;" in html


@pytest.mark.parametrize("url", ["/", "/search?q=ai", "/sessions", "/topics", "/api/search",
                                 "/healthz", "/doc/no-such-doc", "/static/kb.css"])
def test_every_response_sends_the_security_headers(client: FlaskClient, url: str) -> None:
    with client.get(url) as response:  # static files stream: close them
        assert response.headers["Content-Security-Policy"] == CSP
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
    assert "script-src 'self';" in CSP and "'unsafe-inline'" not in CSP


def test_no_page_carries_inline_script_or_style(client: FlaskClient) -> None:
    for url in ("/", "/search?q=training", "/sessions", "/sessions/9", "/topics",
                "/trends?q=deepfake", "/kwic?q=copyright", "/topics/copyright", "/new",
                _hostile_doc_url(client)):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html, url
        # A style attribute, not a URL parameter (citation links carry ?style=bibtex).
        assert "<style" not in html and not re.search(r"\sstyle=", html), url
        assert html.count("<script") == 1, url


@pytest.mark.parametrize(("url", "message"), [
    ("/search?page=abc", "&#39;page&#39; must be a whole number, not &#39;abc&#39;."),
    ("/search?size=big", "&#39;size&#39; must be a whole number, not &#39;big&#39;."),
    ("/search?session=99", "There is no session &#39;99&#39;"),
    ("/search?topic=astrology", "There is no topic &#39;astrology&#39;"),
    ("/search?sort=random", "&#39;sort&#39; must be one of relevance, date, date-asc"),
    ("/search?q=a&q=b", "&#39;q&#39; was given 2 different values; give it once."),
    ("/search?q=caf%E9", "The value of &#39;q&#39; is not valid UTF-8 text."),
    ("/search?q=" + "x" * 100_000, "The query is 100,000 characters long; the limit is 1,000."),
    ("/search?type=%3Cscript%3E", "not &#39;&lt;script&gt;&#39;."),
])
def test_malformed_parameters_get_a_400_page_that_says_why(
    client: FlaskClient, url: str, message: str
) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Bad Request" in html
    assert message in html
    assert "<script>" not in html


def test_api_errors_are_json(client: FlaskClient) -> None:
    response = client.get("/api/search?page=abc")
    assert response.status_code == 400
    assert response.get_json() == {"error": {
        "status": 400, "title": "Bad Request",
        "detail": "'page' must be a whole number, not 'abc'."}}
    missing = client.get("/api/doc/no-such-doc")
    assert missing.status_code == 404
    assert missing.get_json() == {"error": {
        "status": 404, "title": "Not Found",
        "detail": "There is no document with the id 'no-such-doc'."}}


@pytest.mark.parametrize("url", ["/doc/no-such-doc", "/doc/a/b/c", "/sessions/99",
                                 "/sessions/0", "/nowhere"])
def test_unknown_things_get_a_404_page(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Not Found" in response.get_data(as_text=True)


def test_out_of_range_pages_are_clamped_not_refused(client: FlaskClient) -> None:
    last = client.get("/api/search?size=2").get_json()["pages"]
    for page, shown, note in [
        ("-1", 1, "Page -1 does not exist; showing page 1."),
        ("999999", last, "Page 999999 does not exist; showing page 1000."),
    ]:
        data = client.get(f"/api/search?size=2&page={page}").get_json()
        assert data["page"] == shown
        assert data["notes"][0] == note
    data = client.get("/api/search?size=1000000").get_json()
    assert data["page_size"] == 100
    assert data["notes"][0] == "1000000 results per page is out of range; showing 100."
    html = client.get("/search?page=999999&size=2").get_data(as_text=True)
    assert f"Page 1000 is past the end; showing page {last}." in html


def test_repeated_facet_values_count_once(client: FlaskClient) -> None:
    once = client.get("/api/search?session=9").get_json()
    twice = client.get("/api/search?session=9&session=9").get_json()
    assert twice == once


def test_a_missing_index_is_a_503_that_says_what_to_do(tmp_path: Path) -> None:
    corpus = Path(__file__).resolve().parents[2] / "corpus"
    app = create_app({"KB_INDEX": tmp_path / "none", "KB_CORPUS": corpus, "TESTING": True})
    response = app.test_client().get("/api/search?q=ai")
    assert response.status_code == 503
    assert response.get_json()["error"]["detail"] == (
        f"No index at {tmp_path / 'none'}: run `kb ingest` first to build it.")


def test_the_app_picks_up_a_new_ingest_without_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index
    from kb import search
    from kb.model import ChangeSet, Document, Passage

    def doc(n: int) -> Document:
        return Document(doc_id=f"d{n}", source=f"d{n}.txt", title=f"Doc {n}", passages=[
            Passage(passage_id=f"p{n}", doc_id=f"d{n}", position=0, text=f"Text {n}.")])

    corpus = Path(__file__).resolve().parents[2] / "corpus"
    index.apply_changes(tmp_path / "ix", ChangeSet(upserts=[doc(1)]))
    monkeypatch.setattr(search, "REFRESH_INTERVAL", 0.0)
    app = create_app({"KB_INDEX": tmp_path / "ix", "KB_CORPUS": corpus, "TESTING": True})
    client = app.test_client()
    try:
        assert client.get("/healthz").get_json()["documents"] == 1
        index.apply_changes(tmp_path / "ix", ChangeSet(upserts=[doc(2)]))
        health = client.get("/healthz").get_json()
        assert (health["documents"], health["generation"]) == (2, 2)
        assert client.get("/doc/d2").status_code == 200
    finally:
        app.extensions["kb"].library().close()


def test_locations_default_to_the_environment(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_INDEX", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("KB_CORPUS", str(tmp_path / "no-corpus"))
    app = create_app({"TESTING": True})
    assert app.config["KB_INDEX"] == tmp_path / "elsewhere"
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["error"]["detail"] == (
        "The session and topic registries cannot be read: "
        f"{tmp_path / 'no-corpus' / 'sessions.toml'}: file not found")


NASTY_QUERIES = ['"', "(((", "title:", "a:b:c", "NOT", "*", "date:[2020 TO", "%00", "%E9t%E9",
                 "x" * 5000, "<script>", "AND OR NOT", "~^2", "%E2%80%AE"]


@pytest.mark.parametrize("route", ["/search", "/api/search", "/doc/no-such-doc"])
def test_no_query_string_makes_a_500(client: FlaskClient, route: str) -> None:
    statuses = set()
    for query in NASTY_QUERIES:
        for extra in ("", "&page=0", "&size=-1", "&sort=date&group=flat", "&session=9&year=2024"):
            statuses.add(client.get(f"{route}?q={query}{extra}").status_code)
    expected = {200, 400} if route != "/doc/no-such-doc" else {404}
    assert statuses == expected


def _raw_get(base: str, target: str, host: str) -> tuple[int, str | None]:
    """One request on the wire to the live waitress server, with the Host header given."""
    import http.client
    from urllib.parse import urlsplit

    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.putrequest("GET", target, skip_host=True)
        connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location")
    finally:
        connection.close()


@pytest.mark.parametrize("target, location", [
    ("/api//search?q=training+data", "/api/search?q=training+data"),
    ("/static//kb.css", "/static/kb.css"),
    ("/sessions//9", "/sessions/9"),
])
def test_redirects_stay_on_the_app_whatever_the_host_header(live_server: str, target: str,
                                                            location: str) -> None:
    assert _raw_get(live_server, target, "evil.example") == (308, location)
    assert _raw_get(live_server, target, "127.0.0.1") == (308, location)


def test_a_protocol_relative_location_is_made_a_path(app: Flask) -> None:
    """Even a redirect that names another host cannot leave the app ("//evil" would)."""
    from web.app import _relative_location

    with app.test_request_context("/"):
        for location, expected in (("http://evil.example//evil.example/x?a=1#f",
                                    "/evil.example/x?a=1#f"),
                                   ("https://evil.example", "/"),
                                   ("/search?q=a", "/search?q=a")):
            response = Response(status=308, headers={"Location": location})
            assert _relative_location(response).headers["Location"] == expected
