"""Transcripts through the real `kb` command: checking a speaker map with `kb extract`,
warnings in the ingest report, `kb speakers`, and speakers.toml as a registry (validated,
re-enriching on edit)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kb.cli import cli
from tests.conftest import copy_corpus

FIXTURES = Path(__file__).resolve().parents[1] / "ingest" / "fixtures" / "transcripts"
WHISPERX = "recordings/panel_whisperx.json"


def kb(corpus: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--corpus", str(corpus), "--index",
                                    str(corpus.parent / "index"), *args])


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The bundled corpus (with corpus/speakers.toml) plus three recordings' transcripts."""
    folder = copy_corpus(tmp_path / "corpus")
    (folder / "recordings").mkdir()
    for name in ("panel_whisperx.json", "panel_whisperx.json.meta.toml", "teams_meeting.vtt",
                 "wipo_conversation_12_day1_am.vtt"):
        shutil.copy(FIXTURES / name, folder / "recordings" / name)
    return folder


def test_extract_shows_speakers_turns_and_times(corpus: Path) -> None:
    result = kb(corpus, "extract", str(corpus / WHISPERX))
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Speakers found: 3\n"
        "  Daren Tang (SPEAKER_00): 1 turn, first at 00:00:00\n"
        "  Speaker 2 (SPEAKER_01): 1 turn, first at 00:00:08\n"
        "  Francis Gurry (SPEAKER_02): 1 turn, first at 00:12:34\n"
        "Recording: https://www.youtube.com/watch?v=wipoConv12\n\n"
        "[00:00:00] Daren Tang: Good morning and welcome to the twelfth session of the "
        "Conversation. Synthetic media raise questions of consent.\n\n"
        "[00:00:08] Speaker 2: Thank you, Director General. Performers need consent, control and "
        "fair compensation for digital replicas.\n\n"
        "[00:12:34] Francis Gurry: Watermarks help, but no watermark survives every "
        "transformation.\n")


def test_ingest_reports_warnings_and_goes_on(corpus: Path) -> None:
    (corpus / f"{WHISPERX}.meta.toml").write_text(
        'speakers = {SPEAKER_00 = "Daren Tang", SPEAKER_09 = "Michele Woods"}\n',
        encoding="utf-8")
    result = kb(corpus, "ingest")
    assert result.exit_code == 0, result.output
    assert (f"  warning: {WHISPERX}: the speaker map names SPEAKER_09, which the file lacks "
            "(speakers in the file: SPEAKER_00, SPEAKER_01, SPEAKER_02)\n") in result.output
    assert "Ingest: 6 added, 0 updated, 0 removed, 0 unchanged, 1 duplicates, 0 failed" \
        in result.output


def test_speakers_command_lists_and_shows(corpus: Path) -> None:
    assert kb(corpus, "ingest").exit_code == 0
    listed = json.loads(kb(corpus, "speakers", "--json").output)
    assert [(s["id"], s["passages"]) for s in listed] == [
        ("daren-tang", 2), ("francis-gurry", 1), ("michele-woods", 1), ("speaker-2", 1)]
    shown = kb(corpus, "speakers", "francis-gurry")
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(
        "        name: Francis Gurry\n"
        "        role: Director General of WIPO; opened the first and second sessions\n"
        "organisation: WIPO\n"
        "    passages: 1 in 1 document(s)\n"
        "    sessions: 12 · Synthetic media · Oct 2025 (1)\n")
    missing = kb(corpus, "speakers", "nobody")
    assert missing.exit_code == 6
    assert "no speaker with id 'nobody'" in missing.output


def test_a_bad_speakers_registry_stops_ingest_with_file_and_line(corpus: Path) -> None:
    registry = corpus / "speakers.toml"
    original = registry.read_text(encoding="utf-8")
    registry.write_text(original + '\n[[speaker]]\nname = "Gurry"\nrole = "Chair"\n',
                        encoding="utf-8")
    result = kb(corpus, "ingest")
    line = len(original.splitlines()) + 2  # after a blank line
    assert result.exit_code == 5
    assert (f"{registry}:{line}: speaker #7: the spelling 'Gurry' is also given for "
            "'Francis Gurry'") in result.output
    assert not (corpus.parent / "index").exists()


def test_editing_speakers_toml_re_enriches(corpus: Path) -> None:
    assert kb(corpus, "ingest").exit_code == 0
    registry = corpus / "speakers.toml"
    # The full name becomes the one shown; the short one, as transcripts write it, a spelling.
    registry.write_text(registry.read_text(encoding="utf-8").replace(
        'name = "Daren Tang"', 'name = "Daren Tang Hwee Leng"').replace(
        'spellings = ["Mr. TANG"', 'spellings = ["Daren Tang", "Mr. TANG"'), encoding="utf-8")
    result = kb(corpus, "ingest")
    assert result.exit_code == 0, result.output
    assert "6 updated" in result.output
    listed = json.loads(kb(corpus, "speakers", "--json").output)
    assert listed[0]["id"] == "daren-tang-hwee-leng"
