"""A new generation is prepared whole before a running index serves it (issue #10): the first
query after a re-ingest must cost what a warm query does, so nothing it reads is built or read
on its way, and what the previous generation had read (posting lists, word forms, records) is
there already.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import index.segment_postings
import index.writer
from index import apply_changes, open_index
from index.lock import WriteLock
from index.snapshot import prepare, warm_early
from kb.model import ChangeSet, ManifestEntry, SearchRequest
from tests.index.fixtures import changes, doc

#: The BM25 parameters of kb's ranking (index.search.Ranking).
NORMS = [("body", 2.0, 0.75), ("heading", 2.0, 0.75), ("speaker_words", 2.0, 0.75),
         ("title", 2.0, 0.75)]


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    path = tmp_path / "ix"
    apply_changes(path, changes(registry="r1"))
    return path


def _add(index_dir: Path, doc_id: str, text: str) -> None:
    added = doc(doc_id, f"Added {doc_id}", [text], date="2025-01-01")
    apply_changes(index_dir, ChangeSet(upserts=[added], manifest=[
        ManifestEntry(source=added.source, doc_id=doc_id, content_hash=f"h-{doc_id}")]))


def _segments(snap) -> list[tuple[int, int, list[int]]]:
    """(offset, records, deleted docnums) of each segment of a snapshot's generation."""
    return [(offset, sub.doc_count_all(),
             sorted(sub.deleted_docs_set) if sub.has_deletions() else [])
            for sub, offset in snap.reader.leaf_readers()]


def test_a_refreshed_generation_holds_what_its_first_query_would_build(index_dir: Path) -> None:
    with open_index(index_dir) as ix:
        ix.search(SearchRequest(query="copyright"))
        # Built by that query, on first use: the speaker facet's runs (its passages differ
        # within a document) and the body's norms (the only field the query scored).
        assert list(ix._snap._runs) == ["speaker"]
        assert list(ix._snap._norms) == [("body", 2.0, 0.75)]
        _add(index_dir, "later", "Copyright of later works by performers.")
        assert ix.refresh()
        new = ix._snap
        # Before it served: every facet's runs that grouped counting reads, every scored
        # field's norms, the passage count.
        assert list(new._runs) == ["speaker"]
        assert list(new._norms) == NORMS
        assert new.__dict__["passage_count"] == 14
        runs, norms = dict(new._runs), dict(new._norms)
        result = ix.search(SearchRequest(query="copyright performers", sessions=["9"]))
        assert result.total == 2
        # The first query built nothing: the same objects, no others.
        assert new._runs == runs and all(new._runs[k] is runs[k] for k in runs)
        assert new._norms.keys() == norms.keys()
        assert all(new._norms[k] is norms[k] for k in norms)


def test_a_follower_prepares_what_the_first_queries_build_when_it_starts(
        index_dir: Path) -> None:
    with open_index(index_dir) as ix:
        assert (list(ix._snap._runs), list(ix._snap._norms)) == ([], [])
        ix.follow(0.01)
        ix.sync(force=True)  # waits for the follower's first pass, which comes after it
        assert list(ix._snap._runs) == ["speaker"]
        assert list(ix._snap._norms) == NORMS


def test_records_of_segments_a_new_generation_keeps_are_taken_over(index_dir: Path) -> None:
    with open_index(index_dir) as ix:
        ix.search(SearchRequest(query="copyright"))
        assert ix._snap._records.keys() == [11, 5, 2, 18]
        _add(index_dir, "later", "Copyright of later works by performers.")
        assert ix.refresh()
        # The first segment is the new generation's first too, less its meta records.
        assert _segments(ix._snap) == [(0, 27, [25, 26]), (27, 5, [])]
        assert ix._snap._records.keys() == [11, 5, 2, 18]
        old = ix._snap
        before = {n: old._records.get(n) for n in [11, 5, 2, 18]}
        # Replacing "transcript" deletes its records (11 among them) from the first segment.
        replaced = doc("transcript", "Session 9 transcript", ["Copyright was discussed."],
                       doc_type="transcript", date="2024-03-13", sessions=[9])
        apply_changes(index_dir, ChangeSet(upserts=[replaced], manifest=[
            ManifestEntry(source=replaced.source, doc_id="transcript", content_hash="h2")]))
        assert ix.refresh()
        assert 11 in _segments(ix._snap)[0][2]
        assert ix._snap._records.keys() == [5, 2, 18]
        assert all(ix._snap._records.get(n) is before[n] for n in [5, 2, 18])
        hits = ix.search(SearchRequest(query="copyright")).hits
        assert [(h.doc_id, h.passage_id) for h in hits] == [
            ("transcript", "transcript-0"), ("later", "later-0"), ("output", "output-0"),
            ("training", "training-1"), ("papers", "papers-1")]


def test_no_record_is_taken_over_from_another_segment(index_dir: Path,
                                                     tmp_path: Path) -> None:
    with open_index(index_dir) as ix:
        ix.search(SearchRequest(query="copyright"))
        rebuilt = tmp_path / "rebuilt"
        apply_changes(rebuilt, changes(registry="r1"))
        with open_index(rebuilt) as other:
            # The same records at the same docnums, but in another segment (as a merge or a
            # rebuild writes one): their docnums may name other records, so none is taken.
            assert _segments(other._snap) == _segments(ix._snap) == [(0, 27, [])]
            assert other._snap.keep_records(ix._snap) == 0
            assert other._snap._records.keys() == []


def test_a_segment_kept_by_the_next_generation_is_not_scanned_for_word_forms_again(
        index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scanned: list[tuple[int, str]] = []
    scan = index.segment_postings.TermTable.prefixed

    def counting(table, start: str, limit: int) -> list[str]:
        scanned.append((len(table), start))
        return scan(table, start, limit)

    monkeypatch.setattr(index.segment_postings.TermTable, "prefixed", counting)
    with open_index(index_dir) as ix:
        assert ix.search(SearchRequest(query="copyrights")).total == 4
        assert scanned == [(80, "copyrigh")]
        _add(index_dir, "later", "Copyright of later works by performers.")
        assert ix.refresh()
        # The new generation looked up the forms of the last query words again: only its new
        # segment's terms were scanned.
        assert scanned == [(80, "copyrigh"), (5, "copyrigh")]
        assert ix._snap._variants.get(("body", "copyrights")) == ("copyright", "copyrighted")


def test_a_generation_is_warmed_while_its_writer_still_saves_it(
        index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Two segments: a list is the parts joined, kept once read (one segment gives views).
    _add(index_dir, "earlier", "Copyright of earlier works.")
    with open_index(index_dir) as ix:
        first = ix.generation
        assert ix.search(SearchRequest(query="copyright")).total == 5
        assert ix._snap._postings.keys() == [("body", "copyright"), ("body", "copyrighted")]
        with monkeypatch.context() as patch:
            # The commit and its segments' posting lists, not yet the generation's arrays.
            patch.setattr(index.writer, "prepare", lambda *_args: None)
            _add(index_dir, "later", "Copyright of later works by performers.")
        assert not list(index_dir.glob(f"kb_arrays_{first + 1}.bin"))
        ix.follow(0.01)
        with WriteLock(index_dir):  # the writer, still saving
            ix.sync(force=True)  # waits for a pass of the follower
            assert ix.generation == first
            assert ix._early is not None
            early = ix._early[2]
            assert early.reader.generation() == first + 1
            # The last query's lists and its word's forms, read on the new generation.
            assert early._postings.keys() == [("body", "copyright"), ("body", "copyrighted")]
            assert early._variants.keys() == [("body", "copyright")]
            assert [int(n) for n in early._postings.get(("body", "copyright"))[0]] == \
                [5, 11, 18, 28, 33]
            assert ix.search(SearchRequest(query="copyright")).total == 5
            ix.sync(force=True)
            assert ix._early is not None and ix._early[2] is early  # kept, not read again
        # The writer is gone without saving the arrays: the reader builds them and serves the
        # generation with what it read early.
        ix.sync(force=True)
        assert ix.generation == first + 1
        assert ix._early is None
        assert ix._snap._postings is early._postings
        assert list(ix._snap._norms) == NORMS
        assert ix.search(SearchRequest(query="copyright")).total == 6


def test_an_early_snapshot_serves_only_its_own_searcher(index_dir: Path) -> None:
    _add(index_dir, "later", "Copyright of later works by performers.")
    with open_index(index_dir) as ix, open_index(index_dir) as other:
        early = warm_early(index_dir, ix._searcher, other._snap)
        assert early is not None
        with pytest.raises(ValueError, match="another searcher"):
            prepare(index_dir, other._searcher, None, early)
        assert prepare(index_dir, ix._searcher, other._snap, early)._postings is early._postings


def test_without_posting_files_nothing_is_read_early(index_dir: Path) -> None:
    for path in index_dir.glob("kb_postings_*.bin"):
        path.unlink()
    with open_index(index_dir) as ix:
        assert ix._snap._segments is None
        assert warm_early(index_dir, ix._searcher, ix._snap) is None
