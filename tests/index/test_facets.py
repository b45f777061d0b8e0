"""Facet counts: whole result set, OR within a facet, AND across, tag/exclude, both units."""

from __future__ import annotations

from pathlib import Path

from index import KbIndex, apply_changes, open_index
from kb.model import FacetValue, SearchRequest
from tests.index.fixtures import changes, corpus, doc


def _counts(values: list[FacetValue]) -> list[tuple[str, int, bool]]:
    return [(v.value, v.count, v.selected) for v in values]


def test_counts_without_selection(kbindex: KbIndex) -> None:
    result = kbindex.search(SearchRequest(query="copyright"))
    assert _counts(result.facets["session"]) == [("2", 1, False), ("9", 2, False),
                                                 ("10", 1, False)]
    assert _counts(result.facets["year"]) == [("2024", 3, False), ("2020", 1, False)]
    assert _counts(result.facets["type"]) == [("session-page", 2, False), ("paper", 1, False),
                                              ("transcript", 1, False)]
    assert [v.label for v in result.facets["type"]] == ["Session page", "Paper", "Transcript"]
    assert list(result.facets) == ["session", "topic", "type", "year", "speaker", "language",
                                   "source"]


def test_multi_select_or_within_and_across_with_tag_exclude(kbindex: KbIndex) -> None:
    result = kbindex.search(SearchRequest(query="copyright", sessions=[9, 10],
                                          types=["transcript"]))
    assert [h.doc_id for h in result.hits] == ["transcript"]
    assert result.total == 1
    # sessions counted with the type selection only; 10 stays listed though it has 0 now
    assert _counts(result.facets["session"]) == [("9", 1, True), ("10", 0, True)]
    # types counted with the session selection only
    assert _counts(result.facets["type"]) == [("session-page", 2, False),
                                              ("transcript", 1, True)]
    assert _counts(result.facets["year"]) == [("2024", 1, False)]
    assert _counts(result.facets["speaker"]) == [("Daren Tang", 1, False)]


def test_selected_value_absent_from_index_is_listed(kbindex: KbIndex) -> None:
    result = kbindex.search(SearchRequest(query="", topics=["no-such-topic"]))
    assert result.total == 0 and result.hits == []
    assert ("no-such-topic", 0, True) in _counts(result.facets["topic"])
    assert _counts(result.facets["language"]) == []


def test_grouped_counts_documents_flat_counts_passages(kbindex: KbIndex) -> None:
    grouped = kbindex.search(SearchRequest(query="data"))
    flat = kbindex.search(SearchRequest(query="data", group="flat"))
    assert (grouped.total, flat.total) == (2, 4)
    assert _counts(grouped.facets["speaker"]) == [("Daren Tang", 1, False),
                                                  ("Sylvie Forbin", 1, False)]
    assert _counts(flat.facets["speaker"]) == [("Daren Tang", 2, False),
                                               ("Sylvie Forbin", 1, False)]


def test_selections_in_two_facets_filter_each_other(kbindex: KbIndex) -> None:
    result = kbindex.search(SearchRequest(query="", languages=["en", "fr"], years=[2024]))
    assert result.total == 4
    assert _counts(result.facets["language"]) == [("en", 3, True), ("fr", 1, True)]
    assert _counts(result.facets["source"]) == [("www.wipo.int", 3, False),
                                                ("www.ompi.int", 1, False)]


def test_passage_level_sessions_count_only_matching_passages(tmp_path: Path) -> None:
    overview = doc("overview", "Previous sessions", [
        "The seventh session covered the metaverse and NFTs.",
        "The ninth session covered training data and remuneration.",
    ], doc_type="page", sessions=[7, 9], passage_sessions=[[7], [9]])
    apply_changes(tmp_path, changes([overview, *corpus()[:1]]))
    with open_index(tmp_path) as ix:
        result = ix.search(SearchRequest(query="remuneration"))
        assert _counts(result.facets["session"]) == [("9", 2, False)]
        # equal counts are ordered by label: "Session page" before "Web page"
        assert _counts(result.facets["type"]) == [("session-page", 1, False),
                                                  ("page", 1, False)]
        nfts = ix.search(SearchRequest(query="nfts", sessions=[9]))
        assert nfts.total == 0
        assert _counts(nfts.facets["session"]) == [("7", 1, False), ("9", 0, True)]
