"""The document page marks what the search matched, found by the index's own matcher."""

from __future__ import annotations

from flask.testing import FlaskClient

SUMMARY = "web-fixtures/twelfth_session_summary.txt"


def _doc_page(client: FlaskClient, query: str) -> str:
    hits = client.get("/api/search?size=100").get_json()["hits"]
    doc_id = next(h["doc_id"] for h in hits if h["source"] == SUMMARY)
    response = client.get(f"/doc/{doc_id}", query_string={"q": query})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_prefix_marks_the_words_it_expanded_to(client: FlaskClient) -> None:
    html = _doc_page(client, "copy*")
    assert "whether <mark>copyright</mark> or personality rights" in html


def test_words_after_not_are_not_marked(client: FlaskClient) -> None:
    html = _doc_page(client, "voice NOT copyright")
    assert "<mark>copyright</mark>" not in html
    assert "how <mark>voice</mark> models are built" in html


def test_accents_fold_as_the_index_folds_them(client: FlaskClient) -> None:
    html = _doc_page(client, "GENÈVA synthétic")
    assert "met in <mark>Geneva</mark> and online" in html
    assert "discuss <mark>synthetic</mark> media" in html
