"""A query read through the glossary: other languages' forms, acronyms spelled out, ranked below
the words typed, listed in ``also_searched``, and switched off with ``expand=False``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index import KbIndex, apply_changes, open_index
from kb.glossary import parse_glossary
from kb.model import ChangeSet, SearchRequest
from tests.index.fixtures import doc

GLOSSARY = Path(__file__).parent / "fixtures" / "glossary.toml"


@pytest.fixture(scope="module")
def ix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KbIndex]:
    docs = [
        doc("en-deepfake", "Personality rights", [
            "Deepfakes imitate the voice and likeness of performers."], date="2025-10-28"),
        doc("fr-deepfake", "Droits de la personnalité", [
            "Les hypertrucages imitent la voix des artistes interprètes."], language="fr",
            date="2025-10-28"),
        doc("es-deepfake", "Derechos de la personalidad", [
            "Los ultrafalsos imitan la voz de los artistas."], language="es", date="2025-10-28"),
        doc("zh-deepfake", "人格权", ["深度伪造模仿表演者的声音。"], language="zh",
            date="2025-10-28"),
        doc("en-tdm", "Licensing", [
            "Text and data mining of protected works needs a licence in some countries."],
            date="2024-03-13"),
        doc("en-tdm-acronym", "Exceptions", [
            "Exceptions for TDM differ between countries."], date="2024-03-13"),
        doc("fr-tdm", "Exceptions en France", [
            "La fouille de textes et de données est permise pour la recherche."],
            language="fr", date="2024-03-13"),
        doc("en-sme", "Advice", ["Small firms: SMEs need affordable advice on patents."],
            date="2022-04-06"),
    ]
    path = tmp_path_factory.mktemp("expansion") / "ix"
    apply_changes(path, ChangeSet(upserts=docs))
    index = open_index(path)
    index.use_glossary(parse_glossary(GLOSSARY, GLOSSARY.read_text(encoding="utf-8")))
    yield index
    index.close()


def _search(ix: KbIndex, query: str, **options: object) -> tuple[list[str], list[str], str]:
    result = ix.search(SearchRequest(query=query, **options))  # type: ignore[arg-type]
    return [h.doc_id for h in result.hits], result.also_searched, result.understood


def test_a_term_finds_its_forms_in_every_language_the_typed_word_first(ix: KbIndex) -> None:
    found, also, understood = _search(ix, "deepfake")
    assert found[0] == "en-deepfake"
    assert sorted(found[1:]) == ["es-deepfake", "fr-deepfake", "zh-deepfake"]
    assert also == ["hypertrucage", "ultrafalso", "深度伪造"]
    assert understood == "deepfake"


def test_a_french_form_typed_finds_the_english_page_below_the_french_one(ix: KbIndex) -> None:
    found, also, _ = _search(ix, "hypertrucages")
    assert found[0] == "fr-deepfake"
    assert sorted(found) == ["en-deepfake", "es-deepfake", "fr-deepfake", "zh-deepfake"]
    assert also == ["deepfake", "ultrafalso", "深度伪造"]


def test_expanded_terms_score_below_the_typed_word(ix: KbIndex) -> None:
    result = ix.search(SearchRequest(query="deepfake"))
    scores = {h.doc_id: h.score for h in result.hits}
    assert scores["en-deepfake"] > max(scores["fr-deepfake"], scores["es-deepfake"],
                                       scores["zh-deepfake"])


def test_an_acronym_finds_its_spelled_out_form_and_back(ix: KbIndex) -> None:
    found, also, _ = _search(ix, "TDM")
    assert found[0] == "en-tdm-acronym"
    assert sorted(found[1:]) == ["en-tdm", "fr-tdm"]
    assert also == ["text and data mining", "fouille de textes et de données"]
    found, also, understood = _search(ix, "text and data mining")
    assert found[0] == "en-tdm"
    assert set(found) == {"en-tdm", "en-tdm-acronym", "fr-tdm"}
    assert also == ["TDM", "fouille de textes et de données"]
    assert understood == "all of (text data mining) first, then most of them"


def test_expansion_switched_off_searches_the_words_typed(ix: KbIndex) -> None:
    assert _search(ix, "deepfake", expand=False) == (["en-deepfake"], [], "deepfake")
    assert _search(ix, "TDM", expand=False) == (["en-tdm-acronym"], [], "TDM")


def test_a_lower_case_acronym_plural_is_the_acronym_even_unexpanded(ix: KbIndex) -> None:
    assert _search(ix, "smes", expand=False)[0] == ["en-sme"]
    assert _search(ix, "smes")[1] == ["small and medium-sized enterprises", "PME"]


def test_only_the_languages_searched_are_added(ix: KbIndex) -> None:
    found, also, _ = _search(ix, "deepfake", languages=["fr"])
    assert (found, also) == (["fr-deepfake"], ["hypertrucage"])


def test_words_after_not_and_in_a_field_are_not_expanded(ix: KbIndex) -> None:
    # Had the NOT been expanded, "hypertrucage" would have excluded the English page too.
    found, also, _ = _search(ix, "deepfake -hypertrucage")
    assert found[0] == "en-deepfake"
    assert sorted(found[1:]) == ["es-deepfake", "zh-deepfake"]
    assert also == ["hypertrucage", "ultrafalso", "深度伪造"]
    assert _search(ix, "title:deepfake")[1] == []


def test_the_expanded_forms_are_marked_in_snippets(ix: KbIndex) -> None:
    hits = ix.search(SearchRequest(query="deepfake")).hits
    snippets = {h.doc_id: h.snippet for h in hits}
    assert "<mark>hypertrucages</mark>" in snippets["fr-deepfake"]
    assert "<mark>深度</mark><mark>伪造</mark>" in snippets["zh-deepfake"]


def test_without_a_glossary_nothing_is_expanded(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    apply_changes(path, ChangeSet(upserts=[doc("a", "A", ["Deepfakes and hypertrucages."])]))
    with open_index(path) as index:
        result = index.search(SearchRequest(query="deepfake"))
    assert (result.total, result.also_searched) == (1, [])


def test_an_index_in_one_language_adds_only_that_languages_forms(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    apply_changes(path, ChangeSet(upserts=[
        doc("a", "A", ["Exceptions for TDM."]), doc("b", "B", ["Deepfakes of voices."])]))
    with open_index(path) as index:
        index.use_glossary(parse_glossary(GLOSSARY, GLOSSARY.read_text(encoding="utf-8")))
        result = index.search(SearchRequest(query="deepfake TDM"))
        assert result.also_searched == ["text and data mining"]
        assert result.total == 2
        # The Chinese forms were never needed, so never segmented.
        assert [form.text for form in index.glossary.chinese] == ["深度伪造"]


def test_an_acronym_in_capitals_is_no_stop_word_beside_french_pages(tmp_path: Path) -> None:
    path = tmp_path / "ix"
    apply_changes(path, ChangeSet(upserts=[
        doc("en", "Generative AI", ["Generative AI and copyright."]),
        doc("fr", "IA", ["J'ai lu le rapport sur l'IA générative."], language="fr"),
    ]))
    with open_index(path) as index:
        typed = index.search(SearchRequest(query="AI", expand=False))
        assert ([h.doc_id for h in typed.hits], typed.understood) == (["en"], "AI")
        # Lower case, it is the French stop word, which no page indexes.
        assert index.search(SearchRequest(query="ai", expand=False)).total == 0
        assert index.search(SearchRequest(query="copyright AND the")).total == 1
        assert index.search(SearchRequest(query="the AND of")).total == 0


def test_a_lower_case_acronym_plural_is_never_respelled(ix: KbIndex) -> None:
    result = ix.search(SearchRequest(query="smes"))
    assert (result.total, result.suggestion) == (1, "")
