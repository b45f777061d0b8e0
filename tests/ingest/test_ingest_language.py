"""Document language in mixed-language documents: the language most of its words are in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.enrich.language import (
    _LATIN_STOPWORDS,
    _latin_language,
    detect_language,
    majority_language,
    majority_of,
)
from kb.registry import Registry

from .conftest import FIXTURES, document

MOSTLY_FRENCH = FIXTURES / "languages" / "mostly_french.md"
ENGLISH = "It is the view of the one who was in the chair that all of this is for the best."
FRENCH = ("Données d'entraînement, licences collectives, exceptions pour la fouille de textes et "
          "de données, transparence des corpus : voilà les thèmes principaux retenus.")


def test_a_mostly_french_document_with_an_english_paragraph_is_french(
        tmp_path: Path, registry: Registry) -> None:
    path = Path(shutil.copy(MOSTLY_FRENCH, tmp_path / MOSTLY_FRENCH.name))
    doc = document([path], registry, path.name)
    # The English paragraph carries more function words than all the French ones together,
    # so a count over the whole text would say English; by words, three French paragraphs win.
    assert detect_language(doc.text) == "en"
    paragraphs = doc.text.split("\n\n")
    assert [(detect_language(p), len(p.split())) for p in paragraphs] == [
        ("en", 44), ("fr", 26), ("fr", 21), ("fr", 26)]
    assert doc.language == "fr"
    assert [p.language for p in doc.passages] == [""]  # one mostly French passage


def test_a_section_in_another_language_is_tagged_for_its_own_stemming(
        tmp_path: Path, registry: Registry) -> None:
    path = tmp_path / "bilingue.md"
    path.write_text(
        "# Conversation de l'OMPI\n\n" + "\n\n".join([FRENCH] * 3)
        + "\n\n## English summary\n\n"
        + "The delegates said that the use of copyrighted works for the training of the models "
          "should be licensed, and that the creators of these works should be paid for it.\n",
        encoding="utf-8")
    doc = document([path], registry, path.name)
    assert doc.language == "fr"
    assert [(p.heading, p.language) for p in doc.passages] == [
        ("Conversation de l'OMPI", ""), ("English summary", "en")]


def test_each_paragraph_votes_with_its_word_count() -> None:
    assert majority_language([ENGLISH, FRENCH]) == "fr"
    assert majority_language([ENGLISH, ENGLISH, ENGLISH, FRENCH]) == "en"
    assert majority_language([ENGLISH, "Merci.", "Thank you."]) == "en"


def test_short_paragraphs_decide_together_and_a_tie_is_undetermined() -> None:
    assert majority_language(["The chair of the session.", "It was on the agenda for the day.",
                              "That is all."]) == "en"
    assert majority_language(["12345", "67890"]) == "und"
    assert majority_language(["Le chat est sur la table et il dort.",
                              "The cat is on the table and it sleeps."]) == "und"


@pytest.mark.parametrize(("text", "language"), [
    ("Dialogue de l'OMPI sur la propriété intellectuelle", "fr"),
    ("La segunda sesión del Diálogo de la OMPI", "es"),
    ("List of Participants. Argentina, Australia, Brazil, Canada", "en"),
    ("WIPO Conversation on IP and Frontier Technologies", "en"),
    ("第二届会议 WIPO PATENTSCOPE", "zh"),
    ("Вторая сессия Дискуссии ВОИС (WIPO)", "ru"),
    ("الدورة الثانية لمحادثة الويبو WIPO", "ar"),
    ("Argentina, Australia, Brazil", "und"),
])
def test_short_texts_get_their_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_only_the_languages_with_latin_stop_words_count_them_among_latin_words() -> None:
    """Russian's stop words are Cyrillic: among Latin words its count is zero, without a pass
    over them; the decision is the same."""
    assert list(_LATIN_STOPWORDS) == ["en", "es", "fr"]
    for text, language in (("the session and the panel of the day", "en"),
                           ("la session et le panel de la journée", "fr")):
        assert _latin_language(text, text.split(" ")) == language


def test_the_majority_of_detected_paragraphs() -> None:
    # One language among the votes wins whatever its words, "und" paragraphs aside.
    assert majority_of([("a", "und", 9), ("b", "fr", 0), ("c", "fr", 3)]) == "fr"
    # Several: the most words win, a tie is undetermined.
    assert majority_of([("a", "en", 5), ("b", "fr", 7), ("c", "en", 3)]) == "en"
    assert majority_of([("a", "en", 5), ("b", "fr", 5)]) == "und"
    # No vote at all: the paragraphs' text together decides.
    text = "the delegates and the panel of the session were in the room with the chair"
    assert majority_of([(text, "und", 15)]) == "en"
