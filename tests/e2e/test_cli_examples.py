"""Every example the home page and the help page offer finds passages in the bundled corpus,
through the real `kb` command (the issue: "Try inventorship" found nothing on the corpus that
ships)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kb.cli import cli
from tests.conftest import copy_corpus
from web.pages import EXAMPLE_QUERIES, QUERY_HELP

#: Documents each example finds in the bundled corpus.
EXPECTED = {
    "training data": 3,
    "copyright AND generative": 1,
    '"fair compensation"': 1,
    "metaverse": 1,
    "bias": 2,
    "remuneration of performers for training data": 3,
    "copyrighted": 2,
    '"training data"': 2,
    "copyright AND bias": 2,
    "Gurry OR Tang": 2,
    "AI NOT metaverse": 3,
    "(NFT OR blockchain) AND metaverse": 1,
    "title:machines": 1,
    "session:9 bias": 2,
    "date:2023..2024 copyright": 2,
    "copy*": 2,
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    root = tmp_path_factory.mktemp("examples")
    options = ["--corpus", str(copy_corpus(root / "corpus")), "--index", str(root / "ix")]
    assert CliRunner().invoke(cli, [*options, "ingest"]).exit_code == 0
    return options


def test_every_example_is_listed_here() -> None:
    assert set(EXAMPLE_QUERIES) | {q for q, _ in QUERY_HELP} == set(EXPECTED)


@pytest.mark.parametrize("query", sorted(EXPECTED))
def test_each_example_finds_documents(base: list[str], query: str) -> None:
    result = CliRunner().invoke(cli, [*base, "search", query, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["total"], data["notes"], data["suggestion"]) == (EXPECTED[query], [], "")
