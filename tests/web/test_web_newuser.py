"""What a new user tripped over, through Flask's test client: controls for what worked only by
URL, names for further passages, the document page's links and sessions, empty sessions and
unconfirmed symbols explained, and a /healthz that reports one generation."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

import kb.search
from kb.cli import cli
from kb.registry import load_registry
from tests.web.html import doc_id as _doc_id
from tests.web.html import page_html as _html
from tests.web.html import page_text as _text

ROOT = Path(__file__).resolve().parents[2]
OVERVIEW = "002_107c567630f7e293.txt"
RECAP = "000_359018dcccf6213c.txt"


def test_a_date_range_from_the_form_filters_like_the_query_language(
        client: FlaskClient) -> None:
    html = _html(client, "/search?from=2025&to=2025")
    text = _text(html)
    assert "3 documents match the filters" in text
    assert "Searched for" not in text  # the box holds the user's words, not the date clause
    assert '<input id="from" name="from" value="2025"' in html
    assert '<input id="to" name="to" value="2025"' in html
    assert "Date: 2025" in text
    assert ('<a class="chip-remove" href="/search" aria-label="Remove filter Date: 2025">'
            in html)
    # The search box keeps the range for the next query.
    assert '<input type="hidden" name="from" value="2025">' in html
    same = client.get("/api/search?q=date:2025").get_json()
    assert client.get("/api/search?from=2025&to=2025").get_json()["total"] == same["total"] == 3
    month = _text(_html(client, "/search?q=training&from=2024-03&to=2024-03"))
    assert "3 documents match training" in month
    assert "Date: 2024-03" in month


def test_a_backwards_or_open_date_range(client: FlaskClient) -> None:
    text = _text(_html(client, "/search?from=2025&to=2024"))
    assert "The date range 2025 to 2024 was given backwards; showing 2024 to 2025." in text
    assert "Date: 2024 to 2025" in text
    assert "6 documents match the filters" in text
    assert "Date: from 2025-11" in _text(_html(client, "/search?from=2025-11"))
    assert "Date: until 2020" in _text(_html(client, "/search?to=2020"))
    response = client.get("/search?from=March")
    assert response.status_code == 400
    assert ("'from' must be a year, month or day like 2023, 2023-03 or 2023-03-13, not "
            "'March'.") in unescape(response.get_data(as_text=True))


def test_passages_or_documents_and_page_size_are_controls(client: FlaskClient) -> None:
    html = _html(client, "/search?q=training&group=flat&size=20")
    assert '<label for="group">Show</label>' in html
    assert '<option value="flat" selected>Passages</option>' in html
    assert '<option value="document">Documents</option>' in html
    assert '<option value="20" selected>20</option>' in html
    assert "8 passages match training" in _text(html)
    # An unusual size from a URL stays selected rather than silently changing.
    assert '<option value="7" selected>7</option>' in _html(client, "/search?q=training&size=7")
    # The display form carries the rest of the state, not its own fields twice.
    form = html[html.index('<form class="sort"'):html.index("</form>", html.index(
        '<form class="sort"'))]
    assert re.findall(r'type="hidden" name="(\w+)"', form) == ["q"]


def test_further_passages_are_named_by_their_first_words(client: FlaskClient) -> None:
    html = _html(client, "/search?q=training")
    more = re.findall(r'<li><a href="/doc/[^"]+">([^<]+)</a>:', html)
    assert more == [
        "Discussions at the event delved into the complexities…",
        "Since the inception of the WIPO Conversations in…",
        "Artificial Intelligence (AI) is accelerating technological progress, revolutionizing…",
        "Panelist",
    ]


def test_the_document_page_links_a_clean_permalink(client: FlaskClient) -> None:
    doc_id = _doc_id(client, OVERVIEW)
    html = _html(client, f"/doc/{doc_id}?q=training&p=f12deba14e8d8449")
    assert (f'<a class="permalink" href="http://localhost/doc/{doc_id}#p-f12deba14e8d8449" '
            'data-copy') in html
    assert "?q=" not in "".join(re.findall(r'class="permalink" href="([^"]+)"', html))
    text = _text(html)
    assert f"Permalink http://localhost/doc/{doc_id}" in text
    assert ("Source https://www.wipo.int/about-ip/en/frontier_technologies/"
            "frontier_conversation.html (original; kb's copy from 002_107c567630f7e293.txt)"
            ) in text
    assert ("Also at 001_c3a6d4861f1c4946.txt Copies of this page found under other names; kb "
            "shows them once, here.") in text
    # The copy's own original address (its sidecar's original_url) is a link.
    assert ('<a href="https://www.wipo.int/about-ip/en/frontier_technologies/'
            'frontier_conversation.html" rel="noopener noreferrer nofollow">'
            '001_c3a6d4861f1c4946.txt</a>') in html


#: A page, and a copy of it with one paragraph of its own (the page is the richer of the two).
BASE = "\n\n".join(
    f"The {n} panel of the Conversation weighed how {topic} meets intellectual property, and "
    f"which offices should act first on {topic} in the years to come." for n, topic in enumerate(
        ["synthetic voices", "training corpora", "watermarks", "licensing markets",
         "registries of rights", "collective management", "deepfake remedies", "human authorship",
         "inventorship rules", "data access"], start=1))


def test_a_copy_links_to_what_only_it_says(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("sessions.toml", "topics.toml"):
        shutil.copy(ROOT / "corpus" / name, corpus / name)
    (corpus / "page.txt").write_text(
        "Frontier notes\n\n" + BASE + "\n\nA closing summary listed every question the panels "
        "left open for the next session, from remedies to registries and data.\n\nThe "
        "organisers thanked the speakers and the audience, in the room and online.\n",
        encoding="utf-8")
    (corpus / "copy.txt").write_text(
        "Frontier notes\n\n" + BASE + "\n\nA reader added that zebra-striped watermarks "
        "were demonstrated.\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    result = CliRunner().invoke(cli, ["--corpus", str(corpus), "--index", str(index_dir),
                                      "ingest"], catch_exceptions=False)
    assert "duplicate: copy.txt (same page as page.txt)" in result.output
    from web import create_app

    library = kb.search.Library(index_dir, load_registry(corpus))
    try:
        own = create_app({"KB_LIBRARY": library, "KB_REGISTRY": library.registry,
                          "TESTING": True}).test_client()
        doc_id = _doc_id(own, "page.txt")
        [copy_passage] = [p for p in library.document(doc_id).passages
                          if p.heading.startswith("copy.txt")]
        html = _html(own, f"/doc/{doc_id}")
    finally:
        library.close()
    assert "zebra-striped" in copy_passage.text
    assert ('<span class="source">copy.txt</span> · <a class="copy-words" '
            f'href="#p-{copy_passage.passage_id}">what only this copy says</a>') in html


def test_the_document_page_links_the_original_address(client: FlaskClient,
                                                      tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    # The recap ships with a sidecar that knows no address; a researcher who finds it adds it.
    (corpus / f"{RECAP}.meta.toml").write_text(
        'type = "news"\nurl = "https://www.wipo.int/about-ip/en/frontier_technologies/news/2024/'
        'news_0005.html"\n', encoding="utf-8")
    index_dir = tmp_path / "index"
    CliRunner().invoke(cli, ["--corpus", str(corpus), "--index", str(index_dir), "ingest"],
                       catch_exceptions=False)
    from web import create_app

    library = kb.search.Library(index_dir, load_registry(corpus))
    try:
        app = create_app({"KB_LIBRARY": library, "KB_REGISTRY": library.registry,
                          "TESTING": True})
        own = app.test_client()
        html = _html(own, f"/doc/{_doc_id(own, RECAP)}")
    finally:
        library.close()
    assert ('<a href="https://www.wipo.int/about-ip/en/frontier_technologies/news/2024/'
            'news_0005.html" rel="noopener noreferrer nofollow">') in html
    assert f"(original; kb's copy from {RECAP})" in _text(html)


def test_each_passage_names_its_session_when_it_is_not_the_documents(
        client: FlaskClient) -> None:
    html = _html(client, f"/doc/{_doc_id(client, OVERVIEW)}")
    sessions = re.findall(r'<p class="passage-sessions">About (.*?)</p>', html)
    labels = [re.sub(r"<[^>]+>", "", s) for s in sessions]
    assert labels == (["9 · Training the Machines · Mar 2024"] * 3 + [
        "8 · IP and Generative AI · Sep 2023", "6 · AI inventions · Sep 2022",
        "1 · IP and AI · Sep 2019; 2 · IP and AI: Revised Issues Paper · Jul 2020; "
        "3 · IP and AI: Issues Paper, part 2 · Nov 2020",
        "7 · IP and the Metaverse · Mar 2023", "5 · Tech for IP administration · Apr 2022",
        "4 · Data beyond AI · Sep 2021"])
    # A one-session document repeats nothing.
    assert "passage-sessions" not in _html(client, f"/doc/{_doc_id(client, RECAP)}")


def test_the_document_page_says_which_topics_only_some_passages_have(
        client: FlaskClient) -> None:
    text = _text(_html(client, f"/doc/{_doc_id(client, OVERVIEW)}"))
    assert ("Topics Copyright Training data Generative AI Also in passages Patents and "
            "inventorship Data Metaverse and NFTs Blockchain and smart contracts IP "
            "administration and offices Creators and creative industries AI regulation and "
            "policy Innovation and SMEs Language") in text
    # The topic facet counts the page under a topic of one of its passages, as the page says.
    metaverse = client.get("/api/search?topic=metaverse-nft").get_json()
    assert [h["source"] for h in metaverse["hits"]] == [OVERVIEW]


def test_sessions_without_documents_and_unconfirmed_symbols_are_explained(
        client: FlaskClient) -> None:
    html = _html(client, "/sessions")
    text = _text(html)
    assert ">0 documents<" not in html
    assert text.count("No documents yet (why?)") == 2  # sessions 10 and 11
    assert html.count('<a class="why" href="#about-counts">') == 2
    assert ("including those with no documents yet: kb has no page, transcript or paper about "
            "them in its collection.") in text
    assert ("A symbol marked (unconfirmed) follows the WIPO numbering of the series but has not "
            "been checked against a published document.") in text
    assert "WIPO/IP/CONV/GE/2/24 (unconfirmed)" in text
    assert "WIPO/IP/CONV/GE/2/25 (unconfirmed)" not in text
    session = _text(_html(client, "/sessions/10"))
    assert ("The symbol WIPO/IP/CONV/GE/2/24 follows the WIPO numbering of the series but "
            "has not been checked against a published document.") in session
    assert ("No documents about this session yet: the session is in the registry, but kb's "
            "collection has no page, transcript or paper about it.") in session


def test_healthz_right_after_an_ingest_reports_one_generation(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # However long the searcher would otherwise wait before looking for a new generation.
    monkeypatch.setattr(kb.search, "REFRESH_INTERVAL", 3600.0)
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    later = corpus / "003_c1b8a34cd238fc18.txt"
    held = later.read_bytes()
    later.unlink()

    def ingest() -> None:
        CliRunner().invoke(cli, ["--corpus", str(corpus), "--index", str(index_dir), "ingest"],
                           catch_exceptions=False)

    ingest()
    from web import create_app

    library = kb.search.Library(index_dir, load_registry(corpus))
    try:
        client = create_app({"KB_LIBRARY": library, "KB_REGISTRY": library.registry,
                             "TESTING": True}).test_client()
        before = client.get("/healthz").get_json()
        later.write_bytes(held)
        ingest()
        after = client.get("/healthz").get_json()
        newest = library.stats()
    finally:
        library.close()
    assert (before["documents"], before["passages"]) == (2, 12)
    assert (after["documents"], after["passages"]) == (3, 17)
    assert after["generation"] > before["generation"]
    assert (after["generation"], after["last_modified"]) == \
        (newest["generation"], newest["last_modified"])


def test_the_topic_facet_counts_passages_about_the_topic(client: FlaskClient) -> None:
    """In passages mode a topic counts the passages that are about it, never a passage that
    only sits in a document about it."""
    docs = client.get("/api/search?size=100").get_json()["hits"]
    tagged: dict[str, int] = {}
    for hit in docs:
        for passage in client.get(f"/api/doc/{hit['doc_id']}").get_json()["passages"]:
            for topic in passage["topics"]:
                tagged[topic] = tagged.get(topic, 0) + 1
    flat = client.get("/api/search?group=flat&size=1").get_json()["facets"]["topic"]
    assert {f["value"]: f["count"] for f in flat} == tagged
    assert (tagged["copyright"], tagged["ai-regulation"]) == (5, 6)
    about = client.get("/api/search?group=flat&topic=ai-regulation").get_json()
    assert about["total"] == 6
    assert all("ai-regulation" in h["topics"] for h in about["hits"])
