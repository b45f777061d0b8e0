"""bench/baselines.py: both baselines do kb's work for a query, on passages built here.

The benchmark's comparison is only honest if the baselines answer what kb answers: documents
matched, documents (not passages) per facet value counted over the matching passages only, the
top documents by their best passage, up to three passages shown each with a snippet.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_baselines", BENCH / "baselines.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


baselines = _load()
HAS_TANTIVY = baselines.tantivy_version() is not None


def _row(doc: int, text: str, speaker: str, session: str, doc_type: str = "paper") -> Any:
    return baselines.Row(doc=doc, doc_id=f"d{doc}", title=f"Title {doc}", heading="", text=text,
                         facets={"session": [session], "topic": [], "speaker": [speaker],
                                 "type": [doc_type], "year": ["2024"], "language": ["en"],
                                 "source": ["site"]})


ROWS = [
    _row(0, "Copyright law applies to machine training data.", "Ana", "1"),
    _row(0, "Copyright again in a second passage of the same document.", "Ana", "1"),
    _row(0, "Unrelated words about inventors.", "Ben", "2"),
    _row(0, "Copyright once more, a third time.", "Cid", "1"),
    _row(0, "Copyright in a fourth passage that is not shown.", "Cid", "1"),
    _row(1, "Copyright copyright copyright.", "Ben", "2", "transcript"),
    _row(2, "Patents for inventors only.", "Dee", "3"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("baselines")
    paths = {"fts5": folder / "fts5.db"}
    assert baselines.build_fts5(iter(ROWS), paths["fts5"]) == 7
    if HAS_TANTIVY:
        paths["tantivy"] = folder / "tantivy"
        assert baselines.build_tantivy(iter(ROWS), paths["tantivy"]) == 7
    return paths


ENGINES = ["fts5", pytest.param("tantivy", marks=pytest.mark.skipif(
    not HAS_TANTIVY, reason="tantivy is not installed (the bench extra)"))]


@pytest.mark.parametrize("engine", ENGINES)
def test_documents_per_facet_value_over_matching_passages(built: dict[str, Path],
                                                          engine: str) -> None:
    answer = baselines.open_engine(engine, built[engine]).search("What about copyright?")
    assert answer.total == 2
    assert answer.facets == {
        "session": {"1": 1, "2": 1}, "topic": {}, "speaker": {"Ana": 1, "Cid": 1, "Ben": 1},
        "type": {"paper": 1, "transcript": 1}, "year": {"2024": 2}, "language": {"en": 2},
        "source": {"site": 2}}
    assert [d["doc_id"] for d in answer.documents] == ["d1", "d0"]
    assert [len(d["passages"]) for d in answer.documents] == [1, 3]
    assert [d["title"] for d in answer.documents] == ["Title 1", "Title 0"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_passage_that_does_not_match_adds_no_facet_value(built: dict[str, Path],
                                                           engine: str) -> None:
    answer = baselines.open_engine(engine, built[engine]).search("inventors")
    assert answer.total == 2
    assert answer.facets["speaker"] == {"Ben": 1, "Dee": 1}
    assert answer.facets["session"] == {"2": 1, "3": 1}


@pytest.mark.parametrize("engine", ENGINES)
def test_only_stop_words_match_nothing(built: dict[str, Path], engine: str) -> None:
    answer = baselines.open_engine(engine, built[engine]).search("what is the")
    assert (answer.total, answer.facets, answer.documents) == (0, {}, [])


def test_fts5_snippets_mark_the_query_words(built: dict[str, Path]) -> None:
    answer = baselines.open_engine("fts5", built["fts5"]).search("training")
    assert answer.documents == [{"doc_id": "d0", "title": "Title 0", "passages": [
        {"n": 0, "snippet": "Copyright law applies to machine <mark>training</mark> data."}]}]


def test_the_search_command_prints_the_answer_as_json(built: dict[str, Path]) -> None:
    done = subprocess.run([sys.executable, str(BENCH / "baselines.py"), "search", "fts5",
                           str(built["fts5"]), "patents"], capture_output=True, text=True,
                          check=True)
    answer = json.loads(done.stdout)
    assert (answer["total"], [d["doc_id"] for d in answer["documents"]]) == (1, ["d2"])
    assert answer["documents"][0]["passages"] == [
        {"n": 0, "snippet": "<mark>Patents</mark> for inventors only."}]
