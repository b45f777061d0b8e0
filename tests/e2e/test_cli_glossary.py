"""The glossary from the command line: shown, switched off, checked at ingest; and --more."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kb.cli import cli
from tests.conftest import copy_corpus

SEED_002 = "002_107c567630f7e293.txt"


def kb(corpus: Path, index_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--corpus", str(corpus), "--index", str(index_dir), *args],
                              catch_exceptions=False)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("glossary")
    corpus = copy_corpus(base / "corpus")
    assert kb(corpus, base / "index", "ingest").exit_code == 0
    return corpus, base / "index"


def test_the_expansion_is_shown_and_can_be_switched_off(seeded: tuple[Path, Path]) -> None:
    shown = kb(*seeded, "search", "NFT").output.splitlines()
    assert shown[:2] == [
        "1 document for NFT (page 1 of 1)",
        # The bundled corpus is English: the other languages' forms could match nothing.
        "Also searched: non-fungible token (--no-expand: only the words typed)"]
    plain = kb(*seeded, "search", "NFT", "--no-expand").output.splitlines()
    assert plain[0] == "1 document for NFT (page 1 of 1)"
    assert not any(line.startswith("Also searched") for line in plain)
    data = json.loads(kb(*seeded, "search", "--json", "TDM").output)
    assert data["also_searched"] == ["text and data mining"]
    assert json.loads(kb(*seeded, "search", "--json", "--no-expand", "TDM").output)[
        "also_searched"] == []


def test_an_acronym_finds_the_spelled_out_words_of_the_seeds(seeded: tuple[Path, Path]) -> None:
    typed = json.loads(kb(*seeded, "search", "--json", "--no-expand", "LLM").output)
    expanded = json.loads(kb(*seeded, "search", "--json", "LLM").output)
    assert typed["total"] == 0
    assert expanded["total"] == 1
    assert expanded["hits"][0]["source"] == SEED_002
    assert "especially <mark>large</mark> <mark>language</mark> <mark>models</mark>, and GenAI" \
        in expanded["hits"][0]["snippet"]


def test_more_passages_are_listed_under_their_hit(seeded: tuple[Path, Path]) -> None:
    lines = kb(*seeded, "search", "sixth session", "--limit", "1", "--more", "1",
               "--no-expand").output.splitlines()
    assert lines[1].startswith("  1. WIPO Conversation on Intellectual Property and Frontier "
                               "Technologies  [session 6; session-page; 2024-03-13]")
    further = [i for i, line in enumerate(lines) if line.startswith("       + ")]
    assert len(further) == 1
    assert lines[-1].startswith(f"         {SEED_002}#p-")
    none = kb(*seeded, "search", "sixth session", "--limit", "1", "--more", "0").output
    assert "       + " not in none


def test_a_broken_glossary_stops_ingest_with_file_and_line(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    glossary = corpus / "glossary.toml"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace(
        'id = "deepfake"\n', 'id = "deepfake"\nde = "Deepfake"\n'), encoding="utf-8")
    line = glossary.read_text(encoding="utf-8").splitlines().index('id = "deepfake"')
    result = CliRunner().invoke(cli, ["--corpus", str(corpus), "--index", str(tmp_path / "ix"),
                                      "ingest"])
    assert result.exit_code == 5
    assert f"{glossary}:{line}: term #5: unknown key(s) de (allowed: ar, en, es, fr, id, note, " \
        "ru, zh)" in result.output
    assert not (tmp_path / "ix").exists()
