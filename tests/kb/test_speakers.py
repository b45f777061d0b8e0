from pathlib import Path
from typing import Any

import pytest

from kb.recordings import parse_recordings
from kb.registry import RegistryError, load_registry
from kb.speakers import (
    SpeakerRegistry,
    diarised_label,
    diarised_number,
    parse_speakers,
    speaker_id,
)


def test_speaker_id_is_a_readable_slug() -> None:
    assert speaker_id("Daren Tang") == "daren-tang"
    assert speaker_id("  Mr. GURRY ") == "mr-gurry"


def test_speaker_id_folds_accents_but_keeps_other_scripts() -> None:
    assert speaker_id("Francis Gürry") == "francis-gurry"
    assert speaker_id("邓鸿森") == "邓鸿森"
    assert speaker_id("Дарен Тан") == "дарен-тан"
    assert speaker_id("SPEAKER_00") == "speaker-00"


# ------------------------------------------------------------------------- speakers.toml

REGISTRY = """\
[[speaker]]
name = "Francis Gurry"
role = "Director General of WIPO"
organisation = "WIPO"
country = "Australia"
spellings = ["Mr. GURRY (Director General)"]

[[speaker]]
name = "Michele Woods"
organisation = "WIPO"

[[speaker]]
name = "Ana Woods"
"""


def _registry(text: str = REGISTRY) -> SpeakerRegistry:
    return parse_speakers(Path("speakers.toml"), text)


def test_every_spelling_and_a_unique_surname_find_the_person() -> None:
    people = _registry()
    assert [people.canonical(n) for n in (
        "Mr. GURRY (Director General)", ">> GURRY", "Gurry", "francis gurry", "Francis Gürry",
        "Ms. Michele WOODS", "Chair", "Speaker 1")] == [
        "Francis Gurry", "Francis Gurry", "Francis Gurry", "Francis Gurry", "Francis Gurry",
        "Michele Woods", "Chair", "Speaker 1"]
    # Two people called Woods: the surname alone finds nobody rather than the wrong one.
    assert people.find("Woods") is None
    gurry = people.find("GURRY")
    assert gurry is not None and gurry.to_dict() == {
        "id": "francis-gurry", "name": "Francis Gurry", "role": "Director General of WIPO",
        "organisation": "WIPO", "country": "Australia",
        "spellings": ["Mr. GURRY (Director General)"]}


def test_diarised_labels_have_one_spelling() -> None:
    assert [diarised_label(x) for x in ("SPEAKER_00", "speaker_3", "SPEAKER 12", "Chair")] == [
        "SPEAKER_00", "SPEAKER_03", "SPEAKER_12", "Chair"]
    assert (diarised_number("SPEAKER_07"), diarised_number("Speakers")) == (7, None)


@pytest.mark.parametrize(("text", "line", "problem"), [
    ('[[speaker]]\nrole = "Chair"\n', 1, "speaker #1: missing required key 'name'"),
    ('[[speaker]]\nname = "A B"\n\n[[speaker]]\nname = "A B"\n', 4,
     "speaker #2: 'A B' is listed twice"),
    ('[[speaker]]\nname = "A B"\nrank = 1\n', 1,
     "speaker #1: unknown key(s) rank (allowed: country, name, organisation, role, spellings)"),
    ('[[speaker]]\nname = "A B"\nspellings = "AB"\n', 1,
     "speaker #1: 'spellings' must be list, got 'AB'"),
    ('[[speaker]]\nname = "A B"\n[[speaker]]\nname = "C D"\nspellings = ["a b"]\n', 3,
     "speaker #2: the spelling 'a b' is also given for 'A B'"),
    ('[[speaker]]\nname = "-- --"\n', 1, "speaker #1: 'name' has no letters, got '-- --'"),
])
def test_a_bad_registry_names_line_and_problem(text: str, line: int, problem: str) -> None:
    with pytest.raises(RegistryError) as caught:
        _registry(text)
    assert (caught.value.line, caught.value.problem) == (line, problem)


# ------------------------------------------------------------------------ recordings.toml


def _sessions() -> dict[int, Any]:
    return load_registry(Path(__file__).resolve().parents[1] / "ingest" / "fixtures"
                         / "registry").sessions


def test_recordings_are_found_by_session_day_and_half() -> None:
    recordings = parse_recordings(Path("recordings.toml"), (
        '[[recording]]\nsession = 12\nday = 1\nhalf = "am"\nurl = "https://a.example/1am"\n'
        '[[recording]]\nsession = 12\nday = 1\nurl = "https://a.example/1"\n'), _sessions())
    assert [recordings.find(12, 1, "am"), recordings.find(12, 1, "pm"), recordings.find(12, 1),
            recordings.find(12, 2, "am")] == [
        "https://a.example/1am", "https://a.example/1", "https://a.example/1", ""]


@pytest.mark.parametrize(("text", "problem"), [
    ('[[recording]]\nsession = 13\nday = 1\nurl = "https://a.example"\n',
     "recording #1: session 13 is not in sessions.toml"),
    ('[[recording]]\nsession = 12\nday = 3\nurl = "https://a.example"\n',
     "recording #1: session 12 has 2 day(s); 'day' must be 1 to 2, got 3"),
    ('[[recording]]\nsession = 12\nday = 1\nhalf = "noon"\nurl = "https://a.example"\n',
     "recording #1: 'half' must be am or pm, got 'noon'"),
    ('[[recording]]\nsession = 12\nday = 1\nurl = "youtube.com/x"\n',
     "recording #1: 'url' must be an http(s) address, got 'youtube.com/x'"),
    ('[[recording]]\nsession = 12\nday = 1\nurl = "https://a"\n'
     '[[recording]]\nsession = 12\nday = 1\nurl = "https://b"\n',
     "recording #2: session 12, day 1 is listed twice"),
])
def test_a_bad_recordings_registry_names_the_problem(text: str, problem: str) -> None:
    with pytest.raises(RegistryError) as caught:
        parse_recordings(Path("recordings.toml"), text, _sessions())
    assert caught.value.problem == problem
