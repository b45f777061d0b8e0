"""A large ingest written by two processes (index.segments) reads back exactly as one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import index.segment_postings as segment_postings
import index.segments as segments_module
import index.writer as writer_module
from index import apply_changes, open_index, read_manifest, read_meta
from index.errors import IndexWriteFailed
from kb.model import ChangeSet, Document, SearchRequest
from tests.conftest import outlives_killed_parent
from tests.index.fixtures import changes, corpus, doc

QUERIES = ["training data", "copyright", "nfts", "remuneration", ""]


@pytest.fixture(autouse=True)
def _each_process_takes_a_run(side_takes_a_run: None) -> None:
    """Every test here has the side process take a run (see SideFirst)."""


def _answers(path: Path) -> list[object]:
    with open_index(path) as ix:
        found = []
        for query in QUERIES:
            for group in ("document", "flat"):
                result = ix.search(SearchRequest(query=query, group=group)).to_dict()
                found.append(([(h["doc_id"], h["passage_id"], round(h["score"], 6))
                               for h in result["hits"]], result["total"], result["facets"]))
        documents = {}
        for d in corpus():
            stored = ix.document(d.doc_id)
            documents[d.doc_id] = stored.to_dict() if stored else None
            if stored:
                documents[d.doc_id].pop("ingested")  # the time of each run's commit
    return [found, documents]


def _segments(path: Path) -> int:
    return len({p.name.split(".")[0] for p in path.glob("MAIN_*.pst")})


def test_two_writing_processes_give_the_index_one_gives(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    apply_changes(one, changes(registry="r1"), writers=1)
    apply_changes(two, changes(registry="r1"), writers=2)
    assert (_segments(one), _segments(two)) == (1, 2)  # the second process's own segment
    assert _answers(two) == _answers(one)
    assert read_manifest(two) == read_manifest(one)
    assert read_meta(two) == read_meta(one) == {"registry": "r1"}
    with open_index(two) as ix:  # each passage maps to its own document in both segments
        snap, searcher = ix._snap, ix._searcher
        for number in np.flatnonzero(snap.passages):
            record = searcher.stored_fields(int(snap.doc_starts[snap.group_of[number]]))
            assert record["doc_id"] == searcher.stored_fields(int(number))["doc_id"]
        assert snap.count_groups(snap.passages) == len(corpus())


def test_each_process_saves_its_own_segments_posting_lists_before_the_commit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After the commit, the writer decodes nothing: the second process saved its segment's
    file, and the writer its own while the second process was still writing."""
    missing: list[list[str]] = []

    def recording(index_dir: Path, subs: list[Any]) -> None:
        missing.append([sub.segment().segment_id() for sub in subs
                        if segment_postings.load(index_dir, sub) is None])
        segment_postings.save_missing(index_dir, subs)

    monkeypatch.setattr(writer_module, "save_missing", recording)  # the writer's call only
    apply_changes(tmp_path, changes(), writers=2)
    assert _segments(tmp_path) == 2
    assert missing == [[]]  # both segments had their files, and valid ones
    assert len(list(tmp_path.glob("kb_postings_*.bin"))) == 2


def test_a_second_process_that_took_no_run_publishes_no_segment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    writer_pid = os.getpid()

    class WriterTakesAll(segments_module.SharedRuns):
        """Runs that only the writer takes: the side process finds none left."""

        def __iter__(self) -> Iterator[Document]:
            if os.getpid() == writer_pid:
                yield from super().__iter__()

    monkeypatch.setattr(writer_module, "SharedRuns", WriterTakesAll)
    apply_changes(one, changes(registry="r1"), writers=1)
    apply_changes(two, changes(registry="r1"), writers=2)
    assert (_segments(one), _segments(two)) == (1, 1)
    assert _answers(two) == _answers(one)
    assert read_manifest(two) == read_manifest(one)


def test_a_second_ingest_and_a_rebuild_with_two_processes(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    update = ChangeSet(upserts=[doc("extra", "Extra", ["copyright one", "two"]), corpus()[0],
                                corpus()[1]], deletes=["output"])
    for path, writers in ((one, 1), (two, 2)):
        apply_changes(path, changes(), writers=writers)
        apply_changes(path, update, writers=writers)
    assert _answers(two) == _answers(one)
    for path, writers in ((one, 1), (two, 2)):
        apply_changes(path, changes(), rebuild=True, writers=writers)
    assert _answers(two) == _answers(one)
    assert _segments(two) == 2  # the rebuild dropped every older segment


def test_the_second_process_starts_before_the_writer_makes_its_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Everything the writer does before its first run (its segment writer, the last
    ingest's records, the manifest) is time the side process already writes."""
    events: list[str] = []
    real_side, real_writer = writer_module.SideWriter, writer_module.unlocked_writer

    def side(*args: Any) -> segments_module.SideWriter:
        events.append("side process")
        return real_side(*args)

    def own(*args: Any) -> Any:
        events.append("own writer")
        return real_writer(*args)

    monkeypatch.setattr(writer_module, "SideWriter", side)
    monkeypatch.setattr(writer_module, "unlocked_writer", own)
    apply_changes(tmp_path, changes(), writers=2)
    assert events == ["side process", "own writer"]
    assert _segments(tmp_path) == 2


def test_a_failing_second_process_publishes_nothing(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    apply_changes(tmp_path, changes(), writers=1)
    before = _answers(tmp_path)

    def broken(document: object) -> list[dict[str, object]]:
        raise MemoryError("no memory left")

    monkeypatch.setattr(segments_module, "document_records", broken)  # the forked side only
    update = ChangeSet(upserts=[doc("extra", "Extra", ["copyright one", "two"]), *corpus()])
    with pytest.raises(IndexWriteFailed, match=r"writing part of the index failed \(MemoryError: "
                                               r"no memory left\); the index keeps its last "
                                               r"complete ingest"):
        apply_changes(tmp_path, update, writers=2)
    assert _answers(tmp_path) == before
    assert not (tmp_path / "MAIN.tmp").exists()


#: A parent that starts a second writing process stuck in an endless document, says its PID,
#: and waits.
PARENT = """
import sys, time
from pathlib import Path
from tests.index.fixtures import changes, corpus
import index.segments as segments
from index import apply_changes
from index.store import open_whoosh

def spin(document):
    while True:
        pass

apply_changes(Path(sys.argv[1]), changes())
segments.document_records = spin
side = segments.SideWriter(open_whoosh(Path(sys.argv[1])), segments.SharedRuns(corpus()),
                           "now", 32)
print(side._process.pid, flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="this check reads /proc")
def test_the_second_writing_process_dies_with_its_killed_parent(tmp_path: Path) -> None:
    assert not outlives_killed_parent(PARENT, str(tmp_path)), \
        "the writing process outlived its killed parent"
