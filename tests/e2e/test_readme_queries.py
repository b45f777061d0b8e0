"""Every example in the "you type" column of the README's query-language table finds documents
in the bundled corpus, through the real `kb` command, with no note and no "did you mean"."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from tests.conftest import copy_corpus

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")

#: Documents each example finds in the bundled corpus.
EXPECTED = {
    "remuneration of performers for training data": 3,
    "copyrighted": 2,
    "人工智能": 3,
    "l'OMPI": 3,
    "интеллектуальная собственность": 3,
    "الذكاء الاصطناعي": 3,
    "LLM": 1,
    "propriété intellectuelle": 3,
    "generative AI": 3,
    "NFT": 1,
    "LLM's": 1,
    "SMEs": 1,
    "smes": 1,
    '"training data"': 2,
    "copyright AND bias": 2,
    "Gurry OR Tang": 2,
    "AI NOT metaverse": 3,
    "AI -metaverse": 3,
    "title:machines": 1,
    "heading:sessions": 1,
    "session:9": 2,
    "topic:copyright": 2,
    "type:news": 2,
    "lang:en": 3,
    "source:corpus": 3,
    "date:2024": 2,
    "date:2023..2024": 2,
    "date:2024-03..2024-11": 2,
    "copy*": 2,
    "title:conv*": 2,
}


def table_examples() -> list[str]:
    """The backquoted examples of the table's first column."""
    section = README.split("## Query language", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]
    return [example for row in rows for example in re.findall(r"`([^`]+)`", row.split(" | ")[0])]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    root = tmp_path_factory.mktemp("readme")
    options = ["--corpus", str(copy_corpus(root / "corpus")), "--index", str(root / "ix")]
    assert CliRunner().invoke(cli, [*options, "ingest"]).exit_code == 0
    return options


def test_every_example_of_the_table_is_listed_here() -> None:
    assert table_examples() == list(EXPECTED)


@pytest.mark.parametrize("query", list(EXPECTED))
def test_each_example_finds_documents(base: list[str], query: str) -> None:
    result = CliRunner().invoke(cli, [*base, "search", query, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["total"], data["notes"], data["suggestion"]) == (EXPECTED[query], [], "")
