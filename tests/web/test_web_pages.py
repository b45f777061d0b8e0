"""Every HTML page on the fixture index, through Flask's test client: what a reader sees."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.web.html import doc_id as _doc_id
from tests.web.html import page_html as _html
from tests.web.html import page_text as _text

SUMMARY = "web-fixtures/twelfth_session_summary.txt"
HOSTILE = "web-fixtures/hostile_page.txt"
OVERVIEW = "002_107c567630f7e293.txt"
CAPTIONS = "web-fixtures/ninth_session_day2_captions.vtt"


def test_start_page_offers_a_search_examples_and_sessions(client: FlaskClient,
                                                          passage_total: int) -> None:
    html = _html(client, "/")
    text = _text(html)
    assert f"7 documents, {passage_total} passages." in text
    assert '<input id="q" name="q" type="search" value=""' in html
    assert '<a href="/search?q=training+data">training data</a>' in html
    assert html.count('href="/sessions/') == 12
    assert "12 · Synthetic media · Oct 2025 3 docs" in text
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html


def test_search_page_shows_count_query_facets_and_cards(client: FlaskClient) -> None:
    html = _html(client, "/search?q=training")
    text = _text(html)
    assert '<input id="q" name="q" type="search" value="training"' in html
    assert "4 documents match training" in text
    assert "Searched for: training" in text
    assert html.count('<li class="hit">') == 4
    assert html.count("<mark>") >= 3
    assert '<a href="/search?q=training&amp;session=9" class="facet-link"' in html
    assert "9 · Training the Machines · Mar 2024 3" in text
    assert "Also at: 001_c3a6d4861f1c4946.txt" in text
    assert 'class="chip"' not in html
    assert 'rel="next"' not in html


def test_selected_facets_become_chips_with_remove_links(client: FlaskClient) -> None:
    html = _html(client, "/search?session=9&session=12&topic=synthetic-media")
    text = _text(html)
    assert "3 documents match the filters" in text
    assert html.count('class="chip"') == 3
    assert ('<a class="chip-remove" href="/search?session=9&amp;topic=synthetic-media" '
            'aria-label="Remove filter Session: 12 · Synthetic media · Oct 2025">') in html
    assert '<a class="clear-all" href="/search">Clear all</a>' in html
    assert ('<a href="/search?session=9&amp;topic=synthetic-media" class="facet-link selected"'
            in html)
    assert '<input type="hidden" name="topic" value="synthetic-media">' in html


def test_an_empty_result_names_the_filters_and_offers_to_drop_them(client: FlaskClient) -> None:
    text = _text(_html(client, "/search?q=training&session=5"))
    assert "0 documents match training" in text
    assert ("The filters Session: 5 · Tech for IP administration · Apr 2022 left nothing; "
            "without them 4 documents match.") in text
    html = _html(client, "/search?q=training&session=5")
    assert '<a class="drop-filters" href="/search?q=training">' in html


def test_a_misspelt_query_gets_a_did_you_mean_link(client: FlaskClient) -> None:
    html = _html(client, "/search?q=trainng")
    assert 'Did you mean <a href="/search?q=training">training</a>?' in html
    assert "No documents found" in _text(html)


def test_pagination_keeps_the_rest_of_the_state(client: FlaskClient) -> None:
    html = _html(client, "/search?size=2&sort=date&page=2")
    assert "7 documents in the knowledge base · page 2 of 4" in _text(html)
    assert '<a rel="prev" href="/search?sort=date&amp;size=2">' in html
    assert '<a rel="next" href="/search?sort=date&amp;size=2&amp;page=3">' in html
    assert '<span aria-current="page" class="current">2</span>' in html
    assert '<ol class="hits" start="3" id="results"' in html


def test_date_sort_orders_cards_newest_first(client: FlaskClient) -> None:
    html = _html(client, "/search?sort=date&size=6")
    dates = re.findall(r'<span class="date"><time datetime="([\d-]+)">', html)
    assert dates == ["2025-11-10", "2025-11-03", "2025-10-28", "2024-03-14", "2024-03-13",
                     "2024-03-13"]


def test_document_page_shows_metadata_passages_anchors_and_highlights(
    client: FlaskClient
) -> None:
    doc_id = _doc_id(client, SUMMARY)
    html = _html(client, f"/doc/{doc_id}?q=voice+clones")
    text = _text(html)
    assert "Type Summary Date 10 Nov 2025 Session 12 · Synthetic media · Oct 2025" in text
    assert "← Back to results for voice clones" in text
    assert re.search(r'<section class="passage[^"]*" id="p-[0-9a-f]+"', html)
    assert "<mark>voice</mark>" in html
    assert f'class="permalink" href="http://localhost/doc/{doc_id}#p-' in html
    assert "More like this" in text
    assert f'<a href="/api/doc/{doc_id}">This document as JSON</a>' in html


def test_document_page_links_only_web_addresses(client: FlaskClient) -> None:
    html = _html(client, f"/doc/{_doc_id(client, HOSTILE)}")
    assert '<span class="source">javascript:alert(document.cookie)</span>' in html
    assert "href=\"javascript" not in html


def test_document_page_lists_the_copies_it_stands_for(client: FlaskClient) -> None:
    html = _html(client, f"/doc/{_doc_id(client, OVERVIEW)}")
    assert "Also at 001_c3a6d4861f1c4946.txt" in _text(html)


def test_sessions_page_is_a_timeline_with_counts(client: FlaskClient) -> None:
    html = _html(client, "/sessions")
    text = _text(html)
    assert html.count('<li class="timeline-item"') == 12
    assert ("28 Oct 2025 – 29 Oct 2025 12 Intellectual Property and Synthetic Media hybrid · "
            "WIPO/IP/CONV/GE/2/25 3 documents, 10 passages") in text
    assert '<a href="/search?session=12">3 documents</a>' in html
    assert text.index("Synthetic Media") < text.index("Artificial Intelligence hybrid")


def test_session_page_lists_documents_by_type_and_top_topics(client: FlaskClient) -> None:
    text = _text(_html(client, "/sessions/12"))
    assert "3 documents, 10 passages" in text
    assert "Summary 1 Summary of the Twelfth Session: IP and Synthetic Media 10 Nov 2025" in text
    assert "Third-party report 1 Hostile page <script>alert(1)</script> about deepfakes" in text
    assert ("Topic Documents Share of passages Synthetic media and deepfakes 3 70% "
            "Voice, image and likeness 2 60% Watermarking and labelling 2 30% ") in text
    assert ("Speakers Michele Woods 5 passages Anna Kovacs 2 passages Daren Tang 2 passages "
            "Duncan Crabtree-Ireland 2 passages") in text
    assert "← Session 11" in text and "Session 13" not in text


def test_topics_page_counts_documents_per_session(client: FlaskClient) -> None:
    html = _html(client, "/topics")
    assert html.count('<tr id="topic-') == 23
    heads = re.findall(r'<th scope="col"><a href="/sessions/(\d+)"', html)
    assert heads == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "12"]
    assert '<a href="/search?topic=synthetic-media&amp;session=12">3</a>' in html


def test_captions_show_speakers_and_times(client: FlaskClient) -> None:
    html = _html(client, f"/doc/{_doc_id(client, CAPTIONS)}?q=training")
    # The speaker links to their page; the time to that second of the recording.
    assert ('<p class="turn"><a class="speaker" href="/speakers/chair">Chair</a>'
            '<time class="time" datetime="PT5S">00:00:05</time> <a class="moment" '
            'href="https://www.youtube.com/watch?v=wipoConv9day2&amp;t=5" rel="noopener '
            'noreferrer nofollow" aria-label="Play the recording from 00:00:05">▶ Play from '
            'here</a></p>') in html
    assert '<time class="time" datetime="PT62S">00:01:02</time>' in html
    assert "Licensing markets for <mark>training</mark> data" in html


def test_more_like_this_names_other_documents_once_each(client: FlaskClient) -> None:
    doc_id = _doc_id(client, CAPTIONS)
    html = _html(client, f"/doc/{doc_id}")
    similar = html[html.index('id="similar-title"'):]
    linked = re.findall(r'<a href="/doc/([0-9a-f]+)\?p=', similar)
    assert linked and doc_id not in linked
    assert len(linked) == len(set(linked))


def test_a_passage_asked_for_is_marked_and_others_are_not(client: FlaskClient) -> None:
    doc_id = _doc_id(client, CAPTIONS)
    passages = client.get(f"/api/doc/{doc_id}").get_json()["passages"]
    second = passages[1]["passage_id"]
    html = _html(client, f"/doc/{doc_id}?p={second}")
    assert f'<section class="passage selected" id="p-{second}"' in html
    assert html.count("passage selected") == 1
    assert "passage selected" not in _html(client, f"/doc/{doc_id}")


def test_pages_have_landmarks_one_h1_and_unique_ids(client: FlaskClient) -> None:
    for url in ("/", "/search?q=training", "/search?q=zzzz", "/sessions", "/sessions/9",
                "/topics", f"/doc/{_doc_id(client, CAPTIONS)}?q=training", "/doc/missing"):
        html = client.get(url).get_data(as_text=True)
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), url
        assert html.count("<h1") == 1, url
        assert '<main id="main"' in html and "<header" in html and "<footer" in html, url
        assert '<html lang="en">' in html, url
        for label_for in re.findall(r'<label for="([^"]+)"', html):
            assert f'id="{label_for}"' in html, url


def test_the_results_link_to_their_json_twin(client: FlaskClient) -> None:
    html = _html(client, "/search?q=training&session=9&size=1&page=2")
    assert '<a href="/api/search?q=training&amp;session=9&amp;size=1&amp;page=2">' in html
    api = client.get("/api/search?q=training&session=9&size=1&page=2").get_json()
    assert api["page"] == 2 and api["hits"][0]["title"] in _text(html)


def test_the_count_reads_as_a_sentence(client: FlaskClient) -> None:
    assert "1 document matches hostile" in _text(_html(client, "/search?q=hostile"))
    assert "1 document matches the filters" in _text(_html(client, "/search?type=summary"))
    assert "0 documents match zzzz" in _text(_html(client, "/search?q=zzzz"))
