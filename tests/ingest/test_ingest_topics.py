"""Topics mean subjects: the passage and document rules, measured against passages labelled by
hand (tests/ingest/fixtures/topic_labels.json: the seed passages and passages written in the
Conversation's style for every session's subject)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.enrich.topic_quality import load_labels, score
from ingest.enrich.topics import TopicMatcher, lead_sentence
from kb.registry import Registry

LABELS = load_labels(Path(__file__).resolve().parent / "fixtures" / "topic_labels.json")


@pytest.fixture(scope="module")
def matcher(registry: Registry) -> TopicMatcher:
    return TopicMatcher(registry)


def test_the_labels_are_sixty_passages_with_registry_topics(registry: Registry) -> None:
    assert len(LABELS) == 60
    assert sum(item["source"].startswith("seed ") for item in LABELS) == 18
    assert {t for item in LABELS for t in item["topics"]} <= set(registry.topics)
    assert len({item["text"] for item in LABELS}) == 60


def test_precision_and_recall_against_the_hand_labels(matcher: TopicMatcher) -> None:
    subjects = score(matcher.passage_topics, LABELS)
    mentions = score(lambda heading, text: matcher.signalled(f"{heading}\n{text}"), LABELS)
    assert (subjects.true_positives, subjects.false_positives, subjects.false_negatives) == \
        (87, 12, 31)
    assert (round(subjects.precision, 3), round(subjects.recall, 3), round(subjects.f1, 3)) == \
        (0.879, 0.737, 0.802)
    # Any mention tags far more topics that are not the passage's subject.
    assert (mentions.true_positives, mentions.false_positives, mentions.false_negatives) == \
        (109, 47, 9)
    assert round(mentions.precision, 3) == 0.699


def test_one_passing_mention_is_not_a_subject(matcher: TopicMatcher) -> None:
    text = ("The panel looked at how collective management organizations distribute money to "
            "members. Writers, musicians and performers all depend on it, and the speakers "
            "asked for clearer statements from the organizations.")
    assert matcher.signalled(text) == ["remuneration", "creators"]
    # "performers" alone no longer means voice, image and likeness: creators are named three
    # times, and collective management is the first sentence's subject.
    assert matcher.passage_topics("", text) == ["remuneration", "creators"]
    aside = ("The session opened with a welcome from the chair. Later, one speaker mentioned "
             "blockchain in passing before returning to the main question of the day.")
    assert matcher.signalled(aside) == ["blockchain"]
    assert matcher.passage_topics("", aside) == []


def test_a_heading_or_first_sentence_names_the_subject(matcher: TopicMatcher) -> None:
    text = "Panelists compared how offices in several regions approach the question today."
    assert matcher.passage_topics("Trade secrets", text) == ["trade-secrets"]
    assert matcher.passage_topics("", "Deepfakes are cheap to make. " + text) == \
        ["synthetic-media"]
    # A first sentence that lists many topics is a list, not a subject.
    listing = ("Earlier sessions covered inventorship, data regulation, the metaverse and "
               "generative AI. " + text)
    assert matcher.passage_topics("", listing) == []
    # A dateline under a heading is about nothing yet.
    assert matcher.passage_topics("Copyright", "March 13 and 14, 2024") == []


def test_the_lead_sentence_skips_datelines_and_abbreviations() -> None:
    assert lead_sentence("July 7, 2020\n\nMr. Gurry said the talks on AI went well. More.") == \
        "Mr. Gurry said the talks on AI went well."
    assert lead_sentence("No stop at the end here at all") == "No stop at the end here at all"
    assert lead_sentence("Too short.") == ""


def test_the_lead_sentence_counts_words_up_to_each_sentence_end() -> None:
    # Five words up to the first end (closing quote included): the sentence goes on.
    assert lead_sentence('He said: "Deepfakes are cheap." Then more words came here.') == \
        'He said: "Deepfakes are cheap." Then more words came here.'
    assert lead_sentence("Dr. A. B. said (so) that deepfakes are cheap to make. Next.") == \
        "Dr. A. B. said (so) that deepfakes are cheap to make."
    assert lead_sentence("One two three four five six... seven") == \
        "One two three four five six..."
    assert lead_sentence("Données, coûts et droits: l'« IA » change tout. Après.") == \
        "Données, coûts et droits: l'« IA » change tout."


def test_words_are_counted_in_the_text_as_written(matcher: TopicMatcher) -> None:
    """Lower-casing "İ" gives "i" and a combining dot, splitting "İstanbul" in two: a passage
    of five words is still too short to have a subject."""
    assert matcher.passage_topics("", "Deepfakes at İstanbul İzmir: deepfakes.") == []
    assert matcher.passage_topics("", "Deepfakes at İstanbul İzmir and Ankara: deepfakes.") == \
        ["synthetic-media"]
    assert matcher.passage_topics("", "Deepfakes at Istanbul Izmir: deepfakes.") == []
    assert matcher.passage_topics("", "Deepfakes at Istanbul Izmir and Ankara: deepfakes.") == \
        ["synthetic-media"]


def test_a_document_has_the_topics_that_cover_a_fifth_of_it(matcher: TopicMatcher) -> None:
    passages = [(["copyright"], 50), (["copyright", "trademarks"], 30), (["data"], 19), ([], 1)]
    assert matcher.document_topics("A page", passages) == ["copyright", "trademarks"]
    assert matcher.document_topics("NFTs and the metaverse", passages) == \
        ["copyright", "metaverse-nft", "trademarks"]
    assert matcher.document_topics("Empty", []) == []
