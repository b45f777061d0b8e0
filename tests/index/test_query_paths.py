"""The cheaper query paths of issue #10's 300k tail: the same answers as before, exactly.

The slowest queries at 300,000 passages hold one word found in most passages, so their
result sets cover most of the index: counting facet documents, finding a result's documents,
scoring and ranking each hit's further passages are done without a pass over every docnum per
hit or per pair, and what a generation can keep (length normalisation, joined posting lists,
parsed records) is kept.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index import KbIndex, apply_changes, open_index
from index.postings import read_postings
from index.search import best_of
from index.snapshot import FacetRuns, FacetTable, ScoreTerm
from kb.model import ChangeSet, ManifestEntry, SearchRequest
from tests.index.fixtures import changes, doc

#: Two documents: records 0-3 (document record 0) and 4-7 (document record 4).
_GROUP_OF = np.array([0, 0, 0, 0, 1, 1, 1, 1])
#: Value "a" on passages 1, 2, 3 (document 0) and 5, 6 (document 1); "b" on 2 and 6.
_TABLE = FacetTable(["a", "b"], np.array([1, 2, 3, 5, 6, 2, 6], dtype=np.int32),
                    np.array([0, 0, 0, 0, 0, 1, 1]))


def _scope(*docnums: int) -> np.ndarray:
    mask = np.zeros(8, dtype=bool)
    mask[list(docnums)] = True
    return mask


def test_facet_runs_are_one_per_value_and_document() -> None:
    runs = FacetRuns.build(_TABLE, _GROUP_OF)
    assert runs.run_of.tolist() == [0, 0, 0, 1, 1, 2, 3]
    assert runs.codes.tolist() == [0, 0, 1, 1]
    assert runs.sizes.tolist() == [3, 2, 1, 1]
    assert runs.per_code.tolist() == [2, 2]


def test_facet_runs_count_documents_from_the_pairs_in_scope_or_those_outside() -> None:
    runs = FacetRuns.build(_TABLE, _GROUP_OF)
    # Few pairs in scope (2 of 7): counted from those pairs.
    assert runs.documents_per_value(_scope(2)).tolist() == [1, 1]
    assert runs.documents_per_value(_scope(1, 3)).tolist() == [1, 0]
    assert runs.documents_per_value(_scope()).tolist() == [0, 0]
    # Most pairs in scope: every value's documents, less those whose pairs are all outside.
    assert runs.documents_per_value(_scope(1, 2, 3, 6)).tolist() == [2, 2]
    assert runs.documents_per_value(_scope(1, 2, 3, 4, 7)).tolist() == [1, 1]
    assert runs.documents_per_value(_scope(0, 1, 2, 3, 5)).tolist() == [2, 1]
    assert runs.documents_per_value(_scope(*range(8))).tolist() == [2, 2]


def test_facet_documents_with_a_word_in_most_passages(kbindex: KbIndex) -> None:
    # Every passage is in scope when browsing: the topic facet (one value per document here)
    # and the speaker facet (values per passage) both count documents.
    result = kbindex.search(SearchRequest(query=""))
    assert [(v.value, v.count) for v in result.facets["topic"]] == [
        ("copyright", 3), ("training-data", 3), ("deepfakes", 1), ("metaverse", 1),
        ("patents", 1)]
    assert [(v.value, v.count) for v in result.facets["speaker"]] == [
        ("Daren Tang", 1), ("Sylvie Forbin", 1)]
    # Only Sylvie Forbin's passage holds "respect": Daren Tang's two are out of scope.
    result = kbindex.search(SearchRequest(query="respect"))
    assert [(v.value, v.count) for v in result.facets["speaker"]] == [("Sylvie Forbin", 1)]


def test_documents_of_a_result_set_are_the_runs_it_touches(kbindex: KbIndex) -> None:
    snap = kbindex._snap
    assert snap.doc_starts.tolist() == [0, 4, 7, 10, 14, 16]
    assert np.flatnonzero(snap.groups_in(snap.mask([12, 13]))).tolist() == [3]
    assert np.flatnonzero(snap.groups_in(snap.mask([1, 16, 19]))).tolist() == [0, 5]
    assert snap.groups_in(snap.empty()).tolist() == [False] * 6
    assert snap.count_groups(snap.passages) == 6


def test_an_index_without_documents_has_no_groups(tmp_path: Path) -> None:
    apply_changes(tmp_path, changes([]))
    with open_index(tmp_path) as ix:
        assert ix._snap.groups_in(ix._snap.passages).tolist() == []
        assert ix.search(SearchRequest(query="")).total == 0


def test_bm25_equals_the_per_posting_formula(kbindex: KbIndex) -> None:
    snap = kbindex._snap
    terms = [ScoreTerm("body", ("copyright", "copyrighted"), "copyright", 0.3),
             ScoreTerm("title", ("training",), weight=0.5)]
    expected = np.zeros(snap.size, dtype=np.float32)
    for term in terms:  # as every posting was scored before the normalisation was kept
        ids, tf = snap.term_frequencies(term)
        lengths, average = snap.lengths(term.field)
        idf = np.log(1.0 + (snap.passage_count - len(ids) + 0.5) / (len(ids) + 0.5))
        norm = 2.0 * (1.0 - 0.75 + 0.75 * lengths[ids] / average)
        expected[ids] += term.weight * idf * tf * (2.0 + 1.0) / (tf + norm)
    scores = snap.bm25(terms, 2.0, 0.75)
    assert np.array_equal(scores, expected)
    assert {int(n): round(float(scores[n]), 6) for n in np.flatnonzero(scores)} == {
        1: 0.856241, 2: 1.98495, 3: 0.856241, 5: 1.252761, 11: 1.379664, 18: 1.086239}
    norms = snap.norms("body", 2.0, 0.75)
    assert snap.norms("body", 2.0, 0.75) is norms
    assert [round(float(n), 6) for n in norms[[1, 2, 5]]] == [2.016667, 2.016667, 2.233333]


def test_further_passages_rank_within_their_document(kbindex: KbIndex) -> None:
    scored = kbindex.search(SearchRequest(query="data training"))
    assert [(h.passage_id, h.score, [(m.passage_id, m.score) for m in h.more])
            for h in scored.hits] == [
        ("training-0", 2.8518, [("training-2", 1.4686), ("training-1", 1.2963)]),
        ("transcript-2", 2.573, [("transcript-0", 2.3123), ("transcript-1", 2.3123)])]
    browsed = kbindex.search(SearchRequest(query="", sort="date-asc"))
    assert [(h.passage_id, [m.passage_id for m in h.more]) for h in browsed.hits] == [
        ("papers-0", ["papers-1"]), ("metaverse-0", ["metaverse-1"]),
        ("training-0", ["training-1", "training-2"]),
        ("transcript-0", ["transcript-1", "transcript-2"]), ("francais-0", []),
        ("output-0", ["output-1"])]
    # A page past the last document shows nothing, with or without further passages.
    assert kbindex.search(SearchRequest(query="data training", page=3, page_size=1)).hits == []
    assert [len(h.more) for h in kbindex.search(
        SearchRequest(query="data training", page=2, page_size=1)).hits] == [2]


def test_best_of_ranks_given_candidates_ties_by_the_tiebreak() -> None:
    tiebreak = np.array([0, 0, 0, 5, 0, 4, 0, 3, 0, 1])
    candidates = np.array([3, 5, 7, 9])
    values = np.array([1.0, 2.0, 2.0, 0.5], dtype=np.float32)
    assert best_of(candidates, values, 2, tiebreak) == [(2.0, 7), (2.0, 5)]
    assert best_of(candidates, values, 9, tiebreak) == [(2.0, 7), (2.0, 5), (1.0, 3),
                                                        (0.5, 9)]
    assert best_of(candidates, values, 0, tiebreak) == []
    assert best_of(candidates[:0], values[:0], 3, tiebreak) == []


def test_one_segment_lists_are_views_several_are_joined_once(tmp_path: Path) -> None:
    apply_changes(tmp_path, changes(registry="r1"))
    with open_index(tmp_path) as ix:
        snap = ix._snap
        ids, _ = snap.postings("body", "copyright")
        assert ids.base is not None and snap._postings.keys() == []
    later = doc("later", "Added later", ["Copyright of later works."], date="2025-01-01")
    apply_changes(tmp_path, ChangeSet(upserts=[later], manifest=[
        ManifestEntry(source=later.source, doc_id="later", content_hash="h-later")]))
    with open_index(tmp_path) as ix:
        snap = ix._snap
        assert snap._segments is not None and len(snap._segments) == 2
        found = snap.postings("body", "copyright")
        assert snap.postings("body", "copyright") is found
        assert snap._postings.keys() == [("body", "copyright")]
        expected = read_postings(snap.reader, "body", "copyright")
        assert found[0].tolist() == expected[0].tolist() == [5, 11, 18, 28]
        assert ix.search(SearchRequest(query="copyright")).total == 5
