"""The writer's own posting flush (index.internals.write_postings) writes Whoosh's bytes, and the
posting lists it keeps are those index.segment_postings would decode from the segment."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from isal import isal_zlib
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader
from whoosh.writing import PostingPool, SegmentWriter

from index import apply_changes, internals, segment_postings
from index.internals import _SegmentWriter, leaf_blocks, unlocked_writer
from index.records import document_records
from index.store import create_whoosh
from kb.model import ChangeSet
from tests.index.fixtures import changes, contents, corpus, doc

#: Words repeated over many passages, so that their lists run over several blocks (Whoosh
#: writes 128 postings a block) with varying frequencies and field lengths.
_MANY = [f"Copyright {'copyright ' * (i % 4)}and licensing of works number {i} "
         f"{'with a much longer tail of words ' * (i % 7)}"
         for i in range(300)]


def _records() -> list[dict[str, Any]]:
    docs = [*corpus(),
            doc("many", "Many passages on copyright", _MANY, topics=["copyright", "ai"],
                speakers=["Daren Tang"], sessions=[9, 10])]
    records = [record for d in docs for record in document_records(d)]
    # A boost goes through Whoosh's own add_document: a weight other than the frequency.
    records.append({"id": "boosted", "kind": "meta", "body": "boosted copyright words",
                    "_boost": 2.5})
    return records


def _segment_files(path: Path) -> dict[str, bytes]:
    """The bytes of the one segment's files, by extension (the segment id left out)."""
    found = {}
    for file in path.glob("MAIN_*.*"):
        if "WRITELOCK" not in file.name:
            found[file.name.split(".", 1)[1]] = file.read_bytes()
    return found


def _stored(path: Path) -> list[dict[str, Any]]:
    """Every record's stored fields, read back through Whoosh."""
    with FileStorage(str(path)).open_index().reader() as reader:
        return [fields for _, fields in reader.iter_docs()]


def _contents(path: Path) -> dict[str, object]:
    """Everything the index at ``path`` holds, read through Whoosh (see fixtures.contents)."""
    ix = FileStorage(str(path)).open_index()
    try:
        return contents(ix)
    finally:
        ix.close()


def _write(path: Path, records: list[dict[str, Any]], limitmb: int = 32,
           keep: tuple[str, ...] = ()) -> SegmentWriter:
    ix = create_whoosh(path)
    try:
        writer = unlocked_writer(ix, limitmb, keep)
        for record in records:
            writer.add_document(**record)
        if limitmb < 32:
            assert writer.pool.runs  # the pool spilled to disk: its runs are merged at flush
        writer.commit()
        return writer
    finally:
        ix.close()


def _whooshs_flush(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_SegmentWriter, "_flush_segment", SegmentWriter._flush_segment)


@pytest.fixture
def whooshs_compression(monkeypatch: pytest.MonkeyPatch) -> None:
    """kb's flush compressing every block by zlib and pickling values as Whoosh's does, for a
    byte-for-byte comparison (by default it leaves small blocks uncompressed, compresses the
    others by ISA-L and pickles values with a later protocol: see the last tests)."""
    monkeypatch.setattr(internals, "COMPRESS_FROM", 0)
    monkeypatch.setattr(internals, "VALUES_PROTOCOL", 2)
    monkeypatch.setattr(internals, "BLOCK_COMPRESS", zlib.compress)


@pytest.mark.usefixtures("whooshs_compression")
@pytest.mark.parametrize("limitmb", [32, 1])
def test_the_segment_files_are_whooshs_own_byte_for_byte(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limitmb: int) -> None:
    records = _records()
    ours = _write(tmp_path / "ours", records, limitmb)
    assert ours.posting_lists == {}  # no field kept: nothing but the segment written
    with monkeypatch.context() as patched:
        _whooshs_flush(patched)
        theirs = _write(tmp_path / "theirs", records, limitmb)
    assert theirs.posting_lists is None
    mine, whooshs = _segment_files(tmp_path / "ours"), _segment_files(tmp_path / "theirs")
    assert sorted(mine) == ["_body_len.col", "_heading_len.col", "_speaker_words_len.col",
                            "_stored.col", "_title_len.col", "pst", "trm"]
    assert mine == whooshs


def test_a_spilled_pool_writes_what_one_in_memory_writes(tmp_path: Path) -> None:
    """The same postings, lengths, stored fields and kept lists. Not the same posting file
    bytes, for kb's flush as for Whoosh's (the test above): a block's pickle refers back to
    an object it repeats, and postings read back from a run repeat fewer objects."""
    records = _records()
    spilled = _write(tmp_path / "spilled", records, 1, segment_postings.FIELDS)
    whole = _write(tmp_path / "whole", records, 32, segment_postings.FIELDS)
    assert not whole.pool.runs and not list((tmp_path / "spilled").glob("*.run"))
    assert spilled.posting_lists == whole.posting_lists
    assert whole.posting_lists is not None and len(whole.posting_lists["body"].terms) == 386
    found = [_contents(tmp_path / "spilled"), _contents(tmp_path / "whole")]
    assert found[0] == found[1]
    postings = found[0]["postings"]
    assert isinstance(postings, dict) and len(postings) == 783
    assert postings[("kind", b"meta")] == [(320, 2.5, None)]  # the boosted record


@pytest.mark.usefixtures("whooshs_compression")
def test_whooshs_own_add_document_into_kbs_pool_writes_whooshs_segment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every record through Whoosh's ``add_document`` (a posting at a time into the pool's
    ``add``), then kb's flush: the files of a writer that is Whoosh's throughout."""
    records = _records()
    with monkeypatch.context() as patched:
        patched.setattr(_SegmentWriter, "add_document", SegmentWriter.add_document)
        ours = _write(tmp_path / "ours", records, 1)
    assert ours.posting_lists == {}  # kb's flush wrote the segment
    ix = create_whoosh(tmp_path / "theirs")
    try:
        writer = SegmentWriter(ix, limitmb=1, compound=False, _lk=False)
        assert type(writer.pool) is PostingPool
        for record in records:
            writer.add_document(**record)
        writer.commit()
    finally:
        ix.close()
    mine, whooshs = _segment_files(tmp_path / "ours"), _segment_files(tmp_path / "theirs")
    # kb compresses the stored-fields column with ISA-L, not zlib (see
    # index.internals.fast_stored_column): the same records in other zlib bytes.
    assert mine.pop("_stored.col") != whooshs.pop("_stored.col")
    assert mine == whooshs
    assert _stored(tmp_path / "ours") == _stored(tmp_path / "theirs")
    assert len(_stored(tmp_path / "ours")) == len(records)


def test_the_columns_written_directly_are_the_per_document_writers_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """add_document writes lengths and stored fields to the columns themselves (see
    internals._Columns): every file is the one the per-document writer's own methods write,
    the heading's length column included, which its first record with a heading creates."""
    records = _records()
    assert "heading" not in records[0] and "heading" in records[1]
    ours = _write(tmp_path / "ours", records)
    assert ours._columns is not None
    with monkeypatch.context() as patched:
        patched.setattr(internals._Columns, "of", classmethod(lambda cls, perdoc: None))
        theirs = _write(tmp_path / "theirs", records)
    assert theirs._columns is None
    mine, whooshs = _segment_files(tmp_path / "ours"), _segment_files(tmp_path / "theirs")
    assert mine == whooshs and len(mine["_stored.col"]) > 10_000
    assert mine["_heading_len.col"] == b"\x00\x01\x01"  # two one-word headings, then none
    assert _stored(tmp_path / "ours") == _stored(tmp_path / "theirs")


def test_a_long_list_runs_over_blocks_with_its_weights(tmp_path: Path) -> None:
    _write(tmp_path, _records())
    ix = FileStorage(str(tmp_path)).open_index()
    try:
        with ix.searcher() as searcher:
            reader = searcher.reader()
            blocks = list(leaf_blocks(reader.postings("body", "copyright")) or [])
            info = reader.term_info("body", "copyright")
    finally:
        ix.close()
    # 300 passages of "many", the title on each, 3 crafted passages and the boosted record.
    assert [count for _, _, count in blocks] == [128, 128, 48]
    first_ids, first_weights, _ = blocks[0]
    # Delta-encoded docnums: passages 5, 11 and 18 of the crafted corpus, then "many"'s.
    assert first_ids[:5] == (5, 6, 7, 2, 1)
    # The title ("... on copyright") twice, then the text's own (once, twice, ...).
    assert list(first_weights[:8]) == [1.0, 1.0, 1.0, 3.0, 4.0, 5.0, 6.0, 3.0]
    assert blocks[2][1][-1] == 2.5  # the boosted record, last
    assert info.doc_frequency() == 304
    assert info.max_weight() == 6.0


def _kept(path: Path, writer: SegmentWriter) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays the writer's kept lists give, and those decoded from its segment."""
    ix = FileStorage(str(path)).open_index()
    try:
        with ix.reader() as reader:
            decoded = segment_postings.build(reader).arrays
    finally:
        ix.close()
    assert writer.posting_lists is not None
    return segment_postings.from_written(writer.posting_lists).arrays, decoded


def _equal(kept: dict[str, np.ndarray], decoded: dict[str, np.ndarray]) -> None:
    assert list(kept) == list(decoded)
    for name, array in decoded.items():
        assert kept[name].dtype == array.dtype, name
        assert np.array_equal(kept[name], array), name


@pytest.mark.parametrize("limitmb", [32, 1])
def test_the_kept_lists_are_those_decoded_from_the_segment(tmp_path: Path,
                                                            limitmb: int) -> None:
    writer = _write(tmp_path, _records(), limitmb, segment_postings.FIELDS)
    kept, decoded = _kept(tmp_path, writer)
    _equal(kept, decoded)
    terms = bytes(kept["kind.terms"]).split(b"\0")
    assert terms == [b"doc", b"meta", b"passage"]
    assert kept["kind.starts"].tolist() == [0, 7, 8, 321]  # 7 documents, 313 passages
    assert kept["kind.ids"][7:9].tolist() == [320, 1]


def test_a_field_no_record_has_is_kept_empty_as_decoding_leaves_it(tmp_path: Path) -> None:
    writer = _write(tmp_path, [{"id": "meta", "kind": "meta", "data": "{}"}], 32,
                    segment_postings.FIELDS)
    kept, decoded = _kept(tmp_path, writer)
    _equal(kept, decoded)
    assert (kept["body.terms"].size, kept["body.starts"].tolist()) == (0, [0])
    assert (kept["kind.ids"].tolist(), kept["kind.tf"].tolist()) == ([0], [1.0])


def _segments(path: Path) -> Iterator[tuple[SegmentReader, Any]]:
    ix = FileStorage(str(path)).open_index()
    try:
        with ix.reader() as reader:
            for sub, _ in reader.leaf_readers():
                yield sub, segment_postings.load(path, sub)
    finally:
        ix.close()


def _check_new_segments(path: Path, seen: set[str]) -> int:
    """Check the file of each segment not seen before against decoding it (a segment is
    decoded right after the commit that wrote it: later commits' deletions are the
    generation's, not the segment's); the number of segments."""
    count = 0
    for sub, saved in _segments(path):
        count += 1
        if sub.segment().segment_id() in seen:
            continue
        seen.add(sub.segment().segment_id())
        assert saved is not None and not sub.has_deletions()
        _equal(dict(saved._arrays), segment_postings.build(sub).arrays)
    return count


@pytest.mark.usefixtures("side_takes_a_run")
@pytest.mark.parametrize("writers", [1, 2])
def test_each_commits_posting_files_hold_what_decoding_gives(tmp_path: Path,
                                                              writers: int) -> None:
    """A first ingest, then small ones, until a commit merges the small segments into its
    own (whose kept lists then hold the merged segments' postings too)."""
    seen: set[str] = set()
    counts = []
    apply_changes(tmp_path, changes(), writers=writers)
    counts.append(_check_new_segments(tmp_path, seen))
    for i in range(6):
        later = doc(f"later{i}", "Later copyright works", _MANY[:3 + i], topics=["copyright"])
        apply_changes(tmp_path, ChangeSet(upserts=[later]), writers=writers)
        counts.append(_check_new_segments(tmp_path, seen))
    assert counts == ([1, 2, 3, 4, 5, 6, 2] if writers == 1 else [2, 3, 4, 5, 1, 2, 3])


@pytest.mark.usefixtures("whooshs_compression")
def test_posting_lists_written_out_a_term_at_a_time_are_the_same_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The flush gathers a field's lists and writes them a run at a time; a run of one byte
    writes each term's on its own, at the offsets counted for it."""
    records = _records()
    _write(tmp_path / "gathered", records)
    with monkeypatch.context() as patched:
        patched.setattr(internals, "_WRITE_RUN", 1)
        _write(tmp_path / "each", records)
    with monkeypatch.context() as patched:
        _whooshs_flush(patched)
        _write(tmp_path / "theirs", records)
    whooshs = _segment_files(tmp_path / "theirs")
    assert _segment_files(tmp_path / "gathered") == whooshs
    assert _segment_files(tmp_path / "each") == whooshs
    assert len(whooshs["pst"]) > 1000


def _block_levels(path: Path, field: str, term: str) -> list[tuple[int, int]]:
    """The compression level each block of a term's list says it is written with, and the
    pickle protocol of its data."""
    ix = FileStorage(str(path)).open_index()
    try:
        with ix.reader() as reader:
            matcher = reader.postings(field, term)
            levels = []
            while True:
                data = matcher._postfile.get(matcher._dataoffset,
                                             matcher._nextoffset - matcher._dataoffset)
                if matcher._compression:
                    data = zlib.decompress(data)
                assert data[0] == 0x80  # a pickle's PROTO opcode, then its protocol
                levels.append((matcher._compression, data[1]))
                if matcher._lastblock:
                    return levels
                matcher._next_block()
    finally:
        ix.close()


def test_small_blocks_are_left_uncompressed_and_read_back_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A block pickled to fewer than COMPRESS_FROM bytes is written as it is, its info saying
    so: Whoosh's reader takes the same postings from it as from Whoosh's own segment."""
    records = _records()
    _write(tmp_path / "ours", records)
    with monkeypatch.context() as patched:
        _whooshs_flush(patched)
        _write(tmp_path / "theirs", records)
    mine, whooshs = _segment_files(tmp_path / "ours"), _segment_files(tmp_path / "theirs")
    assert mine["pst"] != whooshs["pst"] and len(mine["pst"]) < len(whooshs["pst"])
    assert _contents(tmp_path / "ours") == _contents(tmp_path / "theirs")
    # "copyright": two full blocks of 128 postings, then 48 (each over 256 bytes pickled),
    # their positions pickled with protocol 4; "boosted": one posting and its position; the
    # meta kind: one posting, no values (protocol 2, as Whoosh's).
    assert _block_levels(tmp_path / "ours", "body", "copyright") == [(3, 4)] * 3
    assert _block_levels(tmp_path / "theirs", "body", "copyright") == [(3, 2)] * 3
    assert _block_levels(tmp_path / "ours", "body", "boosted") == [(0, 4)]
    assert _block_levels(tmp_path / "ours", "kind", "meta") == [(0, 2)]
    for field, term in [("body", "boosted"), ("kind", "meta")]:
        assert _block_levels(tmp_path / "theirs", field, term) == [(3, 2)]


def test_large_blocks_are_compressed_by_isal_and_read_back_by_whooshs_zlib_reader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A block of COMPRESS_FROM bytes or more is ISA-L's zlib stream at the codec's level (3),
    which Whoosh's reader decompresses with zlib: the postings of Whoosh's own segment."""
    records = _records()
    _write(tmp_path / "ours", records)
    with monkeypatch.context() as patched:
        _whooshs_flush(patched)
        _write(tmp_path / "theirs", records)
    ix = FileStorage(str(tmp_path / "ours")).open_index()
    try:
        with ix.reader() as reader:
            matcher = reader.postings("body", "copyright")
            raw = matcher._postfile.get(matcher._dataoffset,
                                        matcher._nextoffset - matcher._dataoffset)
            assert matcher._compression == 3
    finally:
        ix.close()
    pickled = zlib.decompress(raw)
    assert raw == isal_zlib.compress(pickled, 3) != zlib.compress(pickled, 3)
    assert _contents(tmp_path / "ours") == _contents(tmp_path / "theirs")
