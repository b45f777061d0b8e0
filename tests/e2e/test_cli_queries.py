"""`kb search` with queries the parser cannot read as structure: a note, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.search import Library


def test_deeply_nested_parentheses_are_searched_as_words(corpus_dir: Path,
                                                          tmp_path: Path) -> None:
    base = ["--corpus", str(corpus_dir), "--index", str(tmp_path / "ix")]
    assert CliRunner().invoke(cli, [*base, "ingest"]).exit_code == 0
    query = "(" * 330 + "Gurry" + ")" * 330
    result = CliRunner().invoke(cli, [*base, "search", query, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["notes"] == [
        "Parentheses were nested more than 16 deep — searched for the words instead."]
    assert data["total"] == 1


def test_ctrl_c_during_a_search_is_one_line_and_status_130(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = ["--corpus", str(corpus_dir), "--index", str(tmp_path / "ix")]
    assert CliRunner().invoke(cli, [*base, "ingest"]).exit_code == 0

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Library, "search", interrupted)
    result = CliRunner().invoke(cli, [*base, "search", "Gurry"])
    assert (result.exit_code, result.output) == (130, "Error: interrupted\n")


def test_a_page_past_the_end_shows_the_last_page_with_a_note(corpus_dir: Path,
                                                             tmp_path: Path) -> None:
    base = ["--corpus", str(corpus_dir), "--index", str(tmp_path / "ix")]
    assert CliRunner().invoke(cli, [*base, "ingest"]).exit_code == 0
    result = CliRunner().invoke(cli, [*base, "search", "", "--limit", "2", "--page", "99"])
    assert result.exit_code == 0, result.output
    assert "note: Page 99 is past the end; showing page 2.\n" in result.output
    assert "3 documents for everything (page 2 of 2)\n" in result.output
    assert "  3. WIPO Director General Opens Virtual Conference on IP and AI  [session 2; news; " \
        "2020-07-07]\n" in result.output


def test_an_empty_query_lists_newest_first(corpus_dir: Path, tmp_path: Path) -> None:
    base = ["--corpus", str(corpus_dir), "--index", str(tmp_path / "ix")]
    assert CliRunner().invoke(cli, [*base, "ingest"]).exit_code == 0
    result = CliRunner().invoke(cli, [*base, "search", "", "--json"])
    assert [hit["date"] for hit in json.loads(result.output)["hits"]] == [
        "2024-03-13", "2024-03-13", "2020-07-07"]
