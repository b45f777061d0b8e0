"""Small CLI truths on the seed corpus: kb stats says when it shows only some values, a
filter value the index lacks gets the same note as its query form, "searched for" tells the
query as it is ranked (without stop words), and `kb similar` marks only telling words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import copy_corpus
from tests.e2e.test_cli_seeds import kb


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("truths")
    corpus = copy_corpus(base / "corpus")
    assert kb(corpus, base / "index", "ingest").exit_code == 0
    return corpus, base / "index"


def run(seeded: tuple[Path, Path], *args: str) -> Result:
    result = kb(*seeded, *args)
    assert result.exit_code == 0, result.output
    return result


def test_stats_says_how_many_values_it_leaves_out(seeded: tuple[Path, Path]) -> None:
    stats = json.loads(run(seeded, "stats", "--json").output)
    topics = stats["facets"]["topic"]
    assert len(topics) == 11
    lines = {line.split(":")[0].strip(): line for line in run(seeded, "stats").output.splitlines()}
    assert lines["topic"].endswith(", … and 3 more (--json lists all)")
    assert lines["topic"].count("(") == 9
    assert lines["type"] == "          type: news (2), session-page (1)"


def test_a_missing_filter_value_gets_the_same_note_either_way(seeded: tuple[Path, Path]) -> None:
    by_option = json.loads(run(seeded, "search", "copyright", "--lang", "fr", "--json").output)
    by_query = json.loads(run(seeded, "search", "copyright lang:fr", "--json").output)
    assert by_option["total"] == by_query["total"] == 0
    assert by_option["notes"] == by_query["notes"] == ["No language 'fr' in the index."]
    table = run(seeded, "search", "copyright", "--lang", "fr").output
    assert "note: No language 'fr' in the index." in table.splitlines()


def test_searched_for_tells_the_ranking_without_stop_words(seeded: tuple[Path, Path]) -> None:
    result = run(seeded, "search", "remuneration of performers for training data", "--limit", "1")
    assert result.output.splitlines()[0] == (
        "3 documents for all of (remuneration performers training data) first, then most of "
        "them (page 1 of 3)")
    data = json.loads(run(seeded, "search", "copyright", "of", "the", "--json").output)
    assert data["understood"] == "copyright"


def test_similar_marks_only_the_telling_words(seeded: tuple[Path, Path]) -> None:
    hit = json.loads(run(seeded, "search", "training data", "--flat", "--json").output)["hits"][0]
    assert hit["passage_id"] == "7cb6f6246b37fd84"
    similar = run(seeded, "similar", hit["passage_id"], "--format", "csv").output
    marked = {word.lower() for word in re.findall(r"\[([^\]]+)\]", similar)}
    assert marked == {"training", "data", "copyright"}
