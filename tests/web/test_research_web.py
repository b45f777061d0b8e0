"""The research pages and their API twins over the fixture index: exact numbers, the same
answers as the data functions, and bad input answered with a 400 or 404 that says why."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from typing import Any

import bibtexparser
import feedparser
import pytest
import rispy
from flask.testing import FlaskClient

from kb.research import export

GURRY = "c64704b70b0a533d"


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _get(client: FlaskClient, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, (url, response.get_data(as_text=True)[:500])
    return response


def test_trends_page_draws_the_chart_beside_its_table(client: FlaskClient) -> None:
    html = _get(client, "/trends?q=deepfake&q=training+data").get_data(as_text=True)
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" role="img"' in html
    assert '<title id="trend-title">Passages per 1,000 by session: “deepfake”, “training ' \
           'data”</title>' in html
    text = _text(html)
    assert "12 2 2 200.0 1 1 100.0" in text
    assert "9 0 0 0.0 3 7 875.0" in text
    assert "All 2 2 5 11" in text
    assert 'href="/api/trends.csv?q=deepfake&amp;q=training+data"' in html


def test_trends_api_csv_and_svg_agree_with_the_page(client: FlaskClient) -> None:
    data = _get(client, "/api/trends?q=deepfake&session=12&session=9").get_json()
    assert data["sessions"] == [{"number": 9, "label": "9 · Training the Machines · Mar 2024"},
                                {"number": 12, "label": "12 · Synthetic media · Oct 2025"}]
    assert data["filters"] == {"session": [12, 9]}  # as given
    assert [(p["session"], p["passages"], p["per_thousand"])
            for p in data["series"][0]["points"]] == [(9, 0, 0.0), (12, 2, 200.0)]
    response = _get(client, "/api/trends.csv?q=deepfake&session=12")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="kb-trends.csv"'
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == [
        ["query", "session", "label", "documents", "passages", "session_passages",
         "per_1000_passages"],
        ["deepfake", "12", "12 · Synthetic media · Oct 2025", "2", "2", "10", "200.0"]]
    assert _get(client, "/api/trends.svg?q=deepfake").mimetype == "image/svg+xml"


@pytest.mark.parametrize("url", ["/trends", "/api/trends"])
def test_twenty_trend_queries_are_a_400_that_says_the_limit(client: FlaskClient,
                                                             url: str) -> None:
    query = "&".join(f"q=word{i}" for i in range(20))
    body = _get(client, f"{url}?{query}", 400).get_data(as_text=True)
    assert "20 queries were given; a trend compares at most 8" in unescape(body)


def test_trend_filters_are_validated_like_search(client: FlaskClient) -> None:
    body = _get(client, "/api/trends?q=x&session=99", 400).get_json()
    assert body["error"]["detail"].startswith("There is no session '99'")
    assert _get(client, "/trends").status_code == 200


def test_kwic_page_aligns_lines_and_links_each_to_its_passage(client: FlaskClient) -> None:
    html = _get(client, "/kwic?q=copyright&sort=left").get_data(as_text=True)
    rows = re.findall(r'<td class="kwic-left"><bdi dir="ltr">(.*?)</bdi></td>\s*'
                      r'<td class="kwic-match"><a href="([^"]+)">(.*?)</a></td>', html)
    assert [unescape(left).split()[-1] for left, _, _ in rows] == [
        "address", "and", "are", "of", "the", "whether"]
    assert rows[0][1] == ("/doc/9d214c12a84ef165?q=copyright&amp;p=08f88e26464e8798"
                          "#p-08f88e26464e8798")
    text = _text(html)
    assert "6 occurrences of copyright in 7 matching passages" in text
    assert '<strong aria-current="true">Word before the match</strong>' in html
    assert 'href="/kwic?q=copyright&amp;sort=right" data-sort="right"' in html


def test_kwic_links_speakers_to_their_pages(client: FlaskClient) -> None:
    html = _get(client, "/kwic?q=consent").get_data(as_text=True)
    assert ('<a class="speaker" href="/speakers/duncan-crabtree-ireland">Duncan '
            'Crabtree-Ireland</a>') in html


def test_kwic_csv_holds_every_line(client: FlaskClient) -> None:
    response = _get(client, "/api/kwic.csv?q=%22training+data%22&sort=right")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 9 and {r["match"].lower() for r in rows} == {"training data"}
    assert rows[0]["right"] == "."
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="kb-kwic-training-data.csv"'
    data = _get(client, "/api/kwic?q=consent").get_json()
    assert (data["total_lines"], data["passages"]) == (3, 2)


@pytest.mark.parametrize("url", ["/kwic?q=the", "/api/kwic?q=the+of+and"])
def test_kwic_of_stop_words_is_a_clear_400(client: FlaskClient, url: str) -> None:
    body = unescape(_get(client, url, 400).get_data(as_text=True))
    assert "has only very common words (stop words), which are not indexed" in body


def test_citations_on_search_hits_and_document_passages(client: FlaskClient) -> None:
    html = _get(client, "/search?q=Gurry").get_data(as_text=True)
    assert html.count('<details class="cite">') == html.count('<li class="hit">') == 1
    assert f'id="cite-apa-{GURRY}" data-citation="apa">World Intellectual Property ' \
           'Organization. (2020, July 7).' in html
    doc = _get(client, "/doc/e6b121e219815efb").get_data(as_text=True)
    assert doc.count('<details class="cite">') == doc.count('<section class="passage') == 5
    assert f'href="/api/cite/{GURRY}?style=bibtex&amp;download=1" download>.bib</a>' in doc


def test_cite_api_page_and_downloads(client: FlaskClient) -> None:
    every = _get(client, f"/api/cite/{GURRY}").get_json()
    assert set(every["styles"]) == {"apa", "chicago", "bibtex", "ris"}
    assert every["original_url"] == ("https://www.wipo.int/about-wipo/en/dg_gurry/news/2020/"
                                     "news_0029.html")
    assert every["permalink"] == f"http://localhost/doc/e6b121e219815efb?p={GURRY}#p-{GURRY}"
    one = _get(client, f"/api/cite/{GURRY}?style=ris").get_json()
    assert rispy.loads(one["citation"])[0]["id"] == GURRY
    bib = _get(client, f"/api/cite/{GURRY}?style=bibtex&download=1")
    assert bib.mimetype == "application/x-bibtex"
    assert bib.headers["Content-Disposition"] == f'attachment; filename="kb-{GURRY}.bib"'
    assert bibtexparser.loads(bib.get_data(as_text=True)).entries[0]["ID"] == f"kb-{GURRY}"
    assert "Cite this passage" in _get(client, f"/cite/{GURRY}").get_data(as_text=True)
    assert _get(client, f"/api/cite/{GURRY}?style=mla", 400).get_json()["error"]["detail"] \
        == "'style' must be one of apa, chicago, bibtex, ris, not 'mla'."
    assert _get(client, "/api/cite/0000000000000000", 404).get_json()["error"]["detail"] == \
        "There is no passage with the id '0000000000000000'."
    _get(client, "/cite/0000000000000000", 404)


def test_search_page_links_every_export_with_its_filters(client: FlaskClient) -> None:
    html = _get(client, "/search?q=copyright&session=9&sort=date").get_data(as_text=True)
    assert ('href="/api/export?q=copyright&amp;session=9&amp;sort=date&amp;format=csv" '
            'download data-export="csv"') in html
    assert 'href="/feed?q=copyright&amp;session=9" type="application/atom+xml"' in html
    assert 'href="/trends?q=copyright&amp;session=9">Trend across sessions</a>' in html


def test_export_streams_every_passage_with_metadata(client: FlaskClient) -> None:
    response = client.get("/api/export?q=copyright&session=9&format=csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"] == 'attachment; filename="kb-copyright.csv"'
    assert response.headers["X-KB-Total"] == "5"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["sessions"] for r in rows] == ["9", "9", "9", "9", "9"]
    assert all(r["permalink"].startswith("http://localhost/doc/") for r in rows)
    ris = client.get("/api/export?q=copyright&session=9&format=ris").get_data(as_text=True)
    assert len(rispy.loads(ris)) == 5
    whole = client.get("/api/export?format=jsonl")
    assert whole.headers["X-KB-Total"] == "29"
    assert len(whole.get_data(as_text=True).splitlines()) == 29


def test_export_past_the_limit_or_in_an_unknown_format_is_a_400(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "MAX_WEB_ROWS", 20)
    body = _get(client, "/api/export?format=csv", 400).get_json()
    assert body["error"]["detail"].startswith("This export would hold 29 passages; the limit "
                                              "is 20.")
    assert "'format' must be one of csv, jsonl, ris, bibtex" in \
        _get(client, "/api/export?format=xlsx", 400).get_json()["error"]["detail"]


def test_feed_is_atom_and_unknown_filters_are_a_400(client: FlaskClient) -> None:
    response = _get(client, "/feed?q=deepfake&session=12")
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.get_data())
    assert parsed.bozo == 0 and len(parsed.entries) == 2
    assert parsed.feed.id == "http://localhost/feed?q=deepfake&session=12"
    assert parsed.feed.title == ("WIPO Conversation kb: passages matching “deepfake” "
                                 "(session 12)")
    assert "unknown: colour" in _get(client, "/feed?q=x&colour=red", 400).get_data(
        as_text=True)
    assert "There is no session" in unescape(_get(client, "/feed?session=99", 400).get_data(
        as_text=True))
    assert "There is no topic" in unescape(_get(client, "/feed?topic=nope", 400).get_data(
        as_text=True))


def test_new_page_lists_the_last_ingest(client: FlaskClient) -> None:
    text = _text(_get(client, "/new").get_data(as_text=True))
    assert "added 7 documents, updated 0 and removed 0" in text
    assert "Added 7 " in text and "Summary of the Twelfth Session: IP and Synthetic Media" \
        in text
    assert _get(client, "/api/new").get_json()["added_total"] == 7


def test_topics_list_links_each_topic_page(client: FlaskClient) -> None:
    html = _get(client, "/topics").get_data(as_text=True)
    assert '<a href="/topics/synthetic-media">Synthetic media and deepfakes</a>' in html


def test_topic_page_and_api(client: FlaskClient) -> None:
    html = _get(client, "/topics/synthetic-media").get_data(as_text=True)
    text = _text(html)
    assert "Synthetic media and deepfakes" in text and "3 documents, 7 passages" in text
    assert "12 3 7 700.0" in text
    assert '<a href="/speakers/michele-woods">Michele Woods</a>' in html
    assert _get(client, "/api/topics/synthetic-media").get_json()["passages"] == 7
    assert _get(client, "/topics/no-such-topic", 404).status_code == 404
    assert _get(client, "/api/topics/no-such-topic", 404).get_json()["error"]["detail"] == \
        "There is no topic 'no-such-topic'; see /topics."


def test_session_page_links_trends_and_kwic_filtered_on_it(client: FlaskClient) -> None:
    html = _get(client, "/sessions/12").get_data(as_text=True)
    assert '<input type="hidden" name="session" value="12">' in html
    assert 'formaction="/trends"' in html
    assert 'href="/kwic?q=deepfake*&amp;session=12">deepfake* in context</a>' in html
    assert ('href="/trends?q=topic%3Asynthetic-media&amp;q=topic%3Apersonality-rights&amp;'
            'q=topic%3Awatermarking&amp;q=topic%3Acontracts-licensing">') in html
    assert '<a href="/topics/synthetic-media">Synthetic media and deepfakes</a>' in html
    data = _get(client, "/api/sessions/12").get_json()
    assert (data["documents"], data["passages"], len(data["speakers"])) == (3, 10, 4)
    _get(client, "/api/sessions/99", 404)
