"""Hostile queries: every one gets an answer (results, none, or a note), never an exception."""

from __future__ import annotations

import pytest

from index import KbIndex
from kb.model import SearchRequest

ALL_DOCUMENTS = 6
NO_WORDS = "The query has no words to search for; everything is listed instead."


@pytest.mark.parametrize(("query", "total", "note"), [
    ("", ALL_DOCUMENTS, None),
    ("   \t\n ", ALL_DOCUMENTS, None),
    ("AND OR NOT", ALL_DOCUMENTS, NO_WORDS),
    ("*", ALL_DOCUMENTS, NO_WORDS),
    ("- ( ) -", ALL_DOCUMENTS, NO_WORDS),
    ('"training data', 2, "A quotation mark was not closed — searched for the words instead."),
    ("(copyright OR metaverse", 5,
     "A parenthesis was not closed — searched for the words instead."),
    ("copyright)", 4, "A closing parenthesis had no opening one — searched for the words instead."),
    ("the of and", 0,
     "The query has only very common words, which are not indexed; add a more specific word."),
    ("foo:copyright", 4, "There is no field 'foo:'; it was read as a word."),
    ("date:yesterday copyright", 4, "'yesterday' is not a date or range like 2023..2024; ignored."),
    ("\x00\x07copy\u200bright\x1b", 4, None),
    ("حقوق المؤلف", 0, None),
    ("🤖 copyright 🎉", 4, None),
    ("'; DROP TABLE passages; --", 0, None),
    ("<script>alert('x')</script>", 0, None),
    ("session:abc", 0, "No session 'abc' in the index."),
])
def test_hostile_query_is_answered(kbindex: KbIndex, query: str, total: int,
                                   note: str | None) -> None:
    result = kbindex.search(SearchRequest(query=query))
    assert result.total == total
    if note is not None:
        assert note in result.notes


def test_ten_thousand_characters(kbindex: KbIndex) -> None:
    result = kbindex.search(SearchRequest(query="copyright " * 1000))
    assert result.total == 4
    assert "The query was cut to its first 1000 characters." in result.notes
    assert "Only the first 32 words of the query were used." in result.notes


def test_html_in_query_and_text_stays_escaped(kbindex: KbIndex) -> None:
    result = kbindex.search(SearchRequest(query='<b>copyright</b> "><img src=x>'))
    assert result.total == 4
    for hit in result.hits:
        without_marks = hit.snippet.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in without_marks and ">" not in without_marks


def test_absurd_paging_is_clamped(kbindex: KbIndex) -> None:
    result = kbindex.search(SearchRequest(query="copyright", page=10**9, page_size=-5))
    assert (result.page, result.page_size, result.hits) == (1000, 1, [])
    assert result.total == 4


def test_stop_words_alone_get_no_respelling(kbindex: KbIndex) -> None:
    assert kbindex.search(SearchRequest(query="the of and")).suggestion == ""
    assert kbindex.search(SearchRequest(query="les des une")).suggestion == ""
    assert kbindex.search(SearchRequest(query="copyrigth")).suggestion == "copyright"
