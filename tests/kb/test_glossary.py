"""glossary.toml: the shipped one loads, a broken one stops with file, line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.glossary import GLOSSARY_FILE, parse_glossary
from kb.registry import RegistryError, load_registry
from tests.conftest import copy_corpus

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def test_the_shipped_glossary_loads_with_six_languages_per_key_term() -> None:
    glossary = load_registry(CORPUS).glossary
    terms = {term.id: term for term in glossary.terms}
    assert len(terms) == 24
    deepfake = terms["deepfake"]
    assert deepfake.all_forms() == [
        ("en", "deepfake"), ("en", "deep fake"), ("fr", "hypertrucage"), ("es", "ultrafalso"),
        ("ru", "дипфейк"), ("ar", "التزييف العميق"), ("zh", "深度伪造")]
    assert terms["text-and-data-mining"].forms["en"] == ("text and data mining", "TDM")
    assert terms["non-fungible-token"].forms["en"] == ("non-fungible token", "NFT")
    for key in ("artificial-intelligence", "generative-ai", "intellectual-property", "deepfake",
                "text-and-data-mining", "non-fungible-token", "large-language-model",
                "small-and-medium-sized-enterprises"):
        assert set(terms[key].forms) == {"en", "fr", "es", "ru", "ar", "zh"}, key


def test_without_a_glossary_file_the_glossary_is_empty(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    (corpus / GLOSSARY_FILE).unlink()
    assert not load_registry(corpus).glossary


_HEAD = '[[term]]\nid = "deepfake"\nen = ["deepfake"]\nfr = "hypertrucage"\n\n'


@pytest.mark.parametrize(("text", "line", "problem"), [
    (_HEAD + '[[term]]\nid = "Deep Fake"\nen = ["a", "b"]\n', 6,
     "term #2: 'id' must be lower-case words joined by hyphens, got 'Deep Fake'"),
    (_HEAD + '[[term]]\nid = "tdm"\nde = ["Text- und Data-Mining"]\nen = ["TDM", "x"]\n', 6,
     "term #2: unknown key(s) de (allowed: ar, en, es, fr, id, note, ru, zh)"),
    (_HEAD + '[[term]]\nid = "tdm"\nen = ["TDM", ""]\n', 6,
     "term #2: 'en' must be a string or a list of non-empty strings, got ['TDM', '']"),
    (_HEAD + '[[term]]\nid = "fakes"\nen = ["fake", "Deepfake"]\n', 6,
     "term #2: the form 'Deepfake' is also given for term 'deepfake'"),
    (_HEAD + '[[term]]\nid = "tdm"\nen = "TDM"\n', 6,
     "term #2: a term needs at least two forms (in one language or several), or it expands "
     "to nothing"),
    (_HEAD + '[[term]]\nid = "deepfake"\nen = ["x", "y"]\n', 6,
     "term #2: term 'deepfake' is listed twice"),
    (_HEAD + '[[term]]\nid = "dash"\nen = ["--", "x"]\n', 6,
     "term #2: the form '--' has no letters"),
    ('[[term]]\nid = "tdm"\nen = ["TDM" "text and data mining"]\n', 3,
     "Unclosed array (at line 3, column 13)"),
])
def test_a_broken_entry_is_reported_with_file_and_line(
        tmp_path: Path, text: str, line: int, problem: str) -> None:
    path = tmp_path / GLOSSARY_FILE
    with pytest.raises(RegistryError) as caught:
        parse_glossary(path, text)
    assert str(caught.value) == f"{path}:{line}: {problem}"
