"""A passage's paragraphs and words, tokenised once for every enricher (ingest.enrich.words),
and the enrichers given them agreeing with the same enrichers tokenising on their own."""

from __future__ import annotations

from ingest.enrich.language import detect_paragraphs
from ingest.enrich.phrases import key_phrases
from ingest.enrich.sessions import SessionMatcher, phrase_words
from ingest.enrich.topics import TopicMatcher
from ingest.enrich.words import Paragraph, paragraph_words, passage_words
from kb.registry import Registry


def test_an_ascii_paragraph_has_its_lower_cased_words() -> None:
    assert paragraph_words("The 9th Session, data_set.") == \
        Paragraph("The 9th Session, data_set.", ["the", "9th", "session", "data_set"], False)
    assert paragraph_words("Training data, again.") == \
        Paragraph("Training data, again.", ["training", "data", "again"], True)


def test_a_paragraph_without_words_is_not_letters_only() -> None:
    assert paragraph_words("-- ... --") == Paragraph("-- ... --", [], False)


def test_a_non_ascii_paragraph_is_left_to_each_enricher() -> None:
    assert paragraph_words("İstanbul données") == Paragraph("İstanbul données", None, False)


def test_an_ascii_passage_has_the_words_of_its_paragraphs_in_order() -> None:
    words = passage_words("First part here.\n\nSecond, part.\n\n\nThird")
    assert [p.text for p in words.paragraphs] == ["First part here.", "Second, part.", "\nThird"]
    assert words.words == ["first", "part", "here", "second", "part", "third"]


def test_a_passage_with_one_non_ascii_paragraph_has_no_passage_words() -> None:
    words = passage_words("Plain words.\n\nLes données.")
    assert words.words is None
    assert words.paragraphs[0].words == ["plain", "words"]
    assert words.paragraphs[1].words is None


def test_language_from_shared_words_is_language_from_the_text() -> None:
    paragraphs = ["The delegates discussed the data and the models of the panel.",
                  "Les délégués ont discuté des données et des modèles du panel.",
                  "Session 9, 2024: 12 delegates.", ""]
    expected = [(paragraphs[0], "en", 11), (paragraphs[1], "fr", 11),
                (paragraphs[2], "und", 5), ("", "und", 0)]
    assert detect_paragraphs(paragraphs) == expected
    assert detect_paragraphs([paragraph_words(p) for p in paragraphs]) == expected


BODY = ("Training data is the core issue. Training data licensing and fair remuneration for "
        "creators were discussed, and training data transparency too.\n\n"
        "Delegates said fair remuneration matters; creators' fair remuneration and training "
        "data were raised again, with text-and-data mining.\n\n"
        "In 2024 the 3rd panel on training data met.")


def test_key_phrases_from_shared_words_are_those_of_the_text() -> None:
    paragraphs = passage_words(BODY).paragraphs
    assert key_phrases(BODY, paragraphs=paragraphs) == key_phrases(BODY) == \
        ["training data", "fair remuneration"]


def test_key_phrases_of_a_cut_text_tokenise_the_cut_paragraph_as_cut() -> None:
    # Past the first 25,000 characters the text is not read: the cut falls inside a word.
    long = ("alpha beta gamma " * 1470) + "training data " * 40
    cut = long + "\n\nfair remuneration fair remuneration"
    paragraphs = passage_words(cut).paragraphs
    assert key_phrases(cut, paragraphs=paragraphs) == key_phrases(cut)
    assert key_phrases(cut, paragraphs=paragraphs)[:3] == \
        ["alpha beta", "beta gamma", "gamma alpha"]


def test_topics_from_shared_words_are_topics_from_the_text(registry: Registry) -> None:
    matcher = TopicMatcher(registry)
    text = ("Generative AI and training data were the subject. Training data again.\n\n"
            "Les données d'entraînement, encore.")
    assert matcher.passage_subjects("", text, passage_words(text)) == \
        matcher.passage_subjects("", text)


def test_session_names_from_shared_words_are_those_of_the_text() -> None:
    passage = passage_words("The Revised Issues Paper, WIPO/IP/AI/2/GE/20/1.\n\nMore on it.")
    assert phrase_words("Papers", passage) == \
        ["papers", "the", "revised", "issues", "paper", "wipo", "ip", "ai", "2", "ge", "20", "1",
         "more", "on", "it"]
    assert phrase_words("", passage) == passage.words


def test_no_shared_session_words_where_they_would_differ() -> None:
    # "_" separates words for names (wipo_ip_conv), not for the word pattern.
    assert phrase_words("", passage_words("wipo_ip_conv_ge_24 draft")) is None
    assert phrase_words("wipo_ip", passage_words("Some text.")) is None
    assert phrase_words("Données", passage_words("Some text.")) is None
    assert phrase_words("", passage_words("Les données.")) is None


def test_a_session_matched_on_shared_words_is_matched_on_the_text(registry: Registry) -> None:
    heading = "Ninth session"
    text = "WIPO/IP/CONV/GE/24 and the eighth session were discussed. The Revised Issues Paper too."
    whole = f"{heading}\n{text}"
    expected = SessionMatcher(registry).find(whole)
    assert [(m.number, m.kind, m.start) for m in expected] == \
        [(9, "ordinal", 0), (8, "ordinal", 41), (9, "symbol", 14), (2, "paper", 76)]
    assert SessionMatcher(registry).find(
        whole, phrase_words(heading, passage_words(text))) == expected
