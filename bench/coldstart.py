"""Cold start: a new process to its first answer, `kb search` beside tuned FTS5 and tantivy.

What a researcher feels first is not a warm query but the wait between pressing Enter and the
answer. For every query this starts a new Python process per engine, in turn (the order
rotating, so all see the same machine load), and times it from spawn to the complete answer on
stdout:

- **kb**: ``python -m kb search QUERY --json``, the real command: import, open the index, the
  generation's caches, search, facets, top 10 documents with snippets, print.
- **FTS5** and **tantivy**: ``python bench/baselines.py search ENGINE PATH QUERY``: import,
  open, the same work (see bench/baselines.py), print the answer as JSON.

Every process may cache its bytecode (under the bench cache, even where the environment sets
PYTHONDONTWRITEBYTECODE), and each command runs once untimed first: an installed kb has its
.pyc files and the index is in the page cache, as on a researcher's machine after the first
use. bench/search.py reports these figures with the rest; this script adds what a bare
interpreter and ``import kb.cli`` cost, and splits a new process's first answer (imports,
registries, opening the index with the first query, the JSON) by timers inside it, so the
split is visible.

    python bench/coldstart.py                          # 10,000 passages, 9 queries
    python bench/coldstart.py --passages 100000        # issue 10's size (cached after once)
    python bench/coldstart.py --passages 100000 --before 52bc97f   # and that commit's kb

With ``--before COMMIT`` the run also times that commit's ``kb search`` (``git archive`` of it,
run as ``python -m kb`` from its own tree) on the same index, interleaved with the rest, so a
change to how kb starts is measured against the code before it under the same load. The
index must be one both read: COMMIT from the same index format.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

from corpora import Prepared, default_cache_dir, prepare  # noqa: E402
from serve import checkout  # noqa: E402
from synthetic import Generator, queries  # noqa: E402

from kb.registry import load_registry  # noqa: E402

#: Both probes import kb.cli as the ``kb`` command does (kb.__main__.load: the collector off).
_IMPORT_PROBE = ("import time; t = time.perf_counter(); from kb.__main__ import load; load(); "
                 "print(time.perf_counter() - t)")
#: A new process's time to its first answer, split as `kb search --json` spends it: imports,
#: reading the registries, opening the index and answering the first query (a second query
#: in the same process, for comparison), writing the JSON.
_SPLIT_PROBE = """
import json, sys, time
from pathlib import Path
marks = [time.perf_counter()]
from kb.__main__ import load
load()
from kb.model import SearchRequest
from kb.output import json_text
from kb.registry import load_registry
from kb.search import Library
marks.append(time.perf_counter())
corpus, index_dir, query = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
library = Library(index_dir, load_registry(corpus), registry_dir=corpus)
marks.append(time.perf_counter())
result = library.search_to_last(SearchRequest(query=query))
marks.append(time.perf_counter())
json_text(result.to_dict())
marks.append(time.perf_counter())
library.search_to_last(SearchRequest(query=query + " data"))
marks.append(time.perf_counter())
print(json.dumps([b - a for a, b in zip(marks, marks[1:])]))
"""
_SPLIT = ("imports (kb.cli and what a search loads)", "registries read",
          "index opened + first query", "answer as JSON", "a second query, same process")


def commands(prepared: Prepared, before: tuple[str, Path] | None = None
             ) -> dict[str, tuple[list[str], Path]]:
    """engine -> the command that answers one query (the query is appended) and the folder it
    runs in; ``before``: (label, source tree) of an older kb to time beside this one."""
    kb = [sys.executable, "-m", "kb", "--corpus", str(prepared.corpus), "--index",
          str(prepared.index_dir), "search", "--json"]
    made = {"kb": (kb, ROOT)}
    if before is not None:
        made[f"kb {before[0]}"] = (kb, before[1])
    made["FTS5"] = ([sys.executable, str(BENCH / "baselines.py"), "search", "fts5",
                     str(prepared.fts5)], ROOT)
    if prepared.tantivy is not None:
        made["tantivy"] = ([sys.executable, str(BENCH / "baselines.py"), "search", "tantivy",
                            str(prepared.tantivy)], ROOT)
    return made


def environment(cache_dir: Path) -> dict[str, str]:
    """The environment of every timed process: bytecode cached under the bench cache."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache_dir / "pycache")
    return env


def timed(command: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, str]:
    """Seconds from spawn to the complete answer on stdout, and that answer."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd,
                          env=env)
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{command[:5]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed, done.stdout


def cold_starts(prepared: Prepared, asked: list[str], env: dict[str, str],
                before: tuple[str, Path] | None = None) -> dict[str, list[float]]:
    """engine -> seconds from a new process to the answer, one per query, interleaved."""
    made = commands(prepared, before)
    for command, cwd in made.values():  # untimed: write the .pyc files, warm the page cache
        timed([*command, asked[0]], env, cwd)
    times: dict[str, list[float]] = {name: [] for name in made}
    names = list(made)
    for turn, query in enumerate(asked):
        for name in names[turn % len(names):] + names[:turn % len(names)]:
            command, cwd = made[name]
            times[name].append(timed([*command, query], env, cwd)[0])
    return times


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=9)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache-dir", type=Path, default=default_cache_dir())
    parser.add_argument("--before", metavar="COMMIT", default=None,
                        help="also time this commit's `kb search` on the same index")
    args = parser.parse_args()

    print(f"load before: {uptime()}")
    prepared = prepare(args.passages, args.seed, args.cache_dir)
    for note in prepared.notes:
        print(f"  {note}")
    asked = queries(Generator(load_registry(prepared.corpus), args.seed), args.queries,
                    args.seed)
    print(f"corpus: {prepared.passages:,} passages in {prepared.documents:,} documents; "
          f"{len(asked)} queries, each in a new process per engine, interleaved")
    env = environment(args.cache_dir)
    with tempfile.TemporaryDirectory() as tmp:
        before = None
        if args.before:
            before = (checkout(args.before, Path(tmp)), Path(tmp))
            print(f"also timed: kb at {before[0]} (`python -m kb` from its own tree)")
        times = cold_starts(prepared, asked, env, before)
    bare = [timed([sys.executable, "-c", "pass"], env)[0] for _ in asked]
    imports = [float(timed([sys.executable, "-c", _IMPORT_PROBE], env)[1]) for _ in asked]
    splits = [json.loads(timed([sys.executable, "-c", _SPLIT_PROBE, str(prepared.corpus),
                                str(prepared.index_dir), query], env)[1]) for query in asked]

    def line(name: str, values: list[float]) -> str:
        return (f"  {name:<38} median {statistics.median(values) * 1000:7.0f} ms   "
                f"max {max(values) * 1000:7.0f} ms")

    print("new process to first answer:")
    for name, values in times.items():
        print(line(name, values))
    if "tantivy" not in times:
        print("  tantivy: NOT INSTALLED (pip install -e '.[bench]'), left out")
    print("of kb's:")
    print(line("bare interpreter (python -c pass)", bare))
    print(line("import kb.cli (in-process timer)", imports))
    print("a new process's first answer, split (in-process timers):")
    for step, name in enumerate(_SPLIT):
        print(line(name, [split[step] for split in splits]))
    print(f"load after: {uptime()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
