"""Reading pages as a reader does, for the tests that go through Flask's test client."""

from __future__ import annotations

import re
from html import unescape

from flask.testing import FlaskClient


def page_html(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def page_text(html: str) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, whitespace collapsed."""
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return re.sub(r" ([,.;:?)])", r"\1", text)


def doc_id(client: FlaskClient, source: str) -> str:
    hits = client.get("/api/search?size=100").get_json()["hits"]
    return next(h["doc_id"] for h in hits if h["source"] == source)
