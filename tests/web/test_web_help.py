"""The help page documents the query language, and every example on it is a working search."""

from __future__ import annotations

import re
from html import unescape

from flask.testing import FlaskClient

from web.pages import QUERY_HELP


def test_help_lists_each_example_as_a_link_to_its_search(client: FlaskClient) -> None:
    response = client.get("/help")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    links = [unescape(q) for q in re.findall(r'href="/search\?q=([^"]+)"><code>', page)]
    assert len(links) == len(QUERY_HELP) == 11
    assert '<a href="/help" aria-current="page">Help</a>' in page
    assert "<code>&#34;training data&#34;</code>" in page


def test_every_example_query_answers_without_a_parse_note(client: FlaskClient) -> None:
    for example, _ in QUERY_HELP:
        data = client.get("/api/search", query_string={"q": example}).get_json()
        assert data["notes"] == [], (example, data["notes"])
        assert data["understood"], example
