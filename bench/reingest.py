"""The first query after a re-ingest in a running `kb serve`, beside a warm query, one run.

Starts the real `kb serve --no-ingest` (one worker per core) on a synthetic index built by the
real `kb ingest` (or on a copy of one given with ``--corpus`` and ``--index``, e.g. the 100,000
passages bench/search.py caches under ~/.cache/kb-bench), opens one connection to each worker
(found through /proc: which worker holds the server side of the connection) and measures warm
`/api/search` latency per worker: each query of a set asked of every worker at once, twice,
the second pass kept. Then, for each of ``--rounds`` rounds, it writes a new session's pages
into the corpus and runs the real `kb ingest`; as soon as it returns, it opens a new
connection to each worker and every worker gets its first query at once (one thread per
worker), then a few more, and `/healthz` on the same connection says which generation
answered. Prints each worker's first query after the re-ingest beside the same
query warm, and the resident, proportional and private memory of each worker.

    python bench/reingest.py                       # 20,000 passages, built first
    python bench/reingest.py --corpus ~/.cache/kb-bench/corpus-100000-*/ \\
        --index ~/.cache/kb-bench/kb-100000-*/index   # a copy of a cached index

The load generator and `kb ingest` share the machine with the server, as they would on a
researcher's laptop; the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpora import kb_ingest, write_corpus  # noqa: E402
from httpload import cores, memory, percentile, worker_holding  # noqa: E402
from serve import Served  # noqa: E402
from synthetic import Generator, queries, write_jsonl  # noqa: E402

from kb.registry import load_registry  # noqa: E402

#: Queries after the first one, per worker and round, to see whether the next few are warm.
AFTER = 4


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


class Connection:
    """A kept-alive connection; GET returns (seconds, status, parsed JSON body)."""

    def __init__(self, port: int) -> None:
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def get(self, path: str) -> tuple[float, int, dict]:
        started = time.perf_counter()
        self.http.request("GET", path)
        response = self.http.getresponse()
        body = response.read()
        seconds = time.perf_counter() - started
        return seconds, response.status, json.loads(body) if body else {}


def connect_each_worker(server: Served, workers: list[int]) -> dict[int, Connection]:
    """One new connection per worker, without a request on any: new connections until every
    worker has accepted one (each is looked for in /proc for up to a second)."""
    found: dict[int, Connection] = {}
    for _ in range(200):
        connection = Connection(server.port)
        connection.http.connect()
        deadline = time.monotonic() + 1.0
        while (pid := worker_holding(connection.http.sock, workers)) is None \
                and time.monotonic() < deadline:
            time.sleep(0.002)
        if pid is not None and pid not in found:
            found[pid] = connection
            if len(found) == len(workers):
                return found
        else:
            connection.http.close()
    raise SystemExit(f"could not reach every worker: {sorted(found)} of {workers}")


def at_once(connections: dict[int, Connection], path: str) -> dict[int, tuple[float, dict]]:
    """``path`` asked of every worker at the same moment (a thread per connection): a first
    query after a re-ingest meets the other workers' first queries, so warm queries are
    measured the same way. Worker -> (seconds, body)."""
    found: dict[int, tuple[float, dict]] = {}

    def ask(pid: int, connection: Connection) -> None:
        seconds, status, body = connection.get(path)
        if status != 200:
            raise SystemExit(f"{status} for {path}")
        found[pid] = (seconds, body)

    threads = [threading.Thread(target=ask, args=item) for item in connections.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return found


def search_path(query: str) -> str:
    return "/api/search?" + urlencode({"q": query})


def new_session_pages(registry_dir: Path, seed: int, documents: int) -> list:
    """Pages of the newest session of the registry, with the corpus's vocabulary."""
    registry = load_registry(registry_dir)
    generator = Generator(registry, seed)
    newest = max(registry.sessions)
    pages = []
    for page in generator.documents(documents * 10):
        page.doc_id = f"new{seed}-{len(pages):04d}"
        page.sessions = [newest]
        pages.append(page)
        if len(pages) == documents:
            break
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=20_000,
                        help="size of the index to build (without --index)")
    parser.add_argument("--corpus", type=Path, help="corpus folder of --index (copied)")
    parser.add_argument("--index", type=Path, help="index built from --corpus (copied)")
    parser.add_argument("--rounds", type=int, default=3, help="re-ingests, one after another")
    parser.add_argument("--documents", type=int, default=40,
                        help="pages each re-ingest adds")
    parser.add_argument("--queries", type=int, default=60, help="warm queries per worker")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if (args.corpus is None) != (args.index is None):
        parser.error("--corpus and --index go together")
    print(f"machine: {os.cpu_count()} cores; load {load_average()} (1, 5, 15 min)")
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index_dir = Path(tmp) / "corpus", Path(tmp) / "built" / "index"
        started = time.perf_counter()
        if args.index is not None:
            shutil.copytree(args.corpus, corpus)
            shutil.copytree(args.index, index_dir)
            print(f"index: a copy of {args.index} ({time.perf_counter() - started:.0f} s)")
        else:
            corpus.mkdir()
            write_corpus(corpus, args.passages, args.seed)
            kb_ingest(corpus, index_dir.parent)
            print(f"index: ~{args.passages} passages, built by `kb ingest` in "
                  f"{time.perf_counter() - started:.0f} s")
        asked = queries(Generator(load_registry(corpus), args.seed), args.queries, args.seed)
        server = Served(corpus, index_dir, 0)
        try:
            deadline = time.monotonic() + 60
            while len(workers := server.processes()) < cores() and time.monotonic() < deadline:
                time.sleep(0.05)  # the banner comes before the workers are forked
            connections = connect_each_worker(server, workers)
            warm: dict[int, dict[str, float]] = {pid: {} for pid in connections}
            for _ in range(2):  # the second pass is the warm one
                for query in asked:
                    for pid, (seconds, _) in at_once(connections, search_path(query)).items():
                        warm[pid][query] = seconds
            every_warm = [s for per in warm.values() for s in per.values()]
            warm_median = statistics.median(every_warm)
            print(f"`kb serve`: {len(workers)} workers; warm /api/search over {len(asked)} "
                  f"queries per worker: median {warm_median * 1000:.1f} ms, p95 "
                  f"{percentile(every_warm, 0.95) * 1000:.1f} ms")
            for pid in connections:
                print(f"  worker {pid}: {memory(pid).line()} (warm)")
            print(f"{'round':>5}  {'worker':>7}  {'gen':>3}  {'kb ingest':>9}  "
                  f"{'first query':>11}  {'same query warm':>15}  {'ratio':>5}  "
                  f"{'next ' + str(AFTER) + ', median':>14}  load")
            firsts: list[float] = []
            ratios: list[float] = []
            for round_number in range(1, args.rounds + 1):
                pages = new_session_pages(corpus, args.seed + round_number, args.documents)
                write_jsonl(pages, corpus / f"new-session-{round_number}")
                _, _, before = next(iter(connections.values())).get("/healthz")
                ingest_started = time.perf_counter()
                done = subprocess.run(
                    [sys.executable, "-m", "kb", "--corpus", str(corpus), "--index",
                     str(index_dir), "ingest"], capture_output=True, text=True, cwd=ROOT,
                    check=False)
                ingest_seconds = time.perf_counter() - ingest_started
                if done.returncode:
                    raise SystemExit(f"kb ingest failed ({done.returncode}):\n{done.stderr}")
                # New connections: an idle one is closed after 30 s (kb serve's
                # channel_timeout), and the ingest may take longer.
                for connection in connections.values():
                    connection.http.close()
                connections = connect_each_worker(server, workers)
                query = asked[(round_number - 1) % len(asked)]
                first = {pid: seconds for pid, (seconds, _)
                         in at_once(connections, search_path(query)).items()}
                later = [at_once(connections, search_path(q))
                         for q in asked[round_number:round_number + AFTER]]
                for pid, connection in connections.items():
                    after = [answers[pid][0] for answers in later]
                    _, _, health = connection.get("/healthz")
                    if health["generation"] <= before["generation"]:
                        raise SystemExit(f"worker {pid} answered from generation "
                                         f"{health['generation']} after the ingest")
                    ratio = first[pid] / warm[pid][query]
                    firsts.append(first[pid])
                    ratios.append(ratio)
                    print(f"{round_number:>5}  {pid:>7}  {health['generation']:>3}  "
                          f"{ingest_seconds:>7.1f} s  {first[pid] * 1000:>8.1f} ms  "
                          f"{warm[pid][query] * 1000:>12.1f} ms  {ratio:>5.2f}  "
                          f"{statistics.median(after) * 1000:>11.1f} ms  "
                          f"{os.getloadavg()[0]:.2f}")
            print(f"first query after a re-ingest: median {statistics.median(firsts) * 1000:.1f}"
                  f" ms, max {max(firsts) * 1000:.1f} ms; against the same query warm: median "
                  f"{statistics.median(ratios):.2f} x, max {max(ratios):.2f} x; against the warm "
                  f"median: max {max(firsts) / warm_median:.2f} x")
            for pid in connections:
                print(f"  worker {pid}: {memory(pid).line()} (after {args.rounds} re-ingests)")
            met = max(firsts) <= 2 * warm_median
            print(f"bar: first query after a re-ingest <= 2 x a warm query (the warm median): "
                  f"{'met' if met else 'MISSED'}")
        finally:
            server.stop()
    print(f"load after the run: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
