"""The glossary on the web: the forms searched are shown, with a switch to the words typed."""

from __future__ import annotations

import html

from flask.testing import FlaskClient

#: The web fixtures are in English: the other languages' forms could match nothing.
LLM_FORMS = ["large language model"]


def test_the_page_lists_the_forms_searched_and_links_to_the_words_typed(
        client: FlaskClient) -> None:
    page = html.unescape(client.get("/search?q=LLM").get_data(as_text=True))
    assert f"Also searched (glossary): {', '.join(LLM_FORMS)} · " in page
    assert '<a href="/search?q=LLM&expand=0">search only the words typed</a>' in page
    assert '<strong class="total">1</strong>' in page


def test_the_words_typed_only_and_the_way_back(client: FlaskClient) -> None:
    page = html.unescape(client.get("/search?q=LLM&expand=0").get_data(as_text=True))
    assert "Also searched" not in page
    assert ('Only the words typed were searched · <a href="/search?q=LLM">also search their '
            'glossary forms</a>') in page
    assert '<strong class="total">0</strong>' in page
    # A new query from the search box keeps the choice.
    assert '<input type="hidden" name="expand" value="0">' in page


def test_the_api_takes_expand_and_reports_the_forms(client: FlaskClient) -> None:
    expanded = client.get("/api/search?q=LLM").get_json()
    assert (expanded["total"], expanded["also_searched"]) == (1, LLM_FORMS)
    typed = client.get("/api/search?q=LLM&expand=0").get_json()
    assert (typed["total"], typed["also_searched"]) == (0, [])
    bad = client.get("/api/search?q=LLM&expand=yes")
    assert bad.status_code == 400
    assert bad.get_json()["error"]["detail"] == "'expand' must be 1 or 0, not 'yes'."
