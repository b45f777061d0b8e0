"""The per-generation arrays saved at commit and memory-mapped on open (issue #10).

A new process must answer its first query from the file the writer saved, and a file of an
older format, of another index, or cut short or damaged by a torn write must be rebuilt from
the index, never read as garbage.
"""

from __future__ import annotations

import logging
import struct
import time
from pathlib import Path

import numpy as np
import pytest

import index.writer
from index import apply_changes, arrays, open_index
from index.arrays import FORMAT
from index.lock import WriteLock
from index.postings import read_postings
from index.snapshot import read_vocabulary
from index.spelling import Speller
from kb.model import ChangeSet, ManifestEntry, SearchRequest
from tests.index.fixtures import changes, doc

#: The requests whose answers must not depend on where the arrays came from.
REQUESTS = [
    SearchRequest(query="copyright"),
    SearchRequest(query="training data", group="flat"),
    SearchRequest(query="", sort="date-asc"),
    SearchRequest(query="creators", sessions=["9"]),
    SearchRequest(query="", topics=["copyright"], sort="date"),
]


def _answers(index_dir: Path) -> list[dict]:
    with open_index(index_dir) as ix:
        return [ix.search(request).to_dict() for request in REQUESTS]


def _only_file(index_dir: Path, pattern: str = "kb_arrays_*.bin") -> Path:
    found = sorted(index_dir.glob(pattern))
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    path = tmp_path / "ix"
    apply_changes(path, changes(registry="r1"))
    return path


def test_the_writer_saves_the_arrays_beside_its_generation(index_dir: Path) -> None:
    with open_index(index_dir) as ix:
        assert _only_file(index_dir).name == f"kb_arrays_{ix.generation}.bin"
        snap = ix._snap
        # Mapped from the file, not built: read-only views of the mapping.
        assert not snap.passages.flags.writeable
        assert not snap.facet_table("topic").docs.flags.writeable
        assert snap.passage_count == 13
        assert snap.facet_table("topic").values == ["copyright", "deepfakes", "metaverse",
                                                   "patents", "training-data"]
        assert ix.search(SearchRequest(query="copyright")).total == 4
        # Posting lists are views of the segment's file: nothing decoded, nothing cached.
        ids, frequencies = snap.postings("body", "copyright")
        assert not ids.flags.writeable
        assert [int(n) for n in ids] == [5, 11, 18]
        assert [float(f) for f in frequencies] == [1.0, 1.0, 1.0]
        assert snap._postings.keys() == []


def test_mapped_arrays_equal_the_arrays_built_from_the_index(index_dir: Path) -> None:
    mapped = _answers(index_dir)
    _only_file(index_dir).unlink()
    built = _answers(index_dir)  # built from Whoosh, and saved again
    assert mapped == built
    assert [a["total"] for a in built] == [4, 6, 6, 2, 3]
    with open_index(index_dir) as ix:
        from_file = ix._snap.stored()
    from index.snapshot import Snapshot
    with open_index(index_dir) as ix:
        fresh = Snapshot(ix._searcher).stored()
    assert fresh.facts == from_file.facts
    assert sorted(fresh.arrays) == sorted(from_file.arrays)
    for name, array in fresh.arrays.items():
        assert np.array_equal(array, from_file.arrays[name]), name
        assert array.dtype == from_file.arrays[name].dtype, name


def _rewrite(path: Path, change) -> None:
    data = bytearray(path.read_bytes())
    change(data)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage, reason", [
    (lambda d: struct.pack_into("<I", d, 8, FORMAT - 1 if FORMAT > 1 else 99), "format"),
    (lambda d: d.__setitem__(slice(0, 8), b"NOTKBARR"), "not a kb arrays file"),
    (lambda d: d.__delitem__(slice(len(d) // 2, None)), "bytes where"),
    (lambda d: d.__setitem__(len(d) - 3, d[len(d) - 3] ^ 0xFF), "arrays are damaged"),
    (lambda d: d.__setitem__(40, d[40] ^ 0x01), "description is cut short or damaged"),
    (lambda d: d.__delitem__(slice(10, None)), "shorter than its header"),
])
def test_an_older_or_torn_file_is_rebuilt_never_read(index_dir: Path, damage, reason: str,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    expected = _answers(index_dir)
    path = _only_file(index_dir)
    good = path.read_bytes()
    _rewrite(path, damage)
    with caplog.at_level(logging.WARNING, logger="index.arrays"):
        assert _answers(index_dir) == expected
    assert reason in caplog.text
    assert "rebuilding its arrays from the index" in caplog.text
    assert path.read_bytes() == good  # rebuilt and saved again, as the writer wrote it


def test_a_file_of_another_index_with_the_same_generation_is_rejected(
        index_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    other = tmp_path / "other"
    apply_changes(other, changes(registry="r1", docs=[
        doc("solo", "Only one", ["A lone passage about patents."], date="2021-01-01")]))
    expected = _answers(index_dir)
    path = _only_file(index_dir)
    assert _only_file(other).name == path.name  # both are generation 1
    path.write_bytes(_only_file(other).read_bytes())
    with caplog.at_level(logging.WARNING, logger="index.arrays"):
        assert _answers(index_dir) == expected
    assert "written for another index or segment of the same name" in caplog.text


def test_a_read_only_index_is_served_without_its_file(
        index_dir: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    expected = _answers(index_dir)
    _only_file(index_dir).unlink()

    def refuse(*_args: object) -> Path:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(arrays, "save", refuse)
    with caplog.at_level(logging.WARNING, logger="index.snapshot"):
        assert _answers(index_dir) == expected
    assert "could not save the generation's arrays" in caplog.text
    assert not list(index_dir.glob("kb_arrays_*.bin"))


def _add(index_dir: Path, doc_id: str, text: str) -> None:
    added = doc(doc_id, f"Added {doc_id}", [text], date="2025-01-01")
    apply_changes(index_dir, ChangeSet(upserts=[added], manifest=[
        ManifestEntry(source=added.source, doc_id=doc_id, content_hash=f"h-{doc_id}")]))


def test_each_commit_replaces_the_previous_generations_file(index_dir: Path) -> None:
    first = _only_file(index_dir)
    _add(index_dir, "later", "Copyright of later works.")
    second = _only_file(index_dir)
    assert second != first
    with open_index(index_dir) as ix:
        assert second.name == f"kb_arrays_{ix.generation}.bin"
        assert ix.search(SearchRequest(query="copyright")).total == 5


def test_a_new_generation_is_prepared_before_it_serves(index_dir: Path) -> None:
    with open_index(index_dir) as ix:
        assert ix.search(SearchRequest(query="copyright")).total == 4
        old = ix._snap
        _add(index_dir, "later", "Copyright of later works by performers.")
        assert ix.refresh()
        new = ix._snap
        assert new is not old
        # Its arrays and both segments' posting lists come from the writer's files; the old
        # segment's lists are the old generation's own, and the forms of the last query's
        # word were looked up before it served.
        assert not new.passages.flags.writeable
        assert new._segments is not None and len(new._segments) == 2
        assert old._segments is not None and new._segments[0][0] is old._segments[0][0]
        assert new._variants.keys() == [("body", "copyright")]
        assert new._variants.get(("body", "copyright")) == ("copyright", "copyrighted")
        assert ix.search(SearchRequest(query="copyright")).total == 5
        assert ix.search(SearchRequest(query="performers")).total == 3


def test_without_posting_files_the_last_queries_lists_are_read_before_the_swap(
        index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Segments without posting files (a folder the writer could not save them in) are read
    # from Whoosh: a new generation reads the lists the last queries used before it serves.
    for path in index_dir.glob("kb_postings_*.bin"):
        path.unlink()
    monkeypatch.setattr(index.writer, "save_missing", lambda *_args: None)
    with open_index(index_dir) as ix:
        assert ix._snap._segments is None
        assert ix.search(SearchRequest(query="copyright")).total == 4
        ix.search(SearchRequest(query="performers"))
        _add(index_dir, "later", "Copyright of later works by performers.")
        assert not list(index_dir.glob("kb_postings_*.bin"))
        assert ix.refresh()
        new = ix._snap
        assert new._segments is None
        assert new._postings.keys() == [("body", "copyright"), ("body", "copyrighted"),
                                        ("body", "performers")]
        assert [int(n) for n in new._postings.get(("body", "copyright"))[0]] == \
            [int(n) for n in read_postings(new.reader, "body", "copyright")[0]]
        assert ix.search(SearchRequest(query="copyright")).total == 5
        assert ix.search(SearchRequest(query="performers")).total == 3


def _three_segments(index_dir: Path, date: str) -> None:
    """A second commit adds a document, a third replaces one (dated ``date``), deleting its
    records in the first segment."""
    _add(index_dir, "later", "Copyright of later works by performers.")
    replaced = doc("metaverse", "IP and the Metaverse", ["Copyright in virtual worlds."],
                   date=date, sessions=[7], topics=["metaverse"])
    apply_changes(index_dir, ChangeSet(upserts=[replaced], manifest=[
        ManifestEntry(source=replaced.source, doc_id="metaverse", content_hash="h2")]))


def test_segment_lists_equal_whooshs_own_with_deletions_and_several_segments(
        index_dir: Path) -> None:
    # A second commit adds a document, a third replaces one (deleting its records in the
    # first segment): lists joined from the files, less deleted records, are Whoosh's.
    _three_segments(index_dir, "2023-03-29")
    with open_index(index_dir) as ix:
        snap = ix._snap
        assert snap._segments is not None and len(snap._segments) == 3
        # The first segment lost the replaced document and the meta records, the second its
        # meta records (each commit rewrites them).
        assert sum(deleted is not None for _, _, deleted in snap._segments) == 2
        for field, term in [("body", "copyright"), ("body", "virtual"), ("topic", "metaverse"),
                            ("kind", "passage"), ("session", "7"), ("title", "metaverse"),
                            ("body", "absent")]:
            ids, frequencies = snap.postings(field, term)
            expected_ids, expected_tf = read_postings(snap.reader, field, term)
            assert [int(n) for n in ids] == [int(n) for n in expected_ids], (field, term)
            assert [float(f) for f in frequencies] == [float(f) for f in expected_tf]
        assert ix.search(SearchRequest(query="virtual")).total == 1
        assert ix.search(SearchRequest(query="copyright")).total == 6
        # Words by prefix (for a query word's forms) from the segments' term tables, as
        # Whoosh's term dictionary gives them.
        for field, start in [("body", "co"), ("title", "m"), ("body", "zz")]:
            assert snap._prefixed(field, start) == [
                t.decode("utf-8") if isinstance(t, bytes) else t
                for t in snap.reader.expand_prefix(field, start)], (field, start)
        assert snap._prefixed("body", "co") == ["consent", "contracts", "copyright",
                                                "copyrighted"]


def test_arrays_from_segment_files_equal_those_from_whoosh_across_segments(
        index_dir: Path) -> None:
    """The sort keys and the vocabulary a commit saves are read from the segments' files a
    whole field at a time; with deletions and three segments they are what Whoosh's term
    dictionary and a list per term give."""
    _three_segments(index_dir, "2025-01-02")
    from index.snapshot import Snapshot, segment_vocabulary
    with open_index(index_dir) as ix:
        segments = [found for found, _, _ in ix._snap._segments]
        assert len(segments) == 3
        from_files = Snapshot(ix._searcher, None, segments)
        from_whoosh = Snapshot(ix._searcher)
        assert from_whoosh._segments is None
        built, expected = from_files.stored(), from_whoosh.stored()
        assert sorted(built.arrays) == sorted(expected.arrays)
        for name, array in expected.arrays.items():
            assert np.array_equal(built.arrays[name], array), name
        assert segment_vocabulary(segments) == read_vocabulary(ix._searcher.reader())
        # "copyright": 3 passages in the first segment, 1 in each later one; "virtual": the
        # replaced passage in the first still counted (Whoosh counts deleted records), and
        # its replacement.
        counts = dict(segment_vocabulary(segments))
        assert (counts["copyright"], counts["virtual"]) == (5, 2)
        # Oldest first: the 2020 paper's passages lead, the document redated to 2025 ends.
        order = np.argsort(from_files.browse_key[from_files.passages.nonzero()[0]])
        docs = [from_files.record(int(n))["doc_id"]
                for n in from_files.passages.nonzero()[0][order]]
        assert docs[:2] == ["papers", "papers"] and docs[-1] == "metaverse"


def test_a_torn_posting_file_is_read_from_whoosh_instead(
        index_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    expected = _answers(index_dir)
    path = _only_file(index_dir, "kb_postings_*.bin")
    _rewrite(path, lambda d: d.__delitem__(slice(len(d) - 100, None)))
    with caplog.at_level(logging.WARNING, logger="index.arrays"):
        assert _answers(index_dir) == expected
        with open_index(index_dir) as ix:
            assert ix._snap._segments is None
    assert f"{path.name}: " in caplog.text and "bytes where" in caplog.text


def test_following_moves_to_each_new_generation_by_itself(index_dir: Path) -> None:
    with open_index(index_dir) as ix:
        first = ix.generation
        ix.follow(0.01)
        ix.follow(0.01)  # a second call starts no second thread
        _add(index_dir, "later", "Copyright of later works.")
        deadline = time.monotonic() + 30
        while ix.generation == first and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ix.generation == first + 1
        assert ix.search(SearchRequest(query="copyright")).total == 5
    assert not ix._follower.is_alive()


def test_a_commit_saves_posting_files_for_segments_that_lack_them(index_dir: Path) -> None:
    # An index written by an earlier kb has none: its next commit decodes every segment once.
    for path in index_dir.glob("kb_postings_*.bin"):
        path.unlink()
    _add(index_dir, "later", "Copyright of later works.")
    with open_index(index_dir) as ix:
        segments = sorted(sub.segment().segment_id() for sub, _ in ix._snap.reader.leaf_readers())
        assert sorted(p.name for p in index_dir.glob("kb_postings_*.bin")) == \
            [f"kb_postings_{segment}.bin" for segment in segments]
        assert ix._snap._segments is not None


def test_the_saved_vocabulary_gives_did_you_mean_the_same_speller(index_dir: Path) -> None:
    with open_index(index_dir) as ix:
        snap = ix._snap
        assert snap.has_stored_vocabulary

        def groups(speller: Speller) -> dict:
            return {key: sorted(zip(words, speller._frequencies[key], strict=True))
                    for key, words in speller._words.items()}

        from_file = groups(snap.speller())
        assert from_file == groups(Speller(read_vocabulary(snap.reader)))
        assert from_file[("c", 9)] == [("contracts", 1), ("copyright", 3), ("createurs", 1)]
        assert ix.search(SearchRequest(query="copyrigt")).suggestion == "copyright"


def test_a_generation_whose_writer_is_still_saving_waits_for_it(
        index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A commit makes its generation visible before the writer saves its files: a running
    # index keeps serving the last complete generation while the writer still holds the lock.
    with open_index(index_dir) as ix:
        first = ix.generation
        with monkeypatch.context() as patch:
            patch.setattr(index.writer, "save_missing", lambda *_args: None)
            patch.setattr(index.writer, "prepare", lambda *_args: None)
            _add(index_dir, "later", "Copyright of later works.")
        assert not list(index_dir.glob(f"kb_arrays_{first + 1}.bin"))
        with WriteLock(index_dir):
            assert not ix.refresh()
            assert ix.generation == first
            assert ix.search(SearchRequest(query="copyright")).total == 4
        # No writer any more (it died after its commit): the reader builds what is missing.
        assert ix.refresh()
        assert ix.generation == first + 1
        assert ix.search(SearchRequest(query="copyright")).total == 5
        assert _only_file(index_dir).name == f"kb_arrays_{first + 1}.bin"
