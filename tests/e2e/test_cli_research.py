"""The research commands through the real `kb` command on the seed corpus: exact output,
exit codes, and what a re-ingest reports as new."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import bibtexparser
import feedparser
import pytest
import rispy
from click.testing import CliRunner, Result

from kb.cli import cli
from tests.conftest import copy_corpus

SEED_000 = "000_359018dcccf6213c.txt"
SEED_003 = "003_c1b8a34cd238fc18.txt"
GURRY = "c64704b70b0a533d"
BASE = "https://kb.example.org"


def kb(corpus: Path, index_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--corpus", str(corpus), "--index", str(index_dir), *args])


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("research")
    corpus = copy_corpus(base / "corpus")
    index_dir = base / "index"
    assert kb(corpus, index_dir, "ingest").exit_code == 0
    return corpus, index_dir


def run(seeded: tuple[Path, Path], *args: str, code: int = 0) -> str:
    result = kb(*seeded, *args)
    assert result.exit_code == code, result.output
    return result.output


def test_trend_as_csv_and_json(seeded: tuple[Path, Path]) -> None:
    rows = list(csv.DictReader(io.StringIO(run(seeded, "trend", "training data", "Gurry",
                                               "--format", "csv"))))
    assert len(rows) == 24
    assert [(r["query"], r["session"], r["passages"], r["per_1000_passages"]) for r in rows
            if r["passages"] != "0"] == [
        ("training data", "2", "1", "166.7"), ("training data", "4", "1", "1000.0"),
        ("training data", "7", "1", "1000.0"), ("training data", "9", "5", "833.3"),
        ("Gurry", "2", "3", "500.0")]
    data = json.loads(run(seeded, "trend", "Gurry", "--session", "2", "--json"))
    assert data["series"][0]["points"] == [{"session": 2, "documents": 1, "passages": 3,
                                            "session_passages": 6, "per_thousand": 500.0}]
    svg = run(seeded, "trend", "Gurry", "--format", "svg")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart"')


def test_trend_of_nine_queries_is_a_usage_error(seeded: tuple[Path, Path]) -> None:
    output = run(seeded, "trend", *[f"w{i}" for i in range(9)], code=2)
    assert "9 queries were given; a trend compares at most 8" in output


def test_kwic_lines_up_matches_and_refuses_stop_words(seeded: tuple[Path, Path]) -> None:
    lines = run(seeded, "kwic", "Gurry", "--width", "30").splitlines()
    assert lines[-1] == "8 occurrences in 3 matching passages"
    columns = {line.index("[Gurry]") for line in lines[:-1]}
    assert columns == {49}  # the matches line up after the passage id and 30 characters
    assert lines[0] == f"{GURRY}       Director General Francis  [Gurry]  said while opening the"
    rows = list(csv.DictReader(io.StringIO(run(seeded, "kwic", "Gurry", "--sort", "right",
                                               "--format", "csv"))))
    assert [r["right"].split()[0] for r in rows] == [
        "convened", "said.", "said.", "said", "said", "said.", "said", "thanked"]
    output = run(seeded, "kwic", "the", "of", code=2)
    assert "“the of” has only very common words (stop words)" in output


def test_cite_in_every_style_and_unknown_ids(seeded: tuple[Path, Path]) -> None:
    apa = run(seeded, "cite", GURRY, "--base-url", BASE)
    assert apa.startswith("World Intellectual Property Organization. (2020, July 7). WIPO "
                          "Director General Opens Virtual Conference on IP and AI [News].")
    assert apa.rstrip().endswith(f"(passage: {BASE}/doc/e6b121e219815efb?p={GURRY}#p-{GURRY})")
    bib = bibtexparser.loads(run(seeded, "cite", GURRY, "--style", "bibtex"))
    assert bib.entries[0]["url"] == ("https://www.wipo.int/about-wipo/en/dg_gurry/news/2020/"
                                     "news_0029.html")
    assert rispy.loads(run(seeded, "cite", GURRY, "--style", "ris"))[0]["id"] == GURRY
    output = run(seeded, "cite", "0000000000000000", code=6)
    assert "no passage with id '0000000000000000'" in output


def test_search_all_streams_every_passage(seeded: tuple[Path, Path]) -> None:
    rows = list(csv.DictReader(io.StringIO(run(seeded, "search", "--all", "--base-url", BASE))))
    assert len(rows) == 17
    assert {r["source"] for r in rows} == {SEED_000, "002_107c567630f7e293.txt", SEED_003}
    jsonl = run(seeded, "search", "Gurry", "--all", "--format", "jsonl").splitlines()
    assert [json.loads(line)["passage_id"] for line in jsonl][0] == GURRY
    assert len(jsonl) == 3
    ris = rispy.loads(run(seeded, "search", "Gurry", "--all", "--format", "ris"))
    assert len(ris) == 3
    bib = bibtexparser.loads(run(seeded, "search", "Gurry", "--all", "--format", "bibtex"))
    assert len(bib.entries) == 3
    assert "add --all" in run(seeded, "search", "Gurry", "--format", "ris", code=2)
    assert "--all writes csv, jsonl, ris, bibtex" in run(seeded, "search", "--all", "--json",
                                                         code=2)


def test_feed_topic_and_session(seeded: tuple[Path, Path]) -> None:
    parsed = feedparser.parse(run(seeded, "feed", "Gurry", "--session", "2", "--base-url",
                                  BASE))
    assert parsed.bozo == 0 and len(parsed.entries) == 3
    assert parsed.feed.id == f"{BASE}/feed?q=Gurry&session=2"
    topic = json.loads(run(seeded, "topic", "copyright", "--json"))
    assert (topic["documents"], topic["passages"]) == (2, 4)
    assert topic["by_session"][8] == {"session": 9, "documents": 2, "passages": 4,
                                      "per_1000_passages": 666.7}
    assert "no topic 'nope'" in run(seeded, "topic", "nope", code=6)
    session = json.loads(run(seeded, "session", "9", "--json"))
    assert (session["documents"], session["passages"]) == (2, 6)
    assert "no session 42" in run(seeded, "session", "42", code=6)


def test_new_reports_what_a_re_ingest_changed(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    assert kb(corpus, index_dir, "ingest").exit_code == 0
    first = json.loads(kb(corpus, index_dir, "new", "--json").output)
    assert (first["added_total"], first["updated_total"], first["removed_total"]) == (3, 0, 0)
    (corpus / SEED_000).unlink()
    (corpus / f"{SEED_000}.meta.toml").unlink()
    seed = corpus / SEED_003
    seed.write_text(seed.read_text(encoding="utf-8") + "\nA new closing paragraph.\n",
                    encoding="utf-8")
    assert kb(corpus, index_dir, "ingest").exit_code == 0
    second = json.loads(kb(corpus, index_dir, "new", "--json").output)
    assert (second["added_total"], second["updated_total"], second["removed_total"]) == \
        (0, 1, 1)
    assert second["updated"][0]["source"] == SEED_003
    assert second["removed"][0]["source"] == SEED_000
    assert second["at"] > first["at"] or second["at"] == first["at"]
    text = kb(corpus, index_dir, "new").output
    assert f"  updated: {SEED_003}  WIPO Director General Opens Virtual Conference" in text
    updated = feedparser.parse(kb(corpus, index_dir, "feed").output)
    assert updated.entries[0].link.startswith("http://127.0.0.1:5000/doc/e6b121e219815efb")
