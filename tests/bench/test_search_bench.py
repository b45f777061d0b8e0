"""bench/search.py keeps working: a tiny run through every stage, its output's shape checked.

No timing is asserted (speed belongs in the bench's own output); what is checked is that every
engine answered every query, cold start, in-process and server stages all ran, and the
output says which engines took part.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUERIES = 10


def _has_tantivy() -> bool:
    return subprocess.run([sys.executable, "-c", "import tantivy"], capture_output=True,
                          check=False).returncode == 0


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "figures.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "search.py"), "--passages", "500",
         "--queries", str(QUERIES), "--cold-runs", "1", "--clients", "2", "--duration", "0.3",
         "--cache-dir", str(folder / "cache"), "--json", str(out)],
        capture_output=True, text=True, check=False, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, json.loads(out.read_text(encoding="utf-8"))


def test_every_engine_ran_every_stage(run: tuple[str, dict[str, Any]]) -> None:
    stdout, figures = run
    engines = ["kb", "FTS5", "tantivy"] if _has_tantivy() else ["kb", "FTS5"]
    assert figures["tantivy"] is None or figures["tantivy"].startswith("v0.")
    [size] = figures["sizes"]
    assert (size["passages"], size["documents"], size["queries"]) == (500, 52, QUERIES)
    assert list(size["cold_start_ms"]) == engines
    assert {cold["runs"] for cold in size["cold_start_ms"].values()} == {1}
    assert list(size["in_process"]) == engines
    assert list(size["index_mb"]) == engines
    assert set(size["in_process"]["kb"]) == {"first_query_ms", "first_pass_p95_ms",
                                             "warm_median_ms", "warm_p95_ms",
                                             "warm_cpu_median_ms", "warm_cpu_p95_ms",
                                             "same_total_as_kb", "total_max_diff_pct"}
    assert (size["in_process"]["kb"]["same_total_as_kb"],
            size["in_process"]["kb"]["total_max_diff_pct"]) == (QUERIES, 0)
    assert list(size["server"]) == engines
    for served in size["server"].values():
        [level] = served["levels"]
        assert (level["clients"], level["errors"]) == (2, 0)
        assert level["requests"] > 0
    assert "### 500 passages (52 documents), 10 queries" in stdout
    assert "| server | 2 clients | RSS after |" in stdout
    assert "../shared/bench-data is not used" in stdout
    assert "CPU time of the warm pass (this process, all threads), median / p95: kb " in stdout
    if _has_tantivy():  # at 500 passages the bars decided are the ratios to tantivy
        assert "issue 10's bars at this size: warm median <= tantivy's: " in stdout
    else:
        assert "tantivy NOT INSTALLED (pip install -e '.[bench]')" in stdout
        assert "issue 10's bars" not in stdout


def test_a_rerun_reuses_the_cached_corpus_and_indexes(
        run: tuple[str, dict[str, Any]], tmp_path: Path) -> None:
    _, first = run
    [size] = first["sizes"]
    cache = Path(size["built"][0].split("(")[-1].rstrip(")")).parent
    whats = ["corpus", "kb index (`kb ingest`)", "FTS5 database", "tantivy index"
             ][:4 if _has_tantivy() else 3]
    assert [note.split(": built in ")[0] for note in size["built"]] == whats
    out = tmp_path / "again.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "search.py"), "--passages", "500", "--queries",
         "3", "--cold-runs", "0", "--clients", "--slowest", "2", "--engines", "kb", "tantivy",
         "--cache-dir", str(cache),
         "--json", str(out)], capture_output=True, text=True, check=True, cwd=ROOT, timeout=600)
    [again] = json.loads(out.read_text(encoding="utf-8"))["sizes"]
    assert [note.split(": reused ")[0] for note in again["built"]] == whats
    assert "server" not in again and "cold_start_ms" not in again
    # --engines kb tantivy: FTS5 is left out of the in-process stage.
    assert list(again["in_process"]) == [n for n in size["in_process"] if n != "FTS5"]
    # --slowest: kb's two slowest warm queries of the three, each engine's time for them.
    slowest = again["in_process"]["kb"]["slowest"]
    assert len(slowest) == 2 and len({row["query"] for row in slowest}) == 2
    assert slowest[0]["kb_ms"] >= slowest[1]["kb_ms"]
    assert set(slowest[0]) == {"query", "documents", *(f"{n}_ms" for n in again["in_process"])}
    assert "kb's 2 slowest warm queries (documents matched by kb):" in done.stdout
    assert f"| {slowest[0]['query']} | {slowest[0]['documents']:,} | " in done.stdout
