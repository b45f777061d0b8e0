"""Search speed at scale: kb beside a tuned SQLite FTS5 and tantivy, same passages, one run.

For each size (``--passages``, default 10,000 and 100,000) a synthetic corpus
(bench/synthetic.py) is ingested by the real ``kb ingest``, and both baselines index kb's own
passages and facet values (bench/corpora.py; everything is cached on disk, so a rerun starts
measuring at once). Every engine does kb's work for each query: documents matched, documents
per facet value for all seven facets, the top 10 documents with up to 3 passages each, snippets
for those (bench/baselines.py says how each baseline does it). Then, per size:

1. **Cold start**: a new process to the first complete answer, per query, engines interleaved
   (bench/coldstart.py): ``kb search --json`` and ``python bench/baselines.py search``.
2. **In-process**: kb (``kb.search.Library``), FTS5 and tantivy opened in this process; every
   query is run by each engine in turn (order rotating). The first pass over the queries, the
   engines just opened, gives the first-pass p95 (kb builds its caches then); a second pass
   gives the warm median and p95.
3. **Server throughput**: ``kb serve`` (the real command, its default workers) and, for each
   baseline, a minimal equivalent HTTP server over the same engine (Python's
   ThreadingHTTPServer, bench/baselines.py); a bounded closed-loop load generator on 127.0.0.1
   (bench/httpload.py) sends the queries to ``/api/search?q=`` at each ``--clients`` level for
   ``--duration`` seconds per server, servers interleaved; requests/s and p99 per level.

The corpus is synthetic only; ../shared/bench-data is not used. tantivy is optional (the
``bench`` extra); without it the output says so and shows kb beside FTS5.

    python bench/search.py                                   # 10k and 100k
    python bench/search.py --passages 300k --duration 4      # one size
    python bench/search.py --passages 500 --queries 20 --clients 1 --duration 1  # smoke run
    python bench/search.py --passages 300k --cold-runs 0 --clients --engines kb tantivy \
        --slowest 15                                         # in process only, without FTS5
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import baselines  # noqa: E402
from coldstart import cold_starts, environment, uptime  # noqa: E402
from corpora import Prepared, default_cache_dir, prepare  # noqa: E402
from httpload import Server, cores, free_port, percentile, run_load, warm  # noqa: E402
from synthetic import Generator, queries  # noqa: E402

from kb.model import SearchRequest  # noqa: E402
from kb.registry import load_registry  # noqa: E402
from kb.search import Library  # noqa: E402

#: The engines, kb first.
ENGINES = ("kb", "FTS5", "tantivy")
#: Server labels as the output prints them.
SERVED = {"kb": "kb serve, /api/search", "FTS5": "FTS5, ThreadingHTTPServer",
          "tantivy": "tantivy, ThreadingHTTPServer"}


def size(text: str) -> int:
    """10000, 10k, 100K, 1m."""
    text = text.strip().lower().replace(",", "").replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = int(float(text[:-1] if scale > 1 else text) * scale)
    if number < 1:
        raise argparse.ArgumentTypeError(f"not a passage count: {text!r}")
    return number


def engines(prepared: Prepared, chosen: tuple[str, ...] = ENGINES
            ) -> tuple[dict[str, Callable[[str], int]], Callable[[], None]]:
    """name -> a function answering one query (returns the documents matched), and a closer;
    kb always, and those baselines of ``chosen`` that are installed."""
    library = Library(prepared.index_dir, load_registry(prepared.corpus),
                      registry_dir=prepared.corpus)
    made: dict[str, Callable[[str], int]] = {
        "kb": lambda query: library.search(SearchRequest(query=query)).total}
    if "FTS5" in chosen:
        fts5 = baselines.Fts5(prepared.fts5)
        made["FTS5"] = lambda query: fts5.search(query).total
    if prepared.tantivy is not None and "tantivy" in chosen:
        tantivy = baselines.Tantivy(prepared.tantivy)
        made["tantivy"] = lambda query: tantivy.search(query).total
    return made, library.close


def in_process(prepared: Prepared, asked: list[str], slowest: int = 0,
               chosen: tuple[str, ...] = ENGINES) -> dict[str, dict[str, Any]]:
    """First pass and warm pass over ``asked``, engines interleaved; with ``slowest``, kb's
    slowest warm queries with every engine's time for them (``slowest`` in kb's figures)."""
    made, close = engines(prepared, chosen)
    names = list(made)
    first: dict[str, list[float]] = {name: [] for name in names}
    warm: dict[str, list[float]] = {name: [] for name in names}
    #: The warm pass's CPU time per query (every thread of this process): what other
    #: processes sharing the cores inflate far less than the elapsed time.
    cpu: dict[str, list[float]] = {name: [] for name in names}
    totals: dict[str, list[int]] = {name: [] for name in names}
    try:
        for times, keep in ((first, True), (warm, False)):
            for turn, query in enumerate(asked):
                for name in names[turn % len(names):] + names[:turn % len(names)]:
                    started, used = time.perf_counter(), time.process_time()
                    total = made[name](query)
                    times[name].append(time.perf_counter() - started)
                    if keep:
                        totals[name].append(total)
                    else:
                        cpu[name].append(time.process_time() - used)
    finally:
        close()
    tail = sorted(range(len(asked)), key=lambda i: warm["kb"][i], reverse=True)[:slowest]
    slow = [{"query": asked[i], "documents": totals["kb"][i],
             **{f"{name}_ms": _ms(warm[name][i]) for name in names}} for i in tail]
    return {name: {"first_query_ms": _ms(first[name][0]),
                   "first_pass_p95_ms": _ms(percentile(first[name], 0.95)),
                   "warm_median_ms": _ms(statistics.median(warm[name])),
                   "warm_p95_ms": _ms(percentile(warm[name], 0.95)),
                   "warm_cpu_median_ms": _ms(statistics.median(cpu[name])),
                   "warm_cpu_p95_ms": _ms(percentile(cpu[name], 0.95)),
                   "same_total_as_kb": sum(a == b for a, b in zip(totals[name], totals["kb"],
                                                                   strict=True)),
                   "total_max_diff_pct": round(max(
                       (abs(a - b) / b * 100 for a, b in zip(totals[name], totals["kb"],
                                                            strict=True) if b), default=0.0), 1),
                   **({"slowest": slow} if name == "kb" and slow else {})}
            for name in names}


def servers(prepared: Prepared, asked: list[str], levels: list[int], duration: float,
            logs: Path) -> dict[str, dict[str, Any]]:
    """Each server started, warmed with 20 queries, then loaded at every level in turn."""
    logs.mkdir(parents=True, exist_ok=True)
    commands: dict[str, tuple[list[str], str]] = {}
    ports: dict[str, int] = {}
    for name in ("kb", "FTS5", "tantivy"):
        ports[name] = port = free_port()
        if name == "kb":
            commands[name] = ([sys.executable, "-m", "kb", "--corpus", str(prepared.corpus),
                               "--index", str(prepared.index_dir), "serve", "--no-ingest",
                               "--host", "127.0.0.1", "--port", str(port)], "/api/search?q=")
        elif name == "FTS5" or prepared.tantivy is not None:
            path = prepared.fts5 if name == "FTS5" else prepared.tantivy
            commands[name] = ([sys.executable, str(BENCH / "baselines.py"), "serve",
                               name.lower(), str(path), "--port", str(port)], "/api/search?q=")
    started: dict[str, Server] = {}
    results: dict[str, dict[str, Any]] = {}
    try:
        for name, (command, _) in commands.items():
            started[name] = Server(name, command, ports[name], logs / f"{name}.log", ROOT)
        for name, server in started.items():
            ready = server.wait_ready("/api/search?q=copyright", timeout=300)
            warm(server.port, commands[name][1], asked[:20])
            results[name] = {"ready_s": round(ready, 2), "levels": []}
        names = list(started)
        for turn, clients in enumerate(levels):
            for name in names[turn % len(names):] + names[:turn % len(names)]:
                load = run_load(ports[name], commands[name][1], asked, clients, duration)
                results[name]["levels"].append(load.summary())
        for name, server in started.items():
            results[name]["rss_mb"] = round(server.rss_mb())
    finally:
        for server in started.values():
            server.stop()
    return results


def measure(prepared: Prepared, args: argparse.Namespace) -> dict[str, Any]:
    asked = queries(Generator(load_registry(prepared.corpus), args.seed), args.queries,
                    args.seed)
    result: dict[str, Any] = {"passages": prepared.passages, "documents": prepared.documents,
                              "queries": len(asked), "load_before": _load(),
                              "built": prepared.notes, "index_mb": {
                                  name: round(_size(path) / 1e6, 1) for name, path in
                                  (("kb", prepared.index_dir), ("FTS5", prepared.fts5),
                                   ("tantivy", prepared.tantivy)) if path is not None}}
    if args.cold_runs:
        colds = cold_starts(prepared, asked[:args.cold_runs], environment(args.cache_dir))
        result["cold_start_ms"] = {name: {"median": _ms(statistics.median(times)),
                                          "max": _ms(max(times)), "runs": len(times)}
                                   for name, times in colds.items()}
    result["in_process"] = in_process(prepared, asked, args.slowest, tuple(args.engines))
    if args.clients:
        result["server"] = servers(prepared, asked, args.clients, args.duration,
                                   args.cache_dir / "logs")
    result["load_after"] = _load()
    return result


def report(result: dict[str, Any], clients: list[int], duration: float) -> None:
    """One size's figures as Markdown tables (the README's format)."""
    print(f"\n### {result['passages']:,} passages ({result['documents']:,} documents), "
          f"{result['queries']} queries")
    print(f"load average {result['load_before']} before, {result['load_after']} after\n")
    print("| engine | cold start, median (max) | warm median | warm p95 | first-pass p95 "
          "| first query | total as kb's (max diff) |")
    print("|---|---|---|---|---|---|---|")
    colds = result.get("cold_start_ms", {})
    for name, measured in result["in_process"].items():
        cold = f"{colds[name]['median']:,.0f} ms ({colds[name]['max']:,.0f})" \
            if name in colds else "not run"
        print(f"| {name} | {cold} "
              f"| {measured['warm_median_ms']:.1f} ms | {measured['warm_p95_ms']:.1f} ms "
              f"| {measured['first_pass_p95_ms']:.1f} ms | {measured['first_query_ms']:.0f} ms "
              f"| {measured['same_total_as_kb']}/{result['queries']} "
              f"({measured['total_max_diff_pct']:g} %) |")
    print("\n(Totals differ where stemmers do: porter for FTS5, Snowball for tantivy, kb's "
          "own; tantivy's document counts are\nits cardinality aggregation's HyperLogLog "
          "estimates.)\n")
    print("CPU time of the warm pass (this process, all threads), median / p95: "
          + "; ".join(f"{name} {m['warm_cpu_median_ms']:.1f} / {m['warm_cpu_p95_ms']:.1f} ms"
                      for name, m in result["in_process"].items()) + "\n")
    kb = result["in_process"]["kb"]
    for name, measured in result["in_process"].items():
        if name != "kb":
            cold = f", cold start {_ratio(colds['kb'], colds[name], 'median')}" \
                if colds else ""
            print(f"kb / {name}: warm median {_ratio(kb, measured, 'warm_median_ms')}, "
                  f"warm p95 {_ratio(kb, measured, 'warm_p95_ms')}{cold}")
    print("index size: " + ", ".join(f"{name} {mb:,.1f} MB"
                                     for name, mb in result["index_mb"].items()))
    if kb.get("slowest"):
        _report_slowest(kb["slowest"], list(result["in_process"]))
    if "server" in result:
        _report_servers(result, clients, duration)
    met = bars(result)
    if met:
        print("\nissue 10's bars at this size: "
              + "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in met))


def _report_slowest(slowest: list[dict[str, Any]], names: list[str]) -> None:
    """kb's slowest warm queries (what makes its p95), each engine's time for them."""
    print(f"\nkb's {len(slowest)} slowest warm queries (documents matched by kb):\n")
    print("| query | documents | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for row in slowest:
        print(f"| {row['query']} | {row['documents']:,} | "
              + " | ".join(f"{row[f'{name}_ms']:.1f} ms" for name in names) + " |")


def _report_servers(result: dict[str, Any], clients: list[int], duration: float) -> None:
    print(f"\nServer throughput: requests/s and p99 per client count, {duration:g} s per "
          f"level, closed-loop clients on 127.0.0.1 sharing the {cores()} cores:\n")
    print("| server | " + " | ".join(f"{c} client{'s' * (c > 1)}" for c in clients)
          + " | RSS after |")
    print("|---|" + "---|" * len(clients) + "---|")
    for name, served in result["server"].items():
        cells = [f"{level['per_second']:,.0f}/s, p99 {level['p99_ms']:,.0f} ms"
                 + (f", {level['errors']} errors" if level["errors"] else "")
                 for level in served["levels"]]
        print(f"| {SERVED[name]} | " + " | ".join(cells) + f" | {served['rss_mb']} MB |")


def bars(result: dict[str, Any]) -> list[tuple[str, bool]]:
    """Issue 10's bars that one size's figures decide (the others need other scripts)."""
    made = []
    kb, passages = result["in_process"]["kb"], result["passages"]
    tantivy = result["in_process"].get("tantivy")
    if "cold_start_ms" in result and passages >= 100_000:
        made.append(("cold start < 400 ms", result["cold_start_ms"]["kb"]["median"] < 400))
    if tantivy is not None:
        made.append(("warm median <= tantivy's",
                     kb["warm_median_ms"] <= tantivy["warm_median_ms"]))
        made.append(("warm p95 <= tantivy's", kb["warm_p95_ms"] <= tantivy["warm_p95_ms"]))
    if passages >= 300_000:
        made.append(("warm p95 <= 40 ms", kb["warm_p95_ms"] <= 40))
    eight = [level for level in result.get("server", {}).get("kb", {}).get("levels", [])
             if level["clients"] == 8]
    if eight:
        made.append(("/api/search p99 at 8 clients <= 150 ms", eight[0]["p99_ms"] <= 150))
    return made


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _ratio(mine: dict[str, float], theirs: dict[str, float], key: str) -> str:
    return f"{mine[key] / theirs[key]:.2f} x" if theirs[key] else "n/a"


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _load() -> str:
    return uptime().split("load average:")[-1].strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=size, nargs="+", default=[10_000, 100_000],
                        help="corpus sizes (10000, 10k, 300k); default 10k 100k")
    parser.add_argument("--queries", type=int, default=200,
                        help="queries per in-process pass (default 200)")
    parser.add_argument("--cold-runs", type=int, default=5,
                        help="new processes per engine for the cold start (default 5; 0: skip)")
    parser.add_argument("--clients", type=int, nargs="*", default=[1, 8, 32],
                        help="server load levels (default 1 8 32; none: skip the servers)")
    parser.add_argument("--duration", type=float, default=5.0,
                        help="seconds of load per level and server (default 5)")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES),
                        help="engines measured in process (kb always; default all three): "
                             "FTS5 takes 0.6-1.3 s a query at 300k")
    parser.add_argument("--slowest", type=int, default=0,
                        help="also list kb's N slowest warm queries, with every engine's time")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache-dir", type=Path, default=default_cache_dir(),
                        help="where corpora and indexes are kept "
                             "(default $KB_BENCH_CACHE or ~/.cache/kb-bench)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild cached corpora/indexes")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    args.cold_runs = max(0, min(args.cold_runs, args.queries))

    version = baselines.tantivy_version()
    print(f"load: {uptime()}; {cores()} cores")
    print("corpus: synthetic (bench/synthetic.py); ../shared/bench-data is not used")
    print(f"engines: kb; FTS5 (SQLite {baselines.sqlite3.sqlite_version}, tuned); "
          + (f"tantivy {version}" if version else
             "tantivy NOT INSTALLED (pip install -e '.[bench]'): left out of every table"))
    print(f"cache: {args.cache_dir}")
    sizes = []
    for passages in args.passages:
        prepared = prepare(passages, args.seed, args.cache_dir, rebuild=args.rebuild)
        result = measure(prepared, args)
        sizes.append(result)
        for note in result["built"]:
            print(f"  {note}")
        report(result, args.clients, args.duration)
    if args.json:
        args.json.write_text(json.dumps({"tantivy": version, "cores": cores(), "sizes": sizes},
                                        indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
