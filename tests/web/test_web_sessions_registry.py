"""Sessions on the web: a session the index holds but the registry lacks, the mentions switch,
registry edits taken up by a running app, and links to passages that are gone."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.conftest import copy_corpus

PAGES = Path(__file__).resolve().parents[1] / "ingest" / "fixtures" / "session_pages"
SESSION_13 = (PAGES.parent / "session_13.toml").read_text(encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[FlaskClient, Path]]:
    import index
    import ingest
    from kb.registry import load_registry
    from web import create_app

    corpus = copy_corpus(tmp_path / "corpus")
    shutil.copy(PAGES / "en_s13_unregistered.txt", corpus)
    changes, _ = ingest.build_changes([corpus], {}, load_registry(corpus))
    index.apply_changes(tmp_path / "index", changes)
    app = create_app({"KB_INDEX": tmp_path / "index", "KB_CORPUS": corpus, "TESTING": True})
    yield app.test_client(), corpus
    app.extensions["kb"].library().close()


def test_an_unregistered_session_can_be_filtered_and_has_a_page(
        site: tuple[FlaskClient, Path]) -> None:
    client, _ = site
    data = client.get("/api/search?session=13").get_json()
    assert [h["source"] for h in data["hits"]] == ["en_s13_unregistered.txt"]
    page = client.get("/sessions/13")
    assert page.status_code == 200
    assert "does not list it yet" in page.get_data(as_text=True)
    assert client.get("/sessions/14").status_code == 404
    listing = client.get("/api/sessions").get_json()["sessions"]
    assert [(s["number"], s["registered"], s["documents"]) for s in listing][-2:] == [
        (12, True, 0), (13, False, 1)]


def test_the_mentions_switch_widens_the_session_filter(site: tuple[FlaskClient, Path]) -> None:
    client, _ = site
    about = client.get("/api/search?session=1").get_json()
    both = client.get("/api/search?session=1&mentions=1").get_json()
    assert (about["total"], both["total"]) == (1, 2)
    assert client.get("/api/search?mentions=yes").status_code == 400
    html = client.get("/search?session=1").get_data(as_text=True)
    assert 'id="mentions-switch">Also count passages that mention a session</a>' in html
    assert 'href="/search?session=1&amp;mentions=1" id="mentions-switch"' in html


def test_a_registry_edit_reaches_the_running_app(site: tuple[FlaskClient, Path]) -> None:
    client, corpus = site
    before = client.get("/api/search?session=13").get_json()["facets"]["session"]
    assert [v["label"] for v in before if v["value"] == "13"] == ["Session 13"]
    registry = corpus / "sessions.toml"
    registry.write_text(registry.read_text(encoding="utf-8") + SESSION_13, encoding="utf-8")
    later = time.time() + 5  # the app checks the file's stamp, not the clock: move it on
    os.utime(registry, (later, later))
    time.sleep(1.1)  # the registry is looked at again at most once a second
    after = client.get("/api/search?session=13").get_json()["facets"]["session"]
    assert [v["label"] for v in after if v["value"] == "13"] == ["13 · Quantum · Apr 2026"]
    assert "Quantum Technologies and Intellectual Property" in client.get(
        "/sessions/13").get_data(as_text=True)


def test_a_link_to_a_passage_that_is_gone_opens_its_document_with_a_note(
        site: tuple[FlaskClient, Path]) -> None:
    client, _ = site
    hit = client.get("/api/search?q=Gurry").get_json()["hits"][0]
    gone = client.get(f"/doc/{hit['doc_id']}?p=0123456789abcdef").get_data(as_text=True)
    assert ("The passage you linked to (0123456789abcdef) is no longer in this document"
            in gone)
    live = client.get(f"/doc/{hit['doc_id']}?p={hit['passage_id']}").get_data(as_text=True)
    assert "The passage you linked to (" not in live
