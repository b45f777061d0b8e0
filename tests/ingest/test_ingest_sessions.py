"""Session recognition from the registry, on strings."""

from __future__ import annotations

import pytest

from ingest.enrich.about import main_sessions
from ingest.enrich.lang import languages
from ingest.enrich.sessions import _all_patterns, _first_words, _may_match, _search, matcher_for
from kb.registry import Registry


@pytest.mark.parametrize(("text", "sessions"), [
    ("the ninth session of the Conversation", [9]),
    ("Second Session of the WIPO Conversation", [2]),
    ("at the 9th WIPO Conversation on training", [9]),
    ("the twelfth session", [12]),
    ("see session 9 for details", [9]),
    ("the second and third sessions", [2, 3]),
    ("The first three sessions looked at AI", [1, 2, 3]),
    ("document WIPO/IP/CONV/GE/24 was issued", [9]),
    ("document WIPO/IP/CONV/GE/2/24 was issued", [10]),
    ("file wipo_ip_conv_ge_2_23_summary.pdf", [8]),
    ("held on March 13 and 14, 2024 in Geneva", [9]),
    ("held July 7-9, 2020 online", [2]),
    ("held 7 to 9 July 2020 online", [2]),
    ("published on 2019-09-27", [1]),
    ("Training the Machines: Bytes, Rights and the Copyright Conundrum", [9]),
    ("IP and the Metaverse", [7]),
    ("the twentieth session", []),
    ("First of all, the second premise", []),
    ("In January 2019, WIPO issued a study", []),
])
def test_mentions(registry: Registry, text: str, sessions: list[int]) -> None:
    assert sorted(matcher_for(registry).mentions(text)) == sessions


@pytest.mark.parametrize(("paragraph", "lead"), [
    ("The eighth session covered GenAI.", frozenset({8})),
    ("The first three sessions of the WIPO Conversation looked at AI.", frozenset({1, 2, 3})),
    ("Ninth session of the WIPO Conversation", frozenset({9})),
    ("Mr. Gurry convened the First Session of the WIPO Conversation.", None),
    ("Previous sessions of the WIPO Conversation", None),
])
def test_lead(registry: Registry, paragraph: str, lead: frozenset[int] | None) -> None:
    assert matcher_for(registry).lead(paragraph) == lead


def test_main_sessions_weighs_title_and_dateline(registry: Registry) -> None:
    matcher = matcher_for(registry)
    texts = ["The first session was held in 2019.", "The second session met online."]
    assert main_sessions(matcher, "", "notes.txt", "", texts) == [1, 2]
    assert main_sessions(matcher, "Report of the second session", "notes.txt", "", texts) == [2]
    assert main_sessions(matcher, "", "notes.txt", "July 8, 2020", texts) == [2]
    assert main_sessions(matcher, "", "wipo_ip_ai_ge_19.pdf", "", texts) == [1]
    assert main_sessions(matcher, "Notes", "notes.txt", "", ["No session named."]) == []
    # Named in passing: no evidence of what the page is about.
    assert main_sessions(matcher, "", "notes.txt", "", [
        "Following the first session in 2019, the second session met online."]) == [2]


@pytest.mark.parametrize(("text", "sessions"), [
    ("La neuvième session de la Conversation de l'OMPI", [9]),
    ("la 9e session", [9]),
    ("La novena sesión de la Conversación", [9]),
    ("la segunda y tercera sesiones", [2, 3]),
])
def test_french_and_spanish_ordinals(registry: Registry, text: str, sessions: list[int]) -> None:
    assert sorted(matcher_for(registry).mentions(text)) == sessions


@pytest.mark.parametrize(("text", "found"), [
    ("deuxième session du Dialogue de l'OMPI", [(2, False)]),
    ("segunda sesión del Diálogo de la OMPI", [(2, False)]),
    ("вторая сессия Дискуссии ВОИС", [(2, False)]),
    ("第二届知识产权与人工智能产权组织对话会", [(2, False)]),
    ("الدورة الثانية لمحادثة الويبو", [(2, False)]),
    ("الدورتين الثانية والثالثة", [(2, False), (3, False)]),
    ("второй и третьей сессий", [(2, False), (3, False)]),
    ("sessions 2 and 3 of the Conversation", [(2, False), (3, False)]),
    ("the 10th edition of the WIPO Conversation", [(10, False)]),
    ("the thirteenth session of the WIPO Conversation", [(13, False)]),
    ("the twentieth session", []),
    ("Following the first session in 2019, WIPO", [(1, True)]),
    ("après la première session", [(1, True)]),
    ("继第一届会议于2019年举行之后", [(1, True)]),
    ("Last updated: 2025-01-10. The fourth session", [(4, False)]),
    ("the ninth session of the Standing Committee on Copyright", []),
    ("the IGC 47th session", []),
    ("发展与知识产权委员会第十届会议", []),
    ("الدورة الخامسة والأربعين للجنة الدائمة", []),
    ("сорок пятая сессия Постоянного комитета", []),
    ("Session 2: Rights in voice and likeness", []),
    ("WIPO Conversation on Intellectual Property and Artificial Intelligence", []),
    ("wipo_ip_ai_2_ge_20_1_rev.pdf", [(2, False)]),
    ("WIPO/IP/CONV/GE/26", [(13, False)]),
    ("Revised Issues Paper on IP Policy and AI", [(2, False)]),
])
def test_six_languages_passing_mentions_and_other_bodies(registry: Registry, text: str,
                                                        found: list[tuple[int, bool]]) -> None:
    assert [(m.number, m.passing) for m in matcher_for(registry).find(text)] == found


@pytest.mark.parametrize(("text", "found"), [
    # Not ASCII: every language whose session word occurs runs its patterns.
    ("La deuxième session de la Conversation de l'OMPI a porté sur les données",
     [(2, "ordinal", "deuxième session", 3, False)]),
    # ASCII: French and English both see "session"; substring tests pick the patterns to run.
    ("La deuxieme session de la Conversation de l'OMPI",
     [(2, "ordinal", "deuxieme session", 3, False)]),
    ("la 2e session et la 3eme session",
     [(2, "ordinal", "2e session", 3, False), (3, "ordinal", "3eme session", 20, False)]),
    ("Les deux premieres sessions du Dialogue",
     [(1, "ordinal", "deux premieres sessions", 4, False),
      (2, "ordinal", "deux premieres sessions", 4, False)]),
    ("The panel session on training data was long", []),
    ("Session: first thoughts", []),
    ("The session opened; the ninth session followed the 2nd session",
     [(9, "ordinal", "ninth session", 24, False), (2, "ordinal", "2nd session", 51, True)]),
    ("the first 3 sessions", [(1, "ordinal", "first 3 sessions", 4, False),
                              (2, "ordinal", "first 3 sessions", 4, False),
                              (3, "ordinal", "first 3 sessions", 4, False)]),
    ("session 9 and session no. 4",
     [(9, "number", "session 9", 0, False), (4, "number", "session no. 4", 14, False)]),
    ("THE SECOND SESSION", [(2, "ordinal", "SECOND SESSION", 4, False)]),
    # A numeric ordinal is tried only where a digit has its suffix, in any case: years alone do
    # not run the French and Spanish ordinals.
    ("In 2024 the 2E SESSION began", [(2, "ordinal", "2E SESSION", 12, False)]),
    ("the 2024 session and 12 sessions in 2023", []),
    ("la 2a sesion de 2021 y la 3o sesion",
     [(2, "ordinal", "2a sesion", 3, False), (3, "ordinal", "3o sesion", 26, False)]),
    ("Le 1er session (2019) puis la 10eme session en 2024",
     [(1, "ordinal", "1er session", 3, False), (10, "ordinal", "10eme session", 30, False)]),
])
def test_ordinals_found_whichever_patterns_run(registry: Registry, text: str,
                                               found: list[tuple[int, str, str, int, bool]]
                                               ) -> None:
    """The same mentions, with their words and places, whether or not the cheap substring
    tests let a language's ordinal, count and number patterns be skipped."""
    mentions = matcher_for(registry).find(text)
    assert [(m.number, m.kind, m.text, m.start, m.passing) for m in mentions] == found


@pytest.mark.parametrize(("text", "found"), [
    # ASCII without "_": names are matched on the text's words, split without the pattern.
    ("The Revised Issues Paper, WIPO/IP/AI/2/GE/20/1 REV.",
     [(2, "paper", "Revised Issues Paper", 4, False),
      (2, "symbol", "WIPO/IP/AI/2/GE/20/1 REV", 26, False)]),
    ("Draft Issues Paper (2019)", [(2, "paper", "Draft Issues Paper", 0, False)]),
    # "_" separates a symbol's parts in file names: the pattern splits there.
    ("wipo_ip_ai_2_ge_20_1_rev", [(2, "symbol", "wipo_ip_ai_2_ge_20_1_rev", 0, False)]),
    ("WIPO Conversation on IP and AI", []),
])
def test_names_and_symbols_without_the_caller_s_words(registry: Registry, text: str,
                                                       found: list[tuple[int, str, str, int,
                                                                         bool]]) -> None:
    mentions = matcher_for(registry).find(text)
    assert [(m.number, m.kind, m.text, m.start, m.passing) for m in mentions] == found


def test_the_cheap_tests_say_whether_a_pattern_can_match_and_whether_it_can_open_on_a_digit(
        ) -> None:
    """A digit cue that finds no digit with its suffix rules the digits out as starts; a
    pattern whose needles are its own word starts (None) is always scanned for them."""
    english = next(p for p in _all_patterns() if p.lang.code == "en")
    counts, ordinal, number = english.needles
    cue = ordinal[1]
    assert ordinal[0] is None and counts[0] == ("six", "ten", "two", "five", "four", "nine",
                                                "eight", "seven", "three")
    assert _may_match("the 9th session", ("ninth",), cue, True) == (True, True)
    assert _may_match("in 2023 the ninth session", None, cue, True) == (True, False)
    assert _may_match("in 2023 a session", ("ninth",), cue, True) == (False, False)
    assert _may_match("the ninth session", ("ninth",), cue, False) == (True, False)
    assert _may_match("session 4", (), True, True) == (True, True)
    assert _may_match("a session", (), True, False) == (False, False)
    assert _may_match("room 4", ("ninth",), False, True) == (False, True)
    spanish = next(p for p in _all_patterns() if p.lang.code == "es")
    # Spanish ordinals have starts ("undecima") that are no needle: the needles stay a test.
    assert spanish.needles[1][0] is not None and "decima" in spanish.needles[1][0]


def test_a_text_full_of_numbers_names_its_sessions_by_words_and_by_numeric_ordinals(
        registry: Registry) -> None:
    matcher = matcher_for(registry)
    found = matcher.find("In 2023, 14 delegations met at the ninth session; the 10th session "
                         "of 2024 followed.")
    assert [(m.number, m.kind, m.text, m.start) for m in found] == [
        (9, "ordinal", "ninth session", 35), (10, "ordinal", "10th session", 54)]
    assert [(m.number, m.text) for m in matcher.find("In 2023 and 2024, 14 met at the ninth "
                                                     "session.")] == [(9, "ninth session")]


def test_the_words_a_passing_or_other_body_match_must_hold_in_ascii_text() -> None:
    english = languages()["en"]
    assert _first_words(("committee", "general assembly", "un", "comité"), english) == \
        frozenset({"committee", "general", "un"})
    # A word ending in "*", one opening on punctuation, one whose letter an ASCII letter
    # matches case-blind (the Kelvin sign and "k"), and Chinese: no such words can be said.
    assert _first_words(("committee", "rabo*"), english) is None
    assert _first_words(("-un",), english) is None
    assert _first_words(("\u212aommittee",), english) is None
    assert _first_words(("委员会",), languages()["zh"]) is None


def test_searching_with_the_words_first_finds_what_the_pattern_finds() -> None:
    texts = ["of the SCP and", "the Committee's", "following the", "unlike the", "the UN-led",
             "of the Standing Committee on Copyright", "fund a country", "sccrs", "assemblyman",
             "la Asamblea General", "du comité", "general assemblies", "x_un", "un_x", ""]
    for patterns in _all_patterns():
        for pattern, words in ((patterns.passing, patterns.passing_words),
                               (patterns.others, patterns.other_words)):
            for text in texts:
                found, expected = _search(pattern, words, text), pattern.search(text)
                assert (found and found.span()) == (expected and expected.span()), text


def test_a_phrase_is_looked_for_only_where_its_first_two_words_start_one(
        registry: Registry) -> None:
    matcher = matcher_for(registry)
    text = "training data and training the machines then generative ai ip and data"
    tokens = text.split(" ")
    # "training data" and "and data" start no registry phrase; "training the", "generative
    # ai" and "ip and" do, and the last "data" has no word after it.
    assert matcher._phrase_starts(tokens) == [3, 7, 9]
    assert matcher._phrase_starts([]) == []
    # Only "training the machines" is a whole phrase (a session's title).
    found = matcher.find(text)
    assert [(m.kind, m.text, m.start) for m in found] == [("name", "training the machines", 18)]
