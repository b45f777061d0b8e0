"""Enrichment stages on strings: language, topics, speakers, dates, type, key phrases, passages."""

from __future__ import annotations

import pytest

from ingest.document import _dateline
from ingest.enrich.dates import find_dates, parse_date
from ingest.enrich.doctype import infer_type
from ingest.enrich.language import detect_language
from ingest.enrich.phrases import key_phrases
from ingest.enrich.speakers import normalise_speaker, unify
from ingest.enrich.topics import matcher_for
from ingest.identity import document_id, passage_ids
from ingest.passages import build_passages
from ingest.readers.base import HEADING, TURN, Block
from ingest.sentences import split_sentences
from kb.registry import Registry


@pytest.mark.parametrize(("text", "language"), [
    ("The delegates discussed the impact of artificial intelligence on the patent system and "
     "whether the law should change.", "en"),
    ("Les délégués ont examiné les effets de l'intelligence artificielle sur le système des "
     "brevets et sur le droit d'auteur.", "fr"),
    ("Los delegados examinaron el impacto de la inteligencia artificial en el sistema de "
     "patentes y en los derechos de autor.", "es"),
    ("Делегаты обсудили влияние искусственного интеллекта на патентную систему.", "ru"),
    ("ناقش المندوبون تأثير الذكاء الاصطناعي على نظام البراءات.", "ar"),
    ("代表们讨论了人工智能对专利制度的影响。", "zh"),
    ("12345 67890", "und"),
    ("Hello", "und"),
])
def test_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_topics_are_multi_label_with_prefix_signals(registry: Registry) -> None:
    matcher = matcher_for(registry)
    text = ("Large language models were trained on copyright-protected works; the inventor "
            "question and NFTs in the metaverse came up too.")
    assert matcher.signalled(text) == ["copyright", "training-data", "generative-ai",
                                    "patents-inventorship", "metaverse-nft"]
    assert matcher.signalled("Nothing relevant here at all.") == []
    assert matcher.roll_up([["metaverse-nft"], ["copyright", "metaverse-nft"]]) == \
        ["copyright", "metaverse-nft"]


@pytest.mark.parametrize(("raw", "name"), [
    (">> MICHELE WOODS", "Michele Woods"),
    ("Mr. GURRY (Director General)", "Gurry"),
    ("The CHAIR", "Chair"),
    ("H.E. Ambassador FRANÇOIS RIVASSEAU", "François Rivasseau"),
    ("DELEGATION OF THE UNITED STATES OF AMERICA", "Delegation of the United States of America"),
    ("Ms. Woods", "Woods"),
])
def test_speaker_names_are_normalised(raw: str, name: str) -> None:
    assert normalise_speaker(raw) == name


def test_a_surname_alone_maps_to_the_full_name() -> None:
    assert unify(["Michele Woods", "Woods", "Chair", "Lee", "David Lee", "Ana Lee"]) == {
        "Michele Woods": "Michele Woods", "Woods": "Michele Woods", "Chair": "Chair",
        "Lee": "Lee", "David Lee": "David Lee", "Ana Lee": "Ana Lee"}


def test_dates() -> None:
    spans = find_dates("held March 13 and 14, 2024; then 7-9 July 2020; on 2019-09-27; "
                       "not February 30, 2024")
    assert [(s.first.isoformat(), s.last.isoformat()) for s in spans] == [
        ("2024-03-13", "2024-03-14"), ("2020-07-07", "2020-07-09"),
        ("2019-09-27", "2019-09-27")]
    assert parse_date("2025-04-25T10:00:00") == "2025-04-25"
    assert parse_date("July 7, 2020") == "2020-07-07"
    assert parse_date("2020") == ""


def test_dates_in_ascii_text_are_the_pattern_s_dates_everywhere() -> None:
    """ASCII text is searched only where a date can begin (a digit, a month's first letters);
    it finds what the pattern finds over the whole text, which non-ASCII text still gets."""
    text = ("Maintained in March: the main session ran 13-14 mars 2024 (room 19, floor 20), "
            "then 2023/3/31 and 10-07-2020; 1999 alone is no date, nor 2024-13-01.")
    expected = [("2024-03-13", "2024-03-14"), ("2023-03-31", "2023-03-31"),
                ("2020-07-10", "2020-07-10")]
    for written in (text, text + " é", text.replace("2024", "٢٠٢٤")):
        assert [(s.first.isoformat(), s.last.isoformat()) for s in find_dates(written)] == \
            expected
    assert find_dates("Rooms 19 and 20, on the 21st floor") == []
    assert find_dates("no year at all: 13 March") == []


@pytest.mark.parametrize(("options", "kind"), [
    ({"format_type": "transcript"}, "transcript"),
    ({"title": "Summary of the Second and Third Sessions"}, "summary"),
    ({"title": "Revised Issues Paper on IP Policy and AI"}, "paper"),
    ({"title": "Report of the Second Session"}, "report"),
    ({"title": "WIPO Director General Opens Conference", "has_dateline": True}, "news"),
    ({"title": "Ninth session of the WIPO Conversation", "has_sessions": True}, "session-page"),
    ({"title": "About us"}, "page"),
    ({"title": "Report on AI and IP", "site": "www.example.org"}, "third-party-report"),
    ({"title": "Report on AI and IP", "site": "www.wipo.int"}, "report"),
])
def test_document_type(options: dict[str, object], kind: str) -> None:
    arguments: dict[str, object] = {"format_type": "", "title": "", "headings": [],
                                    "has_dateline": False, "site": "corpus",
                                    "has_sessions": False}
    arguments.update(options)
    assert infer_type(**arguments) == kind  # type: ignore[arg-type]


def test_key_phrases_are_collocations() -> None:
    text = ("Training data matters. Creators want fair compensation for training data. "
            "Fair compensation was debated, and training data licensing too. The panel on "
            "fair compensation closed the day with training data again.")
    assert key_phrases(text) == ["training data", "fair compensation"]
    assert key_phrases("Too short to tell.") == []


def test_sentences_do_not_break_after_abbreviations() -> None:
    text = ("Mr. Gurry opened the session. H.E. Prof. Muhammadou M.O. Kah chaired it, e.g. on "
            "day one. The U.S. delegation spoke. Was it useful? Yes!")
    assert split_sentences(text) == [
        "Mr. Gurry opened the session.",
        "H.E. Prof. Muhammadou M.O. Kah chaired it, e.g. on day one.",
        "The U.S. delegation spoke.", "Was it useful?", "Yes!"]


def test_passages_group_paragraphs_and_split_long_ones_between_sentences() -> None:
    sentence = "This sentence has exactly eight words in it."
    long_paragraph = " ".join([sentence] * 40)  # 320 words
    blocks = [Block("Heading", HEADING), Block("Short intro paragraph."), Block(long_paragraph),
              Block("Next", HEADING), Block("Tail.")]
    drafts = build_passages(blocks)
    assert [(d.heading, len(d.text.split())) for d in drafts] == [
        ("Heading", 251), ("Heading", 72), ("Next", 1)]
    assert all(d.text.endswith(".") for d in drafts)



def test_fragments_too_short_to_stand_alone_join_a_neighbour() -> None:
    body = "The session heard views on the protection of AI output and on human authorship."
    blocks = [Block("Geneva, April 22, 2026"), Block("The ninth session opened with " + body),
              Block("Photo: WIPO/Berrod"), Block("Panel", HEADING), Block("April 23, 2026"),
              Block(body), Block("Lone", HEADING), Block("Postponed."), Block("End", HEADING),
              Block(body), Block("22 April 2026")]
    drafts = build_passages(blocks, lead_key=lambda text: "9" if "ninth" in text else None)
    assert [(d.heading, d.text) for d in drafts] == [
        ("", "Geneva, April 22, 2026\n\nThe ninth session opened with " + body
         + "\n\nPhoto: WIPO/Berrod"),
        ("Panel", "April 23, 2026\n\n" + body),
        ("Lone", "Postponed."),
        ("End", body + "\n\n22 April 2026"),
    ]


def test_a_text_that_is_only_a_fragment_is_still_a_passage() -> None:
    assert [d.text for d in build_passages([Block("Geneva, April 22, 2026")])] == [
        "Geneva, April 22, 2026"]

def test_turns_are_one_passage_each_and_keep_speaker_and_start() -> None:
    blocks = [Block("Hello.", TURN, speaker="Chair", start=1.5),
              Block("Thanks.", TURN, speaker="Japan", start=4.0)]
    assert [(d.speaker, d.start, d.text) for d in build_passages(blocks)] == [
        ("Chair", 1.5, "Hello."), ("Japan", 4.0, "Thanks.")]


def test_identity_is_stable_and_counts_repeated_texts() -> None:
    assert document_id("news/a.txt") == "0a6c1f9415751a41"  # sha1 of the source path
    assert document_id("a.txt", url="https://x.org/a") == document_id("b.txt",
                                                                     url="https://x.org/a")
    first, second, third = passage_ids("d1", ["Same text.", "Same  TEXT.", "Other."])
    assert first != second and len({first, second, third}) == 3
    assert passage_ids("d1", ["Same text."]) == [first]


def test_a_long_turn_is_split_between_sentences_and_keeps_its_speaker() -> None:
    turn = " ".join(f"Point number {i} was made at length by the delegation." for i in range(40))
    drafts = build_passages([Block(turn, TURN, speaker="Delegation of Japan", start=12.0)])
    assert [(d.speaker, d.start, len(d.text.split())) for d in drafts] == [
        ("Delegation of Japan", 12.0, 250), ("Delegation of Japan", 12.0, 150)]
    assert all(d.text.endswith("delegation.") for d in drafts)


def test_chinese_text_is_split_into_bounded_passages() -> None:
    sentence = "代表们讨论了人工智能对专利制度和版权的影响。"  # 21 Han characters and a full stop
    drafts = build_passages([Block(sentence * 30)])
    assert [len(d.text) for d in drafts] == [22 * 11, 22 * 11, 22 * 8]
    assert all(d.text.endswith("。") for d in drafts)


def test_no_passage_exceeds_the_character_bound() -> None:
    blob = "A data blob follows: " + "QUJD" * 5000 + " and the text ends."
    drafts = build_passages([Block(blob)])
    assert [len(d.text) for d in drafts] == [4000, 4000, 4000, 4000, 4000, 40]
    assert "".join(d.text for d in drafts) == blob  # cut, but nothing lost


def test_a_pages_dateline_is_a_short_date_line_among_its_first_blocks() -> None:
    body = Block("The ninth session met in Geneva to discuss training data and its licensing.")
    assert _dateline([body, Block("7 July 2020.\n")]) == "7 July 2020.\n"
    assert _dateline([Block("Geneva, March 13 and 14, 2024")]) == "Geneva, March 13 and 14, 2024"
    twelve = "The conference opened in Geneva on 7 July 2020 with many delegates present"
    assert len(twelve.split()) == 13 and _dateline([Block(twelve)]) == ""
    assert _dateline([Block(twelve.removesuffix(" present"))]) == twelve.removesuffix(" present")
    assert _dateline([Block("Opened on 7 July 2020 in Geneva", HEADING)]) == ""
    assert _dateline([Block("2020-07-07", HEADING)]) == "2020-07-07"
    assert _dateline([body] * 6 + [Block("7 July 2020")]) == ""
