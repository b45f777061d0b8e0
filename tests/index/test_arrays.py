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
from fixtures import changes, doc

from index import apply_changes, arrays, open_index
from index.arrays import FORMAT
from kb.model import ChangeSet, ManifestEntry, SearchRequest

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


def _only_file(index_dir: Path) -> Path:
    found = sorted(index_dir.glob("kb_arrays_*.bin"))
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
        assert snap._postings.keys() == [("body", "copyright"), ("body", "copyrighted")]


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
    assert "written for another index of the same generation number" in caplog.text


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
        ix.search(SearchRequest(query="performers"))
        old = ix._snap
        _add(index_dir, "later", "Copyright of later works by performers.")
        assert ix.refresh()
        new = ix._snap
        assert new is not old
        # Its arrays come from the writer's file, and the words the last queries used were
        # read again on the new generation before any query ran on it.
        assert not new.passages.flags.writeable
        assert new._postings.keys() == [("body", "copyright"), ("body", "copyrighted"),
                                        ("body", "performers")]
        assert [int(n) for n in new._postings.get(("body", "copyright"))[0]] == \
            [int(n) for n in new.postings("body", "copyright")[0]]
        assert ix.search(SearchRequest(query="copyright")).total == 5
        assert ix.search(SearchRequest(query="performers")).total == 3


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
