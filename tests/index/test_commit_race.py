"""Readers never read files a commit deleted: a merging commit or a rebuild under an open index."""

from __future__ import annotations

from pathlib import Path

from index import apply_changes, open_index
from index.internals import open_column_names
from index.store import open_searcher, open_whoosh
from kb.model import SearchRequest
from tests.index.fixtures import changes, corpus


def _segments(path: Path) -> set[str]:
    ix = open_whoosh(path)
    try:
        return {segment.segment_id() for segment in ix._segments()}
    finally:
        ix.close()


def _one_commit_per_document(path: Path) -> None:
    for document in corpus():
        apply_changes(path, changes([document]))


def _answers(ix: object) -> list[tuple[str, float, str]]:
    result = ix.search(SearchRequest(query="copyright", group="flat", page_size=50))
    return [(h.passage_id, h.score, h.snippet) for h in result.hits]


def test_a_searcher_opened_before_a_merging_commit_still_answers(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    _one_commit_per_document(path)
    before = _segments(path)
    ix = open_index(path)
    try:
        # Whoosh merges small segments as commits add more, and deletes the merged ones'
        # files; the open searcher has not read a stored field yet.
        for document in corpus():
            apply_changes(path, changes([document]))
            if not before & _segments(path):
                break
        assert not before & _segments(path)
        assert len(_answers(ix)) == 4
        assert [p.passage_id for p in ix.document("training").passages] == [
            "training-0", "training-1", "training-2"]
        assert ix.refresh() is True
        assert len(_answers(ix)) == 4
    finally:
        ix.close()


def test_a_searcher_opened_before_a_rebuild_still_answers(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    apply_changes(path, changes())
    ix = open_index(path)
    try:
        expected_ids = ["output-0", "papers-1", "training-1", "transcript-0"]
        apply_changes(path, changes(), rebuild=True)
        assert sorted(p for p, _, _ in _answers(ix)) == expected_ids
        assert ix.passage("metaverse-1").text == (
            "Enforcement of trademarks in the metaverse raises jurisdiction questions.")
    finally:
        ix.close()


def test_a_new_searcher_has_every_column_open(tmp_path: Path) -> None:
    """Pins the Whoosh internals open_searcher relies on (a Whoosh upgrade that renames them
    fails here, not in production)."""
    path = tmp_path / "ix"
    _one_commit_per_document(path)
    apply_changes(path, changes(corpus()[:1]))
    ix = open_whoosh(path)
    try:
        with open_searcher(ix) as searcher:
            leaves = [sub for sub, _ in searcher.reader().leaf_readers()]
            assert len(leaves) >= 1
            for sub in leaves:
                segment = sub.segment().segment_id()
                on_disk = {p.name[len(segment) + 1:-len(".col")]
                           for p in path.glob(f"{segment}.*.col")}
                assert {"_stored", "_body_len", "_title_len"} <= on_disk
                assert open_column_names(sub) == on_disk
    finally:
        ix.close()
