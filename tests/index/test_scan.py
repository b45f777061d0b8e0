"""index.scan: every matched passage in order and in chunks, on a searcher that a new commit
cannot pull away; the ingest stamp and the record of what the last commit changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import apply_changes, last_ingest, occurrences, open_index, scan
from kb.model import ChangeSet, SearchRequest
from tests.index.fixtures import corpus, doc


@pytest.fixture
def built(tmp_path: Path) -> Path:
    apply_changes(tmp_path, ChangeSet(upserts=corpus()))
    return tmp_path


def test_scan_reads_every_match_in_chunks_in_the_asked_order(built: Path) -> None:
    with open_index(built) as ix:
        found = scan(ix, SearchRequest(query="training"), order="date-asc", chunk=2)
        chunks = list(found.chunks)
        assert found.total == 6 and [len(c) for c in chunks] == [2, 2, 2]
        assert [r.passage_id for c in chunks for r in c] == [  # the title matches too
            "training-0", "training-1", "training-2", "transcript-0", "transcript-1",
            "transcript-2"]
        newest = [r.passage_id for r in scan(ix, SearchRequest(query="training"),
                                             order="date").records()]
        assert newest[:2] == ["transcript-0", "transcript-1"]
        ranked = list(scan(ix, SearchRequest(query="training", sessions=[9]),
                           order="relevance").records())
        assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
        limited = scan(ix, SearchRequest(query="training"), limit=2)
        assert limited.total == 6 and len(list(limited.records())) == 2
        with pytest.raises(ValueError, match="order must be one of"):
            scan(ix, SearchRequest(), order="random")


def test_a_commit_during_a_scan_does_not_disturb_it(built: Path) -> None:
    with open_index(built) as ix:
        found = scan(ix, SearchRequest(query="training"), order="date-asc", chunk=2)
        first = next(found.chunks)
        apply_changes(built, ChangeSet(deletes=["transcript"]))
        assert ix.refresh()
        rest = [r.passage_id for c in found.chunks for r in c]
        assert [r.passage_id for r in first] + rest == [
            "training-0", "training-1", "training-2", "transcript-0", "transcript-1",
            "transcript-2"]
        assert scan(ix, SearchRequest(query="training")).total == 3


def test_newest_ingest_first_and_the_last_commit_record(built: Path) -> None:
    apply_changes(built, ChangeSet(upserts=[doc("late", "Late paper", ["Training costs."],
                                                date="2019-01-01"),
                                            doc("papers", "Revised", ["Training again."],
                                                date="2020-05-21")],
                                   deletes=["metaverse"]))
    with open_index(built) as ix:
        order = [r.doc_id for r in scan(ix, SearchRequest(query="training"),
                                        order="ingest").records()]
        assert order[:2] == ["papers", "late"]  # this commit first, newest date first
        stamps = {r.doc_id: r.ingested for r in scan(ix, SearchRequest()).records()}
        assert stamps["late"] == stamps["papers"] > stamps["training"]
        last = last_ingest(ix)
        assert (last["added"], last["updated"]) == (["late"], ["papers"])
        assert last["removed"] == [{"doc_id": "metaverse", "title": "IP and the Metaverse",
                                    "source": "metaverse.txt"}]
        assert last["at"] == stamps["late"]


def test_occurrences_follow_the_index_analysis(built: Path) -> None:
    with open_index(built) as ix:
        patterns = scan(ix, SearchRequest(query='"training data" creator')).patterns
    assert [p.label for p in patterns] == ["training data", "creator"]
    text = "Creators said training the data is not training data; the creators agreed."
    # A phrase skips stop words as the index's positions do, so search matches both too.
    assert [text[a:b] for a, b in occurrences(text, "en", patterns)] == [
        "Creators", "training the data", "training data", "creators"]


def test_a_new_index_adds_every_document_and_a_rebuild_tells_updated_ones(
        tmp_path: Path) -> None:
    """A new index has nothing to look documents up in; a rebuild compares with the index it
    replaces."""
    apply_changes(tmp_path, ChangeSet(upserts=[doc("a", "A", ["One."]), doc("b", "B", ["Two."])]))
    with open_index(tmp_path) as ix:
        last = last_ingest(ix)
        assert (last["added"], last["updated"], last["removed"]) == (["a", "b"], [], [])
    apply_changes(tmp_path, ChangeSet(upserts=[doc("b", "B", ["Two again."]),
                                               doc("c", "C", ["Three."])]), rebuild=True)
    with open_index(tmp_path) as ix:
        last = last_ingest(ix)
        assert (last["added"], last["updated"]) == (["c"], ["b"])
