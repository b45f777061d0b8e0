"""Property-based query fuzzing through the search API (kb.search.Library.search) and the web
API (/api/search): whatever the query, an answer and never an exception.

Hypothesis runs derandomized with no example database, so every run tries the same examples.
"""

from __future__ import annotations

import string
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kb.model import MAX_QUERY_CHARS, SearchRequest, SearchResult

FUZZ = settings(max_examples=60, derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

_TOKENS = ["AND", "OR", "NOT", "-", "(", ")", '"', "*", "**", ":", "..", "title:", "speaker:",
           "heading:", "session:", "topic:", "type:", "lang:", "date:", "source:", "foo:",
           "date:2024..", "date:..2023-13", "copy*", "training", "data", "Gurry", "Genève",
           "voice", "a*", "x" * 300, "AND(", "NOT)", '"("', "title:(", "-(", "\u202e", "\u200f"]
_SCRIPTS = ["حقوق المؤلف", "版权", "авторское право", "ελληνικά", "עברית", "हिन्दी", "日本語の",
            "copyright", "données", "🤖", "\u0301", "ß", "İ", "ǅ", "\ufeff"]

operator_soup = st.lists(st.sampled_from(_TOKENS), max_size=80).flatmap(
    lambda tokens: st.lists(st.sampled_from([" ", "", "  "]), min_size=len(tokens),
                            max_size=len(tokens)).map(
        lambda gaps: "".join(t + g for t, g in zip(tokens, gaps, strict=True))))
nested = st.tuples(st.integers(0, 500), st.integers(0, 500), st.sampled_from(_TOKENS)).map(
    lambda t: "(" * t[0] + t[2] + ")" * t[1])
mixed_scripts = st.lists(st.sampled_from(_SCRIPTS + _TOKENS), max_size=40).map(" ".join)
punctuation = st.text(alphabet=string.punctuation + "«»“”„‘’…–—·¿¡§¶", max_size=300)
queries = st.one_of(st.text(max_size=1500), operator_soup, nested, mixed_scripts, punctuation)

MANY_TERMS = " ".join(f"term{n}" for n in range(5000))


def _check(result: SearchResult) -> None:
    assert result.total >= 0 and result.page >= 1 and len(result.hits) <= result.page_size
    for hit in result.hits:
        plain = hit.snippet.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in plain and ">" not in plain


@FUZZ
@given(query=queries, flat=st.booleans(), page=st.integers(-5, 2000))
@example(query=MANY_TERMS, flat=False, page=1)
@example(query="(" * 330 + "copyright" + ")" * 330, flat=False, page=1)
@example(query="x" * 1000, flat=False, page=1)
def test_the_search_api_answers_any_query(library: Any, query: str, flat: bool,
                                          page: int) -> None:
    result = library.search(SearchRequest(query=query, group="flat" if flat else "document",
                                          page=page))
    _check(result)


@FUZZ
@given(query=queries)
@example(query=MANY_TERMS)
@example(query="(" * 330 + "copyright" + ")" * 330)
def test_the_web_api_answers_any_query(app: Flask, query: str) -> None:
    response = app.test_client().get("/api/search", query_string={"q": query})
    data = response.get_json()
    if len(" ".join(query.split())) > MAX_QUERY_CHARS:
        assert response.status_code == 400
        assert data["error"]["status"] == 400
    else:
        assert response.status_code == 200, data
        assert data["total"] >= 0 and isinstance(data["hits"], list)


def test_deeply_nested_parentheses_are_answered_with_a_note(app: Flask) -> None:
    # Outside Hypothesis, which raises the recursion limit while it runs.
    query = "(" * 330 + "copyright" + ")" * 330
    response = app.test_client().get("/api/search", query_string={"q": query})
    assert response.status_code == 200
    assert response.get_json()["notes"] == [
        "Parentheses were nested more than 16 deep — searched for the words instead."]
