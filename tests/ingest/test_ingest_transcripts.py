"""Transcripts as the tools write them, through the real pipeline: platform auto-captions,
Whisper's five outputs, WhisperX with diarised speakers, meeting-software captions, and the six
languages. Fixtures are under fixtures/transcripts, each in its tool's exact shape."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest import build_changes
from ingest.readers import transcripts, turns
from kb.model import Document, Failure
from kb.registry import Registry, load_registry

from .conftest import FIXTURES, extracted

TRANSCRIPTS = FIXTURES / "transcripts"
KEYNOTE = ("The eighth session turned to generative AI and copyright. Creators asked how their "
           "works were used to train models. We will hear from three panels today.")


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    """The ingest registries plus the fixture speakers.toml (Gurry, Tang, Woods) and
    recordings.toml (session 12: day 1 morning, day 2)."""
    folder = tmp_path_factory.mktemp("registry")
    for name in ("sessions.toml", "topics.toml"):
        shutil.copy(FIXTURES / "registry" / name, folder / name)
    for name in ("speakers.toml", "recordings.toml"):
        shutil.copy(TRANSCRIPTS / name, folder / name)
    return load_registry(folder)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TRANSCRIPTS, tmp_path / "transcripts",
                                ignore=shutil.ignore_patterns("speakers.toml", "recordings.toml")))


def _doc(path: Path, registry: Registry) -> Document:
    outcome = extracted([path], registry)[path.name]
    assert isinstance(outcome, Document), outcome
    return outcome


def _turns(doc: Document) -> list[tuple[str, float | None, str]]:
    return [(p.speaker, p.start, p.text) for p in doc.passages]


def test_rolling_auto_captions_come_out_once_in_order(folder: Path, people: Registry) -> None:
    doc = _doc(folder / "wipo_conversation_12_day1_am.vtt", people)
    assert _turns(doc) == [("", 0.16, (
        "good morning everyone and welcome to the twelfth session of the WIPO conversation "
        "today we talk about synthetic media deepfakes and digital replicas of voice and "
        "likeness thank you so now the first panel looks at watermarking and labelling"))]
    # Session, day and half-day from the file name; the date is day 1 of session 12.
    assert (doc.title, doc.sessions, doc.date, doc.language, doc.doc_type) == (
        "WIPO Conversation, session 12, day 1, morning", [12], "2025-10-28", "en", "transcript")
    # recordings.toml names the recording of session 12, day 1, morning.
    assert [p.recording_url for p in doc.passages] == [
        "https://www.youtube.com/watch?v=conv12day1am&t=0"]
    assert doc.warnings == []


@pytest.mark.parametrize("suffix", [".json", ".tsv", ".srt", ".vtt"])
def test_whisper_timed_outputs_give_the_same_turn(folder: Path, people: Registry, suffix: str
                                                  ) -> None:
    doc = _doc(folder / f"conversation_8_keynote{suffix}", people)
    assert _turns(doc) == [("", 0.0, KEYNOTE)]
    assert (doc.title, doc.sessions, doc.date, doc.doc_type) == (
        "WIPO Conversation, session 8", [8], "2023-09-20", "transcript")


def test_whisper_text_output_is_a_transcript_without_times(folder: Path, people: Registry
                                                           ) -> None:
    doc = _doc(folder / "conversation_8_keynote.txt", people)
    assert _turns(doc) == [("", None, KEYNOTE)]
    assert (doc.title, doc.sessions, doc.doc_type) == (
        "WIPO Conversation, session 8", [8], "transcript")


def test_whisperx_speakers_are_mapped_split_and_resolved(folder: Path, people: Registry) -> None:
    doc = _doc(folder / "panel_whisperx.json", people)
    assert _turns(doc) == [
        ("Daren Tang", 0.031, "Good morning and welcome to the twelfth session of the "
                              "Conversation. Synthetic media raise questions of consent."),
        # The second segment's words change speaker at "Thank": the turn is cut there.
        ("Speaker 2", 8.015, "Thank you, Director General. Performers need consent, control "
                             "and fair compensation for digital replicas."),
        # The map says "Mr. GURRY"; speakers.toml knows him as Francis Gurry.
        ("Francis Gurry", 754.2, "Watermarks help, but no watermark survives every "
                                 "transformation."),
    ]
    assert doc.speakers == ["Daren Tang", "Speaker 2", "Francis Gurry"]
    assert [p.recording_url for p in doc.passages] == [
        "https://www.youtube.com/watch?v=wipoConv12&t=0",
        "https://www.youtube.com/watch?v=wipoConv12&t=8",
        "https://www.youtube.com/watch?v=wipoConv12&t=754",
    ]
    assert (doc.recording, doc.sessions, doc.warnings) == (
        "https://www.youtube.com/watch?v=wipoConv12", [12], [])


def test_meeting_captions_with_name_labels(folder: Path, people: Registry) -> None:
    doc = _doc(folder / "zoom_meeting.vtt", people)
    assert _turns(doc) == [
        ("Michele Woods", 2.14, "Welcome to this informal consultation on the speakers' list. "
                                "Note: we will keep the recording for the record."),
        ("Ulrike Till", 10.5, "Thank you, Michele. Our AI policy work continues this year. "
                              "Question: how do we measure it?"),
        ("Michele Woods", 17.3, "Thank you, Ulrike."),
    ]


def test_meeting_captions_with_voice_tags_and_a_header(folder: Path, people: Registry) -> None:
    doc = _doc(folder / "teams_meeting.vtt", people)
    assert _turns(doc) == [
        ("Daren Tang", 3.12, "Personality rights differ from one country to the next. That is "
                             "why this Conversation matters."),
        ("Michele Woods", 12.8, "Thank you. Let us open the floor to questions."),
    ]
    # Title, session, day and recording from the NOTE block; a generic address gets #t=.
    assert (doc.title, doc.sessions, doc.date) == (
        "Twelfth session, day 2, panel on personality rights", [12], "2025-10-29")
    assert [p.recording_url for p in doc.passages] == [
        "https://webcast.wipo.int/video/conv_12_day2#t=3",
        "https://webcast.wipo.int/video/conv_12_day2#t=12"]


@pytest.mark.parametrize(("name", "language", "text"), [
    ("wipo_conversation_8_day2_pm.json", "fr",
     "Bonjour à toutes et à tous. Nous reprenons la deuxième journée de cette session consacrée "
     "à l'intelligence artificielle générative. La question du droit d'auteur sur les œuvres "
     "produites par une machine reste ouverte. Merci."),
    ("wipo_conversation_12_day2_pm_zh.json", "zh",
     "各位下午好。欢迎参加产权组织知识产权和前沿技术对话会第十二届会议。"),
])
def test_whisper_language_sets_the_documents(folder: Path, people: Registry, name: str,
                                             language: str, text: str) -> None:
    doc = _doc(folder / name, people)
    assert (doc.language, _turns(doc)) == (language, [("", 0.0, text)])
    # Session 12 day 2 has one recording for the whole day in recordings.toml; 8 has none.
    assert doc.recording == {"fr": "", "zh": "https://webcast.wipo.int/video/conv_12_day2"}[
        language]
    assert doc.date == {"fr": "2023-09-21", "zh": "2025-10-29"}[language]


def test_a_speaker_map_naming_a_missing_label_is_a_warning(folder: Path, people: Registry
                                                           ) -> None:
    (folder / "panel_whisperx.json.meta.toml").write_text(
        'speakers = {SPEAKER_00 = "Daren Tang", SPEAKER_07 = "Michele Woods"}\n',
        encoding="utf-8")
    changes, report = build_changes([folder / "panel_whisperx.json"], {}, people)
    assert [d.speakers for d in changes.upserts] == [["Daren Tang", "Speaker 2", "Speaker 3"]]
    assert report.failed == []
    assert report.warnings == [Failure(
        "panel_whisperx.json", "the speaker map names SPEAKER_07, which the file lacks "
        "(speakers in the file: SPEAKER_00, SPEAKER_01, SPEAKER_02)")]


BAD = {
    "not_whisper.json": (b'{"name": "export", "items": [1, 2]}',
                         "not a Whisper or WhisperX transcript: no 'segments' list (keys "
                         "found: items, name)"),
    "list.json": (b'[{"start": 0}]', "not a Whisper or WhisperX transcript: expected an "
                                     "object with 'segments', found a JSON list"),
    "empty.json": (b'{"text": "", "segments": [], "language": "en"}',
                   "empty transcript: no segment has any text"),
    "empty.vtt": (b"WEBVTT\n\nNOTE nothing was said\n", "empty transcript: no caption cues found"),
    "blank.tsv": (b"start\tend\ttext\n", "empty transcript: no timed line with text"),
    "late.srt": (b"1\n25:00:00,000 --> 25:00:02,000\nToo late.\n",
                 "empty transcript: no cue has any text"),
}


def test_bad_transcripts_fail_alone_with_the_reason(folder: Path, people: Registry) -> None:
    for name, (content, _) in BAD.items():
        (folder / name).write_bytes(content)
    changes, report = build_changes([folder], {}, people)
    assert {f.source: f.reason for f in report.failed} == {n: r for n, (_, r) in BAD.items()}
    # Every good transcript went in; Whisper's five outputs of one recording are one document.
    assert len(changes.upserts) == 7
    assert sorted(report.duplicates) == ["conversation_8_keynote.srt", "conversation_8_keynote.tsv",
                                         "conversation_8_keynote.txt", "conversation_8_keynote.vtt"]


def test_disordered_overlapping_and_late_cues_are_warnings(tmp_path: Path, people: Registry
                                                           ) -> None:
    (tmp_path / "rough.vtt").write_text(
        "WEBVTT\n\n"
        "00:00:10.000 --> 00:00:14.000\nSecond, said later.\n\n"
        "00:00:01.000 --> 00:00:05.000\nFirst, said first.\n\n"
        "00:00:12.000 --> 00:00:15.000\nThird, over the second.\n\n"
        "26:00:00.000 --> 26:00:01.000\nA cue from nowhere.\n", encoding="utf-8")
    changes, report = build_changes([tmp_path], {}, people)
    assert [p.text for p in changes.upserts[0].passages] == [
        "First, said first. Second, said later. Third, over the second."]
    assert [w.reason for w in report.warnings] == [
        "1 cue(s) timed past 24 hours dropped (first at 26:00:00): 'A cue from nowhere.'",
        "1 cue(s) out of order (first at 00:00:01); put back in order of their start time",
        "1 cue(s) overlap the one before by more than 1 s (first at 00:00:12)",
    ]


def test_whisper_segments_without_times_are_warnings(tmp_path: Path, people: Registry) -> None:
    (tmp_path / "talk.json").write_text(
        '{"segments": [{"start": 0.0, "end": 2.0, "text": " Kept."}, {"text": " No time."},'
        ' "junk"], "language": "de"}', encoding="utf-8")
    (tmp_path / "talk.tsv").write_text("start\tend\ttext\n0\t2000\tKept.\nsoon\tlater\tNo.\n",
                                       encoding="utf-8")
    changes, report = build_changes([tmp_path], {}, people)
    assert sorted((w.source, w.reason) for w in report.warnings) == [
        ("talk.json", "language 'de' is not one of the six UN languages (en, fr, es, ru, ar, "
                      "zh); detected from the text instead"),
        ("talk.json", "segment 2: has no start time; skipped"),
        ("talk.json", "segment 3: not an object; skipped"),
        ("talk.tsv", "line 3: expected start and end in milliseconds, then the text; skipped "
                     "'soon\\tlater\\tNo.'"),
    ]


@pytest.mark.parametrize(("name", "content"), [
    ("panel.srt", "1\n00:00:00,031 --> 00:00:04,812\n[SPEAKER_00]: Good morning and welcome.\n\n"
                  "2\n00:00:05,113 --> 00:00:07,655\n[SPEAKER_01]: Thank you, Director "
                  "General.\n"),
    ("panel.vtt", "WEBVTT\n\n00:00.031 --> 00:04.812\n<v SPEAKER_00>Good morning and welcome.\n\n"
                  "00:05.113 --> 00:07.655\n<v SPEAKER_01>Thank you, Director General.\n"),
])
def test_diarised_labels_in_caption_files(tmp_path: Path, people: Registry, name: str,
                                          content: str) -> None:
    """WhisperX's SRT/VTT write ``[SPEAKER_00]:``; other tools put the label in a voice tag."""
    (tmp_path / name).write_text(content, encoding="utf-8")
    (tmp_path / f"{name}.meta.toml").write_text('speakers = {SPEAKER_01 = "Ms. WOODS"}\n',
                                                encoding="utf-8")
    doc = _doc(tmp_path / name, people)
    assert _turns(doc) == [("Speaker 1", 0.031, "Good morning and welcome."),
                           ("Michele Woods", 5.113, "Thank you, Director General.")]
    assert doc.speaker_labels == {"SPEAKER_00": "Speaker 1", "SPEAKER_01": "Michele Woods"}


@pytest.mark.parametrize(("head", "found"), [
    ("Report\n  Original : English\n", True),
    ("ORIGINAL: French", True),
    ("the original: text", False),  # not at a line's start
    ("no such line", False),
    ("  ORİGİNAL: é", True),  # "İ" matches "i" where case is ignored: the pattern decides
])
def test_a_report_s_original_line(head: str, found: bool) -> None:
    assert transcripts._has_original_line(head) is found


def test_turn_markers_are_each_marker_at_the_start_or_after_a_space() -> None:
    # ">>" inside a word or an arrow ">>>" is no marker; the spaces after a marker are its own.
    text = ">> CHAIR: yes a>>b >>>x \u00a0>> MS. ROE: no >>  >> end"
    assert turns._markers(text) == [0, 19, 25, 40, 44]
    assert [text[at:at + 4] for at in turns._markers(text)] == [">> C", ">>>x", ">> M", ">>  ",
                                                               ">> e"]
    assert turns._markers("no marker") == []


def test_a_report_needs_eight_lines_opening_on_a_numbered_paragraph() -> None:
    numbered = "\n".join(f"{n}. The Chair opened item {n}." for n in range(1, 9))
    assert transcripts._numbered_paragraphs(numbered)
    # Seven numbered lines, however many numbers the text holds elsewhere.
    seven = "\n".join(f"{n}. Item, see 1. and 2. above" for n in range(1, 8))
    assert not transcripts._numbered_paragraphs(seven)
    # Blank lines and spaces before a number still open its line on it.
    assert transcripts._numbered_paragraphs("\n\n  ".join(f"{n}.  text" for n in range(8)))
    # A line opening on a digit but no numbered paragraph: "2024 was" is no "12. ".
    assert not transcripts._numbered_paragraphs("\n".join(f"202{n} was a year." for n in range(9)))
