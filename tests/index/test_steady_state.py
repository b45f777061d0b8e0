"""Steady state: a query asked again reads no posting list nor stored record (issue #10).

At 300,000 passages a fixed posting cache evicted lists the next queries read again. Posting
lists now come from the segments' mapped files (index.segment_postings), the few read from
Whoosh (per-record fields) are cached with a budget that grows with the corpus, and a
phrase's matches (the one query Whoosh runs, reading positions) and the records of the hits
shown are kept per generation. This counts every posting list Whoosh opens, at its two gates:
``SegmentReader.postings`` (the reader's) and ``W3TermsReader.matcher`` (the codec's, beneath
it), and every stored record read (``W3PerDocReader.stored_fields``), while a mix of queries
runs a first time and then again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from whoosh.codec.whoosh3 import W3PerDocReader, W3TermsReader
from whoosh.reading import SegmentReader

from index import KbIndex, open_index
from kb.model import SearchRequest

#: Words, stemmed forms, a phrase, a prefix, exclusions, filters of every kind, dates, sorts,
#: passages and documents, further passages per document, an empty query with a filter.
_REQUESTS = [
    SearchRequest(query="training data"),
    SearchRequest(query='"training data"'),
    SearchRequest(query='"machine learning" OR licensing', group="flat"),
    SearchRequest(query="copyright -deepfakes", sessions=[9]),
    SearchRequest(query="train*", sort="date"),
    SearchRequest(query="creators", topics=["training-data"], languages=["fr", "en"]),
    SearchRequest(query="voice performers", more_per_document=2, sort="date-asc"),
    SearchRequest(query="intelligence year:2020"),
    SearchRequest(query="", types=["transcript"]),
    SearchRequest(query="rights", speakers=["Daren Tang"], page=1, page_size=1),
]


@pytest.fixture()
def fresh(built_index: Path) -> Iterator[KbIndex]:
    """The shared test index, opened anew: nothing read yet."""
    ix = open_index(built_index)
    yield ix
    ix.close()


@pytest.fixture()
def opened(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many posting lists each of Whoosh's gates opened, from now on."""
    counts: Counter[str] = Counter()

    def counting(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return original(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(SegmentReader, "postings",
                        counting("reader", SegmentReader.postings))
    monkeypatch.setattr(W3TermsReader, "matcher", counting("codec", W3TermsReader.matcher))
    monkeypatch.setattr(W3PerDocReader, "stored_fields",
                        counting("records", W3PerDocReader.stored_fields))
    return counts


def _run_all(ix: KbIndex) -> list[tuple[int, list[str]]]:
    return [(result.total, [passage for hit in result.hits
                            for passage in [hit.passage_id, *(m.passage_id for m in hit.more)]])
            for result in (ix.search(request) for request in _REQUESTS)]


def test_a_query_asked_again_opens_no_posting_list(fresh: KbIndex,
                                                  opened: Counter[str]) -> None:
    first = _run_all(fresh)
    # The first pass opens the phrases' lists from Whoosh: "training data" and "machine
    # learning", two words each, one segment; every other list is a slice of a mapped file.
    # It reads the stored record of each passage shown, once however often it is shown.
    shown = {passage for _, passages in first for passage in passages}
    assert opened == Counter({"reader": 4, "codec": 4, "records": len(shown)})
    assert len(shown) == 9
    opened.clear()
    for _ in range(3):
        assert _run_all(fresh) == first
    assert opened == Counter()


def test_the_counters_see_a_list_read_from_whoosh(fresh: KbIndex, opened: Counter[str]) -> None:
    # The check above could pass with gates nothing goes through: reading a list the way an
    # index without its segment files does goes through both.
    from index.postings import read_postings

    ids, _ = read_postings(fresh._snap.reader, "body", "training")
    assert len(ids) == 6  # the passages that write "training" itself
    assert opened == Counter({"reader": 1, "codec": 1})
