"""The fast paths behind search: numpy postings, document groups, highlighting, parsing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from whoosh.filedb.filestore import FileStorage

from index import KbIndex, apply_changes, open_index
from index.highlight import Highlighter, snippet
from index.postings import field_lengths, read_postings
from index.query import parse, render
from kb.model import ChangeSet
from tests.index.fixtures import changes, corpus, doc


def _several_commits(path: Path) -> None:
    apply_changes(path, changes())
    apply_changes(path, ChangeSet(upserts=[doc("extra", "Extra", ["copyright one", "two"])]))
    apply_changes(path, ChangeSet(deletes=["output"]))
    apply_changes(path, ChangeSet(upserts=[corpus()[0]]))  # replace "training" again


def test_postings_match_whoosh_across_segments_and_deletions(tmp_path: Path) -> None:
    _several_commits(tmp_path)
    with FileStorage(str(tmp_path)).open_index().searcher() as searcher:
        reader = searcher.reader()
        for field, term in [("body", "copyright"), ("body", "data"), ("kind", "passage")]:
            ids, weights = read_postings(reader, field, term)
            expected = list(reader.postings(field, term).all_ids())
            assert ids.tolist() == expected
            assert len(weights) == len(expected)
        lengths = field_lengths(reader, "body")
        assert lengths.tolist() == [reader.doc_field_length(n, "body", 0) or 0
                                    for n in range(reader.doc_count_all())]


def test_a_segment_without_a_field_s_lengths_gives_zeros_as_whoosh_does(tmp_path: Path) -> None:
    from index.internals import length_column

    _several_commits(tmp_path)
    with FileStorage(str(tmp_path)).open_index().searcher() as searcher:
        reader = searcher.reader()
        subs = [sub for sub, _ in reader.leaf_readers()]
        # "extra" has no heading and no speaker; the commit that only deletes writes the
        # meta records alone (no body either); the last has headings but no speaker.
        missing = {field: [length_column(sub, field) is None for sub in subs]
                   for field in ("body", "heading", "speaker_words")}
        assert missing == {"body": [False, False, True, False],
                           "heading": [False, True, True, False],
                           "speaker_words": [False, True, True, True]}
        for field in missing:
            expected = [reader.doc_field_length(n, field, 0) or 0
                        for n in range(reader.doc_count_all())]
            assert field_lengths(reader, field).tolist() == expected
        assert sum(1 for n in field_lengths(reader, "speaker_words") if n) == 3


def test_every_passage_maps_to_its_own_document(tmp_path: Path) -> None:
    _several_commits(tmp_path)
    with open_index(tmp_path) as ix:
        snap = ix._snap
        searcher = ix._searcher
        starts = snap.doc_starts
        for number in np.flatnonzero(snap.passages):
            passage_doc = searcher.stored_fields(int(number))["doc_id"]
            record = searcher.stored_fields(int(starts[snap.group_of[number]]))
            assert record["doc_id"] == passage_doc
        assert snap.count_groups(snap.passages) == 6


def test_stem_forms_come_from_the_index(kbindex: KbIndex) -> None:
    snap = kbindex._snap
    assert snap.forms("body", "copyrighted") == ("copyright", "copyrighted")
    assert snap.forms("body", "training") == ("training",)
    # the French document's words are found through the French stemmer
    assert snap.forms("body", "remuneration") == ("remuneration",)
    assert snap.forms("body", "zzzz") == ()


def test_highlighter_marks_forms_with_and_without_accents() -> None:
    marker = Highlighter({"happy", "happiness", "copyrighted", "donnees"})
    text = "Happiness? The happy, happier authors copyrighted; copy-editing. Données, DONNÉES."
    assert marker.snippet(text) == (
        "<mark>Happiness</mark>? The <mark>happy</mark>, happier authors "
        "<mark>copyrighted</mark>; copy-editing. <mark>Données</mark>, <mark>DONNÉES</mark>.")
    # words in other scripts are found by the full scan
    assert snippet("Право и права.", {"право"}) == "<mark>Право</mark> и права."


def test_snippet_window_and_escaping() -> None:
    text = ("Opening words. " * 30) + "The <b>training</b> & data part. " + ("Closing. " * 40)
    result = snippet(text, {"training"})
    assert result.startswith("…") and result.endswith("…")
    assert "&lt;b&gt;<mark>training</mark>&lt;/b&gt; &amp; data part." in result
    assert len(result.replace("<mark>", "").replace("</mark>", "")) < 360
    plain = snippet(text, set())
    assert plain.startswith("Opening words. Opening words.") and plain.endswith("…")


def test_parse_renders_structure() -> None:
    cases = {
        "copyright training data": "all of (copyright training data) first, then most of them",
        '"training data" -music session:9': '"training data" AND session:9 AND NOT music',
        "a AND b OR c": "(a AND b) OR c",
        "(a OR b) c": "all of ((a OR b) c) first, then most of them",
        "state-of-the-art": '"state of the art"',
        "title:x-y z": 'z AND title:"x y"',
        "date:2023..2024 ai": "ai AND date:2023..2024",
        "date:..2021": "date:..2021",
        "<b>hi</b>": "all of (b hi b) first, then most of them",
    }
    assert {q: render(parse(q).root) for q in cases} == cases
