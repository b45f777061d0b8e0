"""Pins every private Whoosh name index/internals.py uses, each against the public API that
gives the same answer slowly: a Whoosh upgrade that moves one fails here, naming it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from isal import isal_zlib
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.columns import CompressedBytesColumn, NumericColumn
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter, md5_hash
from whoosh.formats import Positions
from whoosh.matching import Matcher
from whoosh.matching.wrappers import FilterMatcher

from index import apply_changes
from index.analysis import _ASCII_WORD, LanguageTokenizer, _ascii_words, term_positions
from index.internals import (
    STORED_LEVEL,
    GenerationIndex,
    _Lengths,
    _md5_hash,
    _PositionCodes,
    _SegmentWriter,
    add_terms,
    fast_stored_column,
    generations,
    leaf_blocks,
    length_bytes,
    length_column,
    open_column_names,
    open_columns,
    unlocked_writer,
    without_deletions,
)
from index.records import document_records
from index.store import create_whoosh, open_whoosh
from kb.model import ChangeSet
from tests.index.fixtures import changes, contents, corpus, doc


def _with_deletions(path: Path) -> None:
    """Two segments; the first has deleted documents (a replaced and a removed one)."""
    apply_changes(path, changes())
    apply_changes(path, ChangeSet(upserts=[doc("extra", "Extra", ["copyright one", "two"]),
                                           corpus()[0]], deletes=["output"]))


def test_the_unlocked_writer_leaves_whooshs_lock_free_and_writes_separate_files(
        tmp_path: Path) -> None:
    apply_changes(tmp_path, changes())
    ix = open_whoosh(tmp_path)
    try:
        writer = unlocked_writer(ix, 32)
        whoosh_lock = ix.lock("WRITELOCK")
        assert whoosh_lock.acquire() is True  # free: only kb's own lock guards writers
        whoosh_lock.release()
        writer.add_document(id="extra", kind="meta", data="{}")
        writer.commit()
    finally:
        ix.close()
    assert not list(tmp_path.glob("*.seg"))  # compound=False: no single compound file
    assert list(tmp_path.glob("*.col"))


def test_deleted_documents_and_the_matcher_under_the_filter(tmp_path: Path) -> None:
    _with_deletions(tmp_path)
    with FileStorage(str(tmp_path)).open_index().searcher() as searcher:
        subs = [sub for sub, _ in searcher.reader().leaf_readers()]
        assert len(subs) == 2
        first, second = subs
        assert first.has_deletions() and not second.has_deletions()
        matcher = first.postings("kind", "passage")
        assert isinstance(matcher, FilterMatcher)
        deleted, child = without_deletions(matcher)
        assert set(deleted) == {n for n in range(first.doc_count_all()) if first.is_deleted(n)}
        assert child is matcher.child
        plain = second.postings("kind", "passage")
        assert without_deletions(plain) == (None, plain)


def _public(matcher: Matcher) -> list[tuple[int, float]]:
    """Postings as Whoosh's public matcher API gives them, one call per posting."""
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight()))
        matcher.next()
    return found


def test_leaf_blocks_hold_every_posting_with_its_weight(tmp_path: Path) -> None:
    _with_deletions(tmp_path)
    with FileStorage(str(tmp_path)).open_index().searcher() as searcher:
        for sub, _ in searcher.reader().leaf_readers():
            for field, term in [("body", "copyright"), ("kind", "passage")]:
                expected = _public(sub.postings(field, term))  # deleted ones left out
                deleted, matcher = without_deletions(sub.postings(field, term))
                blocks = leaf_blocks(matcher)
                assert blocks is not None
                found: list[tuple[int, float]] = []
                for raw_ids, raw_weights, count in blocks:
                    ids = np.cumsum(np.asarray(raw_ids, dtype=np.int64)).tolist()
                    weights = ([1.0] * count if raw_weights is None else
                               [raw_weights] * count if isinstance(raw_weights, float) else
                               [float(w) for w in raw_weights])
                    assert len(ids) == len(weights) == count
                    found += zip(ids, weights, strict=True)
                found = [(n, w) for n, w in found if n not in (deleted or ())]
                assert found == expected
                assert len(found) > 0


def test_length_bytes_read_in_one_go_equal_the_column_read_one_by_one(tmp_path: Path) -> None:
    _with_deletions(tmp_path)
    with FileStorage(str(tmp_path)).open_index().searcher() as searcher:
        for sub, _ in searcher.reader().leaf_readers():
            count = sub.doc_count_all()
            for field in ("body", "title"):
                column = length_column(sub, field)
                assert isinstance(column, NumericColumn.Reader)  # the one-read path applies
                assert length_bytes(column, count).tolist() == list(column)[:count]


def test_a_new_reader_opens_every_column_file_of_its_segments(tmp_path: Path) -> None:
    _with_deletions(tmp_path)
    with FileStorage(str(tmp_path)).open_index().searcher() as searcher:
        reader = searcher.reader()
        open_columns(reader)
        for sub, _ in reader.leaf_readers():
            segment = sub.segment().segment_id()
            on_disk = {p.name[len(segment) + 1:-len(".col")]
                       for p in tmp_path.glob(f"{segment}.*.col")}
            assert {"_stored", "_body_len", "_title_len"} <= on_disk
            assert open_column_names(sub) == on_disk


def test_the_commits_length_reader_answers_as_whooshs_own(tmp_path: Path) -> None:
    """The writer's commit reads each posting's field length through ``_Lengths``; it must
    give what ``W3PerDocReader.doc_field_length`` gives, for fields with a length column
    (body, title), fields without one (kind, session) and the docnum one past the end."""
    apply_changes(tmp_path, changes())
    ix = open_whoosh(tmp_path)
    try:
        segment = ix._segments()[0]
        theirs = W3PerDocReader(ix.storage, segment)
        ours = _Lengths(W3PerDocReader(ix.storage, segment))
        count = segment.doc_count_all()
        asked = 0
        for field in ("body", "title", "heading", "kind", "session", "id"):
            for docnum in range(count + 1):
                assert ours.doc_field_length(docnum, field) == \
                    theirs.doc_field_length(docnum, field)
                asked += bool(theirs.doc_field_length(docnum, field))
        assert asked > count  # body and title have lengths: the comparison saw them
        ours.close()
        theirs.close()
    finally:
        ix.close()


def test_the_unlocked_writers_commit_reads_lengths_through_the_remembering_reader(
        tmp_path: Path) -> None:
    apply_changes(tmp_path, changes())
    ix = open_whoosh(tmp_path)
    try:
        writer = unlocked_writer(ix, 32)
        writer.perdocwriter.close()
        assert isinstance(writer.per_document_reader(), _Lengths)
        writer.cancel()
    finally:
        ix.close()


def test_a_generation_index_reads_its_own_generation_as_whoosh_reads_the_newest(
        tmp_path: Path) -> None:
    apply_changes(tmp_path, changes())
    storage = FileStorage(str(tmp_path))
    newest = storage.open_index()
    assert generations(storage) == [newest.latest_generation()] == [1]
    held = GenerationIndex(storage, 1)
    assert held.published()
    assert held.last_modified() == newest.last_modified()
    with held.reader() as ours, newest.reader() as theirs:
        assert (ours.generation(), ours.doc_count()) == (theirs.generation(), theirs.doc_count())
    apply_changes(tmp_path, ChangeSet(deletes=["output"]))
    assert generations(storage) == [2]
    assert not held.published()  # the commit deleted generation 1's table of contents
    # Replaced, it reads the newest, as Whoosh's own does (a scan's reader, the speller's).
    with held.reader() as ours, storage.open_index().reader() as theirs:
        assert (ours.generation(), ours.doc_count()) == (theirs.generation(), theirs.doc_count())
        assert ours.generation() == 2
    assert held.last_modified() == storage.open_index().last_modified()


def _written(path: Path, records: list[dict[str, str]], kb_writer: bool) -> dict[str, object]:
    """Everything one segment holds for ``records``: each field's terms with their postings
    (docnum, weight, encoded value), each record's stored fields and field lengths."""
    ix = create_whoosh(path)
    try:
        writer = unlocked_writer(ix, 32) if kb_writer else ix.writer()
        assert isinstance(writer, _SegmentWriter) is kb_writer
        for record in records:
            writer.add_document(**record)
        writer.commit()
        return contents(ix)
    finally:
        ix.close()


def test_kbs_add_document_indexes_exactly_what_whooshs_own_does(tmp_path: Path) -> None:
    """The writer's fast ``add_document`` (its own pass per field kind, a repeated title
    analysed once) must leave the segment Whoosh's own method leaves, posting for posting:
    elisions, possessives, acronym plurals, document symbols, Arabic, Chinese, stop words,
    multi-valued facets and a repeated position list included."""
    docs = [*corpus(),
            doc("mixed", "WIPO/IP/AI/2/GE/20/1 Rev. and the LLM's NFTs", [
                "L'OMPI et l'IA: qu'il s'agisse des NFTs, the the data data data data.",
                "人工智能与知识产权 policy of WIPO_IP_AI_2_GE_20_1_REV and SMEs.",
                "الملكية الفكرية والذكاء الاصطناعي في المنظمة",
            ], passage_speakers=["Daren Tang", "Sylvie Forbin", ""], topics=["copyright", "ai"],
                speakers=["Daren Tang", "Sylvie Forbin"], sessions=[9, 10], language="fr",
                headings=["Opening", "Opening", ""])]
    records = [record for d in docs for record in document_records(d)]
    records.append({"id": "boosted", "kind": "meta", "body": "boosted words", "_boost": 2.0})
    ours = _written(tmp_path / "ours", records, kb_writer=True)
    theirs = _written(tmp_path / "theirs", records, kb_writer=False)
    assert ours["postings"] == theirs["postings"]
    assert ours["stored"] == theirs["stored"]
    assert ours["lengths"] == theirs["lengths"]
    postings = ours["postings"]
    assert isinstance(postings, dict)
    assert ("body", b"wipo_ip_ai_2_ge_20_1_rev") in postings
    assert ("body", b"ompi") in postings and ("body", b"nft") in postings
    assert ("speaker", b"Daren Tang") in postings
    assert postings[("body", b"boosted")][0][1] == 2.0  # a boost goes through Whoosh's method


def test_kbs_pool_counts_the_size_whooshs_pool_counts_for_repeated_values(
        tmp_path: Path) -> None:
    """The writer keeps a value's postings and their size for the next record with that value
    (a document's ID fields, facets, speakers and title on each of its passages): the pool's
    size estimate, which decides when it spills to disk, must stay Whoosh's, posting for
    posting, however often a value repeats."""
    docs = [*corpus(), doc("talk", "A Talk", ["First turn.", "Second turn.", "Third turn."],
                           passage_speakers=["Daren Tang", "Sylvie Forbin", "Daren Tang"],
                           speakers=["Daren Tang", "Sylvie Forbin"], sessions=[9],
                           topics=["ai"], headings=["Opening", "Opening", "Close"])]
    records = [record for d in docs for record in document_records(d)] * 2
    sizes = []
    for kb_writer in (True, False):
        ix = create_whoosh(tmp_path / str(kb_writer))
        writer = unlocked_writer(ix, 32) if kb_writer else ix.writer()
        for record in records:
            writer.add_document(**record)
        sizes.append(writer.pool.currentsize)
        writer.cancel()
        ix.close()
    assert sizes[0] == sizes[1] == 146_622


def test_position_codes_are_whooshs_and_remembered_by_position_or_tuple(
        monkeypatch: pytest.MonkeyPatch) -> None:
    fmt = Positions()
    codes = _PositionCodes(fmt)
    lists = [[0], [5], [0, 12], [3, 4, 9], list(range(0, 64, 2)), list(range(33)), [0, 12]]
    for places in lists:
        assert codes.encode(places) == fmt.encode(places)
    # A lone position is remembered as itself, a longer list as a tuple, one of more than
    # 32 positions not at all.
    assert list(codes.known) == [0, 5, (0, 12), (3, 4, 9), tuple(range(0, 64, 2))]
    assert codes.known[(0, 12)] == b"\x00\x00\x00\x02\x80\x02]q\x00(K\x00K\x0ce."
    monkeypatch.setattr(_PositionCodes, "_MAX_KEPT", 5)
    assert codes.encode([7]) == fmt.encode([7])
    assert list(codes.known) == [7]  # emptied when full


def test_a_positional_field_splits_exactly_as_its_tokenizer() -> None:
    for value in ["\x02fr\x03L'OMPI et l'IA", "NFTs and SMEs of the WIPO/IP/AI/2/GE/20/1",
                  "plain words words", "\x02xx\x03人工智能 AI", "", "the of and"]:
        expected: dict[str, list[int]] = {}
        for token in LanguageTokenizer()(value, positions=True):
            expected.setdefault(token.text, []).append(token.pos)
        assert term_positions(value) == expected
        assert list(term_positions(value)) == list(expected)


def test_lines_remembered_from_the_last_value_give_the_tokenizers_terms() -> None:
    # A passage body's title and heading lines repeat within the value and in the next one;
    # the same line in another language, and a line whose words change case, are read anew.
    values = ["\x02en\x03The Rules\nThe Rules\nNFTs and the law",
              "\x02en\x03The Rules\nThe Rules\nthe RULES of AI's NFTs",
              "\x02fr\x03The Rules\nThe Rules\nla loi de l'IA",
              "\x02en\x03WIPO/IP/AI/2/GE/20/1\nRev. 2\nThe Rules",
              "\x02en\x03U.S. rules 3.5 a..b x._y .e.g. _z_\nU.S. café’s rules"]
    for value in values:
        expected: dict[str, list[int]] = {}
        for token in LanguageTokenizer()(value, positions=True):
            expected.setdefault(token.text, []).append(token.pos)
        assert term_positions(value) == expected
        assert list(term_positions(value)) == list(expected)
    assert term_positions(values[1]) == {"rules": [0, 1, 2], "ai": [3], "nft": [4]}
    assert term_positions(values[2]) == {"the": [0, 2], "rules": [1, 3], "loi": [4],
                                         "ia": [5]}
    assert term_positions(values[3]) == {"wipo_ip_ai_2_ge_20_1_rev_2": [0],
                                         "wipo_ip_ai_2_ge_20_1": [0], "wipo": [0], "ip": [1],
                                         "ai": [2], "2": [3, 8], "ge": [4], "20": [5],
                                         "1": [6], "rev": [7], "rules": [9]}


@pytest.mark.parametrize(("line", "words"), [
    ("The end. Next line, (with) gaps;", ["The", "end", "Next", "line", "with", "gaps"]),
    ("U.S. rules 3.5 a..b x._y .e.g. _z_", ["U.S", "rules", "3.5", "a", "b", "x._y", "e.g",
                                            "_z_"]),
    ("\x1erecord\x1fsep\tand-dash/slash", ["record", "sep", "and", "dash", "slash"]),
    ("...", []),
    ("", []),
])
def test_ascii_words_are_the_patterns_with_or_without_a_dot_inside_a_word(
        line: str, words: list[str]) -> None:
    assert _ascii_words(line) == words == _ASCII_WORD.findall(line)


def test_ascii_words_split_every_character_the_pattern_splits() -> None:
    """Each of the 128 ASCII characters, alone and between two words, gives the pattern's
    words (the byte table that makes every other character a space)."""
    for code in range(128):
        line = f"ab{chr(code)}cd"
        assert _ascii_words(line) == _ASCII_WORD.findall(line), repr(chr(code))
        assert _ascii_words(chr(code)) == _ASCII_WORD.findall(chr(code))
    assert _ascii_words("one\x1ctwo\x7fthree\x00four") == ["one", "two", "three", "four"]


def test_the_stored_column_is_compressed_by_isal_and_read_back_by_whooshs_zlib_reader(
        tmp_path: Path) -> None:
    index_dir = tmp_path / "kb"
    apply_changes(index_dir, changes(), rebuild=True, writers=1)
    fresh = FileStorage(str(index_dir)).open_index()
    writer = unlocked_writer(fresh, 64)
    stored = writer.perdocwriter._colwriters["_stored"]._child
    assert type(stored) is CompressedBytesColumn.Writer
    assert (stored._compress, stored._level) == (isal_zlib.compress, STORED_LEVEL)
    writer.cancel()
    # Whoosh's own writer (zlib, level 3) adds a record beside kb's: both read back.
    whooshs = fresh.writer()
    whooshs.add_document(id="x:1", kind="meta", data='{"a":"é"}')
    whooshs.commit()
    with FileStorage(str(index_dir)).open_index().searcher() as searcher:
        assert searcher.document(id="x:1") == {"id": "x:1", "data": '{"a":"é"}'}
        record = searcher.document(id="p:training-1")
        assert record is not None and record["doc_id"] == "training"
        assert json.loads(record["data"])["text"] == ("The panel discussed copyrighted works "
                                                      "and licensing of datasets for machine "
                                                      "learning.")
    assert not fast_stored_column(object())


def test_terms_added_together_are_the_bytes_whooshs_term_index_writes(tmp_path: Path) -> None:
    """add_terms counts each entry's position instead of asking the file: the same file as
    OrderedHashWriter.add one entry at a time, read back the same (lookups and key order)."""
    storage = FileStorage(str(tmp_path)).create()
    entries = [(f"\x00\x01term{i:03d}".encode(), bytes(range(i % 7 + 3))) for i in range(300)]
    for name, add in [("ours", lambda w: (add_terms(w, entries[:120]),
                                          add_terms(w, entries[120:]))),
                      ("theirs", lambda w: [w.add(k, v) for k, v in entries])]:
        writer = OrderedHashWriter(storage.create_file(name))
        writer.add(b"\x00\x00first", b"v")  # one entry already there, written by Whoosh
        add(writer)
        writer.close()
    assert (tmp_path / "ours").read_bytes() == (tmp_path / "theirs").read_bytes()
    reader = OrderedHashReader(storage.open_file("ours"), storage.file_length("ours"))
    try:
        assert reader[b"\x00\x01term150"] == bytes(range(150 % 7 + 3))
        assert list(reader.keys())[:2] == [b"\x00\x00first", b"\x00\x01term000"]
        assert reader.closest_key(b"\x00\x01term1505") == b"\x00\x01term151"
    finally:
        reader.close()


def test_a_term_added_out_of_order_is_refused_as_whoosh_refuses_it(tmp_path: Path) -> None:
    writer = OrderedHashWriter(FileStorage(str(tmp_path)).create().create_file("terms"))
    with pytest.raises(ValueError, match="Keys must increase"):
        add_terms(writer, [(b"b", b"1"), (b"a", b"2")])
    writer.close()


def test_the_term_hash_is_whooshs_md5_hash() -> None:
    keys = [b"", b"\x00\x03copyright", "\x00\x01\u00e9t\u00e9".encode(), bytes(range(256))]
    assert [_md5_hash(key) for key in keys] == [md5_hash(key) for key in keys]
    assert _md5_hash(b"\x00\x03copyright") == 1276629122
