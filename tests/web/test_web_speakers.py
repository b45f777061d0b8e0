"""Speaker pages, their JSON API and the links to them, on the fixture index (the twelfth
session's labelled transcript and the ninth session's captions), through Flask's test client;
one flow in a real Chromium."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from .test_web_pages import CAPTIONS, _doc_id, _html, _text

#: (id, name, role, organisation, documents, passages), as /api/speakers lists them. A passage of
#: the transcript that no turn owns (its opening lines) counts for each of its speakers.
SPEAKERS = [
    ("michele-woods", "Michele Woods", "", "WIPO", 1, 5),
    ("anna-kovacs", "Anna Kovacs", "", "", 1, 2),
    ("daren-tang", "Daren Tang", "Director General of WIPO", "WIPO", 1, 2),
    ("duncan-crabtree-ireland", "Duncan Crabtree-Ireland",
     "Chief Negotiator, Screen Actors Guild-American Federation of Television and Radio Artists "
     "(SAG-AFTRA)", "SAG-AFTRA", 1, 2),
    ("chair", "Chair", "", "", 1, 1),
    ("panelist", "Panelist", "", "", 1, 1),
]


def test_api_lists_every_speaker_with_counts(client: FlaskClient) -> None:
    data = client.get("/api/speakers").get_json()
    assert [(s["id"], s["name"], s["role"], s["organisation"], s["documents"], s["passages"])
            for s in data["speakers"]] == SPEAKERS


def test_api_speaker_gives_sessions_topics_and_passages(client: FlaskClient) -> None:
    data = client.get("/api/speakers/michele-woods").get_json()
    assert (data["name"], data["passages"], data["documents"], data["page"], data["pages"]) == (
        "Michele Woods", 5, 1, 1, 1)
    assert data["sessions"] == [
        {"number": 12, "label": "12 · Synthetic media · Oct 2025", "passages": 5}]
    assert [(t["id"], t["passages"]) for t in data["topics"]] == [
        ("synthetic-media", 3), ("personality-rights", 3), ("copyright", 1),
        ("copyright-infrastructure", 1), ("watermarking", 1)]
    assert [h["speaker"] for h in data["hits"]] == ["", "Michele Woods", "Michele Woods",
                                                    "Michele Woods", "Michele Woods"]


def test_timed_passages_carry_their_moment_in_the_api(client: FlaskClient) -> None:
    data = client.get("/api/speakers/panelist").get_json()
    assert [(h["start"], h["recording_url"]) for h in data["hits"]] == [
        (62.0, "https://www.youtube.com/watch?v=wipoConv9day2&t=62")]
    hits = client.get('/api/search?q="licensing+markets"&group=flat').get_json()["hits"]
    assert [(h["speaker"], h["recording_url"]) for h in hits] == [
        ("Panelist", "https://www.youtube.com/watch?v=wipoConv9day2&t=62")]


def test_unknown_speaker_is_a_404_and_a_bad_page_a_400(client: FlaskClient) -> None:
    for url in ("/speakers/nobody", "/api/speakers/nobody", "/speakers/SPEAKER_00"):
        assert client.get(url).status_code == 404, url
    error = client.get("/api/speakers/nobody").get_json()["error"]
    assert error["detail"] == ("Nobody with the id 'nobody' speaks in the knowledge base; see "
                               "/speakers for everyone who does.")
    assert client.get("/api/speakers/chair?page=two").status_code == 400


def test_speakers_page_lists_everyone_with_links(client: FlaskClient) -> None:
    html = _html(client, "/speakers")
    rows = re.findall(r'<tr id="speaker-([^"]+)">', html)
    assert rows == [s[0] for s in SPEAKERS]
    assert ('<th scope="row"><a href="/speakers/daren-tang">Daren Tang</a></th>\n      '
            "<td>Director General of WIPO</td>") in html
    assert '<a href="/search?speaker=Michele+Woods&amp;group=flat">5</a>' in html


def test_speaker_page_shows_who_where_and_what(client: FlaskClient) -> None:
    text = _text(_html(client, "/speakers/daren-tang"))
    assert "Daren Tang Role Director General of WIPO Organisation WIPO Passages 2 in 1 document" \
        in text
    assert "Sessions 12 · Synthetic media · Oct 2025 2" in text
    html = _html(client, "/speakers/panelist")
    assert ('<a class="time moment" href="https://www.youtube.com/watch?v=wipoConv9day2&amp;t=62"'
            in html)


def test_names_in_results_and_documents_link_to_speaker_pages(client: FlaskClient) -> None:
    html = _html(client, "/search?q=voice+clones")
    assert '<a class="speaker" href="/speakers/duncan-crabtree-ireland">' \
           "Duncan Crabtree-Ireland</a>" in html
    doc = _html(client, f"/doc/{_doc_id(client, CAPTIONS)}")
    assert re.findall(r'<a class="speaker" href="(/speakers/[^"]+)">', doc) == [
        "/speakers/chair", "/speakers/panelist", "/speakers/chair", "/speakers/panelist"]
    assert '<dt>Recording</dt><dd><a class="recording" href="https://www.youtube.com/watch?v=' \
           'wipoConv9day2"' in doc
    for link in set(re.findall(r'href="(/speakers/[^"]+)"', html + doc)):
        assert client.get(link).status_code == 200, link


def test_follow_a_speaker_link_from_a_result(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/search?q=voice+clones")
    page.locator(".hit .hit-meta a.speaker").first.click()
    page.wait_for_url(f"{live_server}/speakers/duncan-crabtree-ireland")
    assert page.locator("#speaker-name").inner_text() == "Duncan Crabtree-Ireland"
    assert page.locator("dd.organisation").inner_text() == "SAG-AFTRA"
    assert page.locator(".speaker-passages .hit").count() == 2
