"""Search behaviour on the crafted corpus in fixtures.py, with exact expected values."""

from __future__ import annotations

import pytest

from index import KbIndex
from kb.model import SearchRequest


def _docs(kbindex: KbIndex, query: str, **options: object) -> list[str]:
    return [h.doc_id for h in kbindex.search(SearchRequest(query=query, **options)).hits]


def test_stemming_finds_copyright_from_copyrighted(kbindex: KbIndex) -> None:
    result = kbindex.search(SearchRequest(query="copyrighted"))
    assert result.total == 4
    assert sorted(h.doc_id for h in result.hits) == ["output", "papers", "training", "transcript"]


def test_phrase_matches_exact_sequence_only(kbindex: KbIndex) -> None:
    phrase = kbindex.search(SearchRequest(query='"training data"', group="flat"))
    assert sorted(h.passage_id for h in phrase.hits) == ["training-0", "transcript-0"]
    words = kbindex.search(SearchRequest(query="training AND data", group="flat"))
    assert sorted(h.passage_id for h in words.hits) == [
        "training-0", "transcript-0", "transcript-1", "transcript-2"]


def test_all_words_rank_before_some_words(kbindex: KbIndex) -> None:
    result = kbindex.search(SearchRequest(query="fair remuneration for performers voice",
                                          group="flat"))
    assert [h.passage_id for h in result.hits][:2] == ["training-0", "training-2"]
    assert result.total == 4  # passages with only some of the words still come back


def test_missing_word_never_empties_a_long_question(kbindex: KbIndex) -> None:
    result = kbindex.search(SearchRequest(query="what did creators say about zyxwvut remuneration"))
    assert [h.doc_id for h in result.hits][0] == "training"


def test_accent_folding_both_ways(kbindex: KbIndex) -> None:
    assert _docs(kbindex, "propriete") == ["francais"]
    assert _docs(kbindex, "PROPRIÉTÉ") == ["francais"]
    assert _docs(kbindex, "remuneration equitable") == ["francais", "training"]


def test_title_weight_ranks_title_match_first(kbindex: KbIndex) -> None:
    assert _docs(kbindex, "metaverse")[0] == "metaverse"


def test_field_queries(kbindex: KbIndex) -> None:
    assert _docs(kbindex, "title:metaverse") == ["metaverse"]
    assert _docs(kbindex, 'speaker:"sylvie forbin"') == ["transcript"]
    flat = kbindex.search(SearchRequest(query="speaker:tang", group="flat"))
    assert [h.passage_id for h in flat.hits] == ["transcript-0", "transcript-2"]
    assert _docs(kbindex, "copyright type:paper") == ["papers"]
    assert _docs(kbindex, "lang:french") == ["francais"]
    assert _docs(kbindex, "session:10") == ["output"]
    assert _docs(kbindex, "topic:deepfakes") == ["output"]


def test_date_ranges(kbindex: KbIndex) -> None:
    assert _docs(kbindex, "date:2023..2024-03-13") == ["training", "metaverse"]
    assert _docs(kbindex, "date:2020") == ["papers"]
    assert _docs(kbindex, "date:..2021") == ["papers"]
    assert _docs(kbindex, "date:2024-11..") == ["output"]


def test_boolean_operators(kbindex: KbIndex) -> None:
    assert _docs(kbindex, "copyright -training", sort="date-asc") == ["papers", "output"]
    assert _docs(kbindex, "copyright NOT session:9", sort="date") == ["output", "papers"]
    assert _docs(kbindex, "metaverse OR deepfakes", sort="date-asc") == ["metaverse", "output"]
    assert _docs(kbindex, "(nfts OR inventorship) AND blockchain") == ["metaverse"]


def test_prefix_wildcard(kbindex: KbIndex) -> None:
    result = kbindex.search(SearchRequest(query="invent*", group="flat"))
    assert [h.passage_id for h in result.hits] == ["papers-0"]
    assert "<mark>Inventorship</mark>" in result.hits[0].snippet
    assert "<mark>inventions</mark>" in result.hits[0].snippet


def test_understood_shows_the_parsed_query(kbindex: KbIndex) -> None:
    result = kbindex.search(SearchRequest(query='"training data" -music session:9 copy*'))
    assert result.understood == ('(all of ("training data" copy*) first, then most of them) '
                                 'AND session:9 AND NOT music')


def test_grouped_and_flat_totals(kbindex: KbIndex) -> None:
    grouped = kbindex.search(SearchRequest(query="training"))
    flat = kbindex.search(SearchRequest(query="training", group="flat"))
    assert (grouped.total, grouped.unit) == (2, "documents")
    assert (flat.total, flat.unit) == (6, "passages")
    first = grouped.hits[0]
    assert (first.doc_id, [m.passage_id for m in first.more]) == (
        "training", ["training-2", "training-1"])


def test_more_per_document_is_respected(kbindex: KbIndex) -> None:
    result = kbindex.search(SearchRequest(query="training", more_per_document=0))
    assert [len(h.more) for h in result.hits] == [0, 0]


def test_snippet_escapes_and_marks(kbindex: KbIndex) -> None:
    hit = kbindex.search(SearchRequest(query="entrainement", group="flat")).hits[0]
    assert hit.snippet == ("Les créateurs demandent une rémunération équitable pour les "
                           "données d&#x27;<mark>entraînement</mark>.")


def test_browse_sorts_newest_first_then_by_position(kbindex: KbIndex) -> None:
    result = kbindex.search(SearchRequest(query="", sessions=[9], group="flat"))
    assert [h.passage_id for h in result.hits] == [
        "francais-0", "transcript-0", "transcript-1", "transcript-2", "training-0",
        "training-1", "training-2"]
    oldest = kbindex.search(SearchRequest(query="", sessions=[9], group="flat",
                                          sort="date-asc"))
    assert [h.passage_id for h in oldest.hits] == [
        "training-0", "training-1", "training-2", "transcript-0", "transcript-1",
        "transcript-2", "francais-0"]
    assert oldest.hits[0].snippet == ("Creators asked for fair remuneration when their works "
                                      "are used as training data.")


def test_sort_by_date_newest_first(kbindex: KbIndex) -> None:
    assert _docs(kbindex, "copyright", sort="date") == ["output", "transcript", "training",
                                                        "papers"]


def test_paging_and_clamping(kbindex: KbIndex) -> None:
    page2 = kbindex.search(SearchRequest(query="", page=2, page_size=4))
    assert [h.doc_id for h in page2.hits] == ["metaverse", "papers"]
    clamped = kbindex.search(SearchRequest(query="", page=0, page_size=1000))
    assert (clamped.page, clamped.page_size, len(clamped.hits)) == (1, 100, 6)
    tiny = kbindex.search(SearchRequest(query="", page_size=0))
    assert (tiny.page_size, len(tiny.hits), tiny.pages) == (1, 1, 6)


def test_did_you_mean_from_unstemmed_vocabulary(kbindex: KbIndex) -> None:
    result = kbindex.search(SearchRequest(query="metavers remuneraton"))
    assert result.suggestion == "metaverse remuneration"
    assert kbindex.search(SearchRequest(query="metaverse")).suggestion == ""


def test_similar_passages_come_from_other_documents(kbindex: KbIndex) -> None:
    hits = kbindex.similar("training-0", limit=3)
    assert [h.passage_id for h in hits] == ["transcript-1", "transcript-2", "transcript-0"]
    assert kbindex.similar("no-such-passage") == []


def test_document_and_passage_lookup(kbindex: KbIndex) -> None:
    doc = kbindex.document("training")
    assert doc is not None
    assert [p.passage_id for p in doc.passages] == ["training-0", "training-1", "training-2"]
    assert (doc.title, doc.doc_type, doc.sessions) == ("Training the machines", "session-page", [9])
    passage = kbindex.passage("transcript-1")
    assert passage is not None and passage.speaker == "Sylvie Forbin"
    assert kbindex.document("nope") is None and kbindex.passage("nope") is None


def test_stats(kbindex: KbIndex) -> None:
    stats = kbindex.stats()
    assert (stats["documents"], stats["passages"], stats["generation"]) == (6, 13, 1)
    assert stats["facets"]["session"] == {"2": 1, "7": 1, "9": 3, "10": 1}
    assert stats["facets"]["language"] == {"en": 5, "fr": 1}


@pytest.mark.parametrize("sort", ["relevance", "date", "date-asc", "bogus"])
def test_every_sort_answers(kbindex: KbIndex, sort: str) -> None:
    result = kbindex.search(SearchRequest(query="copyright", sort=sort))
    assert result.total == 4
    assert ("Unknown sort 'bogus'; sorted by relevance." in result.notes) == (sort == "bogus")
