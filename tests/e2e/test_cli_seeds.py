"""The seed corpus through the real pipeline and the real `kb` command, with exact outcomes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kb.cli import cli
from tests.conftest import copy_corpus

SEED_000 = "000_359018dcccf6213c.txt"
SEED_001 = "001_c3a6d4861f1c4946.txt"
SEED_002 = "002_107c567630f7e293.txt"
SEED_003 = "003_c1b8a34cd238fc18.txt"


def kb(corpus: Path, index_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--corpus", str(corpus), "--index", str(index_dir), *args],
                              catch_exceptions=False)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Result]:
    base = tmp_path_factory.mktemp("seeded")
    corpus = copy_corpus(base / "corpus")
    index_dir = base / "index"
    return corpus, index_dir, kb(corpus, index_dir, "ingest")


def search(seeded: tuple[Path, Path, Result], *args: str) -> dict:
    corpus, index_dir, _ = seeded
    result = kb(corpus, index_dir, "search", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_ingest_reports_what_it_did(seeded: tuple[Path, Path, Result]) -> None:
    _, _, result = seeded
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Ingest: 3 added, 0 updated, 0 removed, 0 unchanged, 1 duplicates, "
                           "0 failed; passages: ")
    assert "duplicate: 001_c3a6d4861f1c4946.txt (same page as 002_107c567630f7e293.txt)" in (
        result.output)


def test_training_data_finds_the_session_9_recap(seeded: tuple[Path, Path, Result]) -> None:
    data = search(seeded, "training data", "--flat", "--limit", "50")
    recap = [h for h in data["hits"] if h["source"] == SEED_000]
    assert recap, [h["source"] for h in data["hits"]]
    assert all(h["sessions"] == [9] for h in recap)
    assert any("<mark>training</mark> <mark>data</mark>" in h["snippet"].lower() for h in recap)
    assert set(data) >= {"query", "total", "hits", "facets"}
    assert set(recap[0]) >= {"doc_id", "passage_id", "source", "title", "type", "date",
                             "sessions", "topics", "score", "snippet"}


def test_menu_words_are_not_in_the_index(seeded: tuple[Path, Path, Result]) -> None:
    for words in ("PATENTSCOPE", '"Madrid Monitor"', "eHague", '"Financial Reporting Oversight"',
                  "UPOV", "Locarno"):
        data = search(seeded, words)
        assert data["total"] == 0, (words, [h["snippet"] for h in data["hits"]])


def test_trailing_furniture_is_not_in_the_index(seeded: tuple[Path, Path, Result]) -> None:
    for phrase in ('"Watch the event"', '"subscribe to our newsletter"', '"Photo: WIPO"'):
        assert search(seeded, phrase)["total"] == 0, phrase


def test_the_clean_and_menu_laden_copies_count_once(seeded: tuple[Path, Path, Result]) -> None:
    data = search(seeded, '"multi-stakeholder forum"')
    assert data["total"] == 1
    assert data["hits"][0]["source"] == SEED_002
    assert data["hits"][0]["also_at"] == [SEED_001]


def test_session_of_each_seed(seeded: tuple[Path, Path, Result]) -> None:
    corpus, index_dir, _ = seeded
    docs = {h["source"]: h for h in search(seeded, "", "--limit", "20")["hits"]}
    assert sorted(docs) == [SEED_000, SEED_002, SEED_003]
    shown = kb(corpus, index_dir, "show", docs[SEED_000]["doc_id"], "--json")
    assert json.loads(shown.output)["sessions"] == [9]
    shown = kb(corpus, index_dir, "show", docs[SEED_003]["doc_id"], "--json")
    assert 2 in json.loads(shown.output)["sessions"]
    assert json.loads(shown.output)["date"] == "2020-07-07"


def test_session_filter_narrows_and_unknown_session_is_a_clear_error(
    seeded: tuple[Path, Path, Result],
) -> None:
    corpus, index_dir, _ = seeded
    data = search(seeded, "Gurry", "--session", "2")
    assert [h["source"] for h in data["hits"]] == [SEED_003]
    result = CliRunner().invoke(cli, ["--corpus", str(corpus), "--index", str(index_dir),
                                      "search", "AI", "--session", "13"])
    assert result.exit_code == 2
    assert "there is no session 13 (known: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)" in result.output


def test_unchanged_reingest_writes_nothing(seeded: tuple[Path, Path, Result]) -> None:
    corpus, index_dir, _ = seeded
    before = json.loads(kb(corpus, index_dir, "stats", "--json").output)["generation"]
    result = kb(corpus, index_dir, "ingest")
    assert result.exit_code == 0
    assert result.output.strip() == (
        "Ingest: 0 added, 0 updated, 0 removed, 4 unchanged, 0 duplicates, 0 failed; "
        "passages: 0 added, 0 removed")
    assert json.loads(kb(corpus, index_dir, "stats", "--json").output)["generation"] == before


def test_table_output_marks_matched_words(seeded: tuple[Path, Path, Result]) -> None:
    corpus, index_dir, _ = seeded
    result = kb(corpus, index_dir, "search", "Gurry")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "1 document for Gurry (page 1 of 1)"
    assert lines[1].startswith("  1. ")
    assert "[Gurry]" in result.output
    assert f"{SEED_003}#p-" in result.output


def test_a_broken_file_is_reported_and_the_rest_ingested(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    (corpus / "broken.txt").write_bytes(b"\x00\xff\xfe\x00" * 64 + bytes(range(256)) * 8)
    (corpus / "empty.md").write_text("")
    result = CliRunner().invoke(cli, ["--corpus", str(corpus), "--index", str(tmp_path / "ix"),
                                      "ingest"])
    assert result.exit_code == 1
    assert "FAILED: broken.txt: " in result.output
    assert "FAILED: empty.md: " in result.output
    assert "3 added, 0 updated, 0 removed, 0 unchanged, 1 duplicates, 2 failed" in result.output
    data = json.loads(kb(corpus, tmp_path / "ix", "search", "--json", "Gurry").output)
    assert data["total"] == 1


def test_a_malformed_registry_stops_before_the_index_is_touched(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    sessions = corpus / "sessions.toml"
    sessions.write_text(sessions.read_text().replace("end = 2024-03-14", "end = 2024-03-01"))
    result = CliRunner().invoke(cli, ["--corpus", str(corpus), "--index", str(tmp_path / "ix"),
                                      "ingest"])
    assert result.exit_code == 5
    assert f"{sessions}:138: session #9: 'end' (2024-03-01) is before 'start'" in result.output
    assert not (tmp_path / "ix").exists()


def test_search_without_an_index_says_to_ingest(tmp_path: Path, corpus_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["--corpus", str(corpus_dir), "--index",
                                      str(tmp_path / "none"), "search", "AI"])
    assert result.exit_code == 3
    assert "no index at" in result.output and "run `kb ingest` first" in result.output


def test_environment_variables_choose_corpus_and_index(
    seeded: tuple[Path, Path, Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, index_dir, _ = seeded
    monkeypatch.setenv("KB_CORPUS", str(corpus))
    monkeypatch.setenv("KB_INDEX", str(index_dir))
    result = CliRunner().invoke(cli, ["search", "--json", "Gurry"])
    assert json.loads(result.output)["total"] == 1
