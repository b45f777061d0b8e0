"""`kb search` with queries the parser cannot read as structure: a note, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli


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
