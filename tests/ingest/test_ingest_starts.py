"""Scanning ASCII text only where a case-blind pattern can begin (ingest.enrich.starts)."""

from __future__ import annotations

import re

import pytest

from ingest.enrich.sessions import _all_patterns
from ingest.enrich.starts import Starts

ORDINAL = re.compile(r"(?<!\w)(?:first|second|\d{1,2}(?:st|nd))\s+session(?!\w)", re.IGNORECASE)


def _spans(starts: Starts, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in starts.finditer(text, text.lower())]


def test_starts_are_read_from_the_parse_tree() -> None:
    starts = Starts(ORDINAL)
    assert starts.literals == ("second", "first", *"0123456789")


def test_matches_are_those_of_finditer() -> None:
    starts = Starts(ORDINAL)
    text = "The First session, the 2nd Session; firstsecond session, 1st  SESSION and session."
    assert _spans(starts, text) == [(4, 17), (23, 34), (57, 69)]
    assert _spans(starts, text) == [m.span() for m in ORDINAL.finditer(text)]


def test_look_behind_sees_the_text_before_a_start() -> None:
    # "xfirst session": "first" begins after a letter, so no match starts there.
    assert _spans(Starts(ORDINAL), "xfirst session") == []


def test_a_start_only_non_ascii_text_holds_never_matches_ascii() -> None:
    starts = Starts(re.compile(r"(?:première|deuxième) session", re.IGNORECASE))
    assert starts.literals == ()
    assert not starts.possible
    assert _spans(starts, "premiere session") == []


def test_a_non_ascii_start_with_an_ascii_case_partner_scans_everywhere() -> None:
    # The Kelvin sign matches "k" case-blind: no plain search of the lower case can stand in.
    kelvin = re.compile("\u212aelvin", re.IGNORECASE)
    starts = Starts(kelvin)
    assert starts.literals is None
    assert _spans(starts, "100 kelvin") == [(4, 10)]


def test_a_pattern_that_may_match_empty_text_scans_everywhere() -> None:
    assert Starts(re.compile(r"a*", re.IGNORECASE)).literals is None


def test_overlapping_starts_are_all_tried() -> None:
    # "fifth" begins inside "fiffifth": a search that skipped past a failed start would miss it.
    starts = Starts(re.compile(r"(?:fiffi|fifth) session", re.IGNORECASE))
    assert _spans(starts, "fiffifth session") == [(3, 16)]


def test_every_session_pattern_of_every_language_agrees_with_finditer() -> None:
    texts = [
        "The 9th WIPO Conversation followed the first three sessions.",
        "Session 4 and sessions 5, 6 discussed the twelfth session of the SCP.",
        "Les deux premieres sessions; la troisieme session. Las dos primeras sesiones.",
        "12th session11th session, first and second sessions",
    ]
    for patterns in _all_patterns():
        for pattern, starts in zip((patterns.first_n, patterns.ordinal, patterns.number),
                                   patterns.starts, strict=True):
            if pattern is None:
                continue
            assert starts is not None
            for text in texts:
                assert [m.span() for m in starts.finditer(text, text.lower())] == \
                    [m.span() for m in pattern.finditer(text)]


def test_without_re_s_parser_every_pattern_is_scanned_in_full(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import ingest.enrich.starts as starts_module

    monkeypatch.setattr(starts_module, "_parser", None)
    starts = Starts(ORDINAL)
    assert starts.literals is None and starts.finder is None and starts.possible
    text = "The First session, the 2nd Session; firstsecond session, 1st  SESSION and session."
    assert _spans(starts, text) == [(4, 17), (23, 34), (57, 69)]


def test_positions_are_every_offset_a_start_occurs_at_overlapping_ones_included() -> None:
    starts = Starts(re.compile(r"(?<!\w)(?:fiffi|fifth|session|sessions|\d)x", re.IGNORECASE))
    # "sessions" opens with "session": looking for it would find no other offset.
    assert starts.probes == tuple("0123456789") + ("fiffi", "fifth", "session")
    assert starts.positions("fiffifth sessions 12 session") == [0, 3, 9, 18, 19, 21]
    assert starts.positions("nothing here") == []
    # Without the digits: the letter starts only.
    assert starts.letter_probes == ("fiffi", "fifth", "session")
    assert starts.positions("fiffifth sessions 12 session", digits=False) == [0, 3, 9, 21]


def test_without_digits_the_matches_opening_on_a_digit_are_not_tried() -> None:
    """The caller that knows no match opens on a digit (no digit carries a suffix) gets the
    matches of the words alone; where that holds they are finditer's."""
    starts = Starts(ORDINAL)
    text = "In 2023 the first session met; the 2nd session too."
    assert [m.span() for m in starts.finditer(text, text.lower(), digits=False)] == [(12, 25)]
    assert _spans(starts, text) == [(12, 25), (35, 46)]
    plain = "In 2023 and 2024 the first session and the second session met."
    assert [m.span() for m in starts.finditer(plain, plain.lower(), digits=False)] == \
        [m.span() for m in ORDINAL.finditer(plain)] == [(21, 34), (43, 57)]


def test_starts_sharing_an_ending_are_looked_for_only_where_the_text_holds_it() -> None:
    starts = Starts(re.compile(r"(?<!\w)(?:seventh|eleventh|tenth|ninth|first)x", re.IGNORECASE))
    # "tenth", "seventh" and "eleventh" end in "enth": one search rules all three out.
    assert starts.letter_groups == (("", ("first",)), ("", ("ninth",)),
                                    ("enth", ("tenth", "seventh", "eleventh")))
    assert starts.positions("the eleventh and the tenth, then the seventh") == [4, 21, 37]
    assert starts.positions("a ninth month, the first") == [2, 19]
    assert starts.positions("tent, then") == []
