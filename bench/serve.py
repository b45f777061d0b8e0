"""Server throughput: `kb serve` in one process beside `kb serve` with a worker per core, one run.

Builds a synthetic index (bench/synthetic.py, written by kb's own writer), starts both servers
as real `kb serve --no-ingest` processes on 127.0.0.1 (`--workers 1`, the single-process mode,
and `--workers 0`, one worker per core), warms every worker, then drives each in turn with a
bounded load generator: N client threads, each on its own kept-alive connection (bench/httpload's
lean `Connection`, the same for every server), together sending a fixed number of
`/api/search` requests (1-3 words from the corpus's own vocabulary, every fourth with a session
filter). The servers take ``--rounds`` turns at each client count, in a rotating order, each turn
a share of the requests, so a change in what else the machine runs falls on every server alike.
Prints requests/s, p50 and p99 per server at 1, 8 and 32 clients, with the CPU each server
process and the load generator used (and so how many cores the server had: on a machine other
work shares, fewer than it has), then
`/healthz` at 8 clients, and the memory of each process that answers: resident (RSS), its
share of the pages it shares with the other workers (PSS: the index's mapped files count
once over all of them) and its own (USS).

It also measures the other way to use more cores, taking the lock off the read path, at its
best: the same searches from 8 threads in one process, sharing one index (one lock) and with
an index per thread (nothing shared, so no lock is ever waited for), beside 1 thread.

    python bench/serve.py                      # 20,000 passages
    python bench/serve.py --passages 100000    # the issue's scale (building takes ~2 minutes)
    python bench/serve.py --index /tmp/ix      # keep the index there, reuse it next time
    python bench/serve.py --before b2eb06f     # also the code of that commit, as it served
    python bench/serve.py --before b2eb06f --index /tmp/kept   # keep the corpus and both
                                # ingests there, this code's under a hash of its ingest source

With ``--before COMMIT`` the run also serves that commit's code (``git archive`` of it into a
temporary folder, ``kb serve`` started there, in one process, as that code served): issue 10's
throughput bar is a ratio to the server as it was when the issue was filed, and this measures
that ratio in the same run. The corpus is then written to disk and each code ingests it with
its own ``kb ingest`` (the old code's index format is its own), so both serve the same
documents; the old code must import with this environment's packages.

The load generator shares the machine with the servers, as any client on 127.0.0.1 does.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpora import kb_ingest, kb_source_key, write_corpus  # noqa: E402
from httpload import Connection, memory, percentile, request  # noqa: E402
from synthetic import Generator, write_index  # noqa: E402

from index import index_exists  # noqa: E402
from kb.model import SearchRequest  # noqa: E402
from kb.registry import load_registry  # noqa: E402
from kb.search import Library  # noqa: E402

CLIENTS = (1, 8, 32)


def make_paths(words: list[str], count: int, seed: int) -> list[str]:
    """``/api/search`` paths: 1-3 words from the frequent to the rare, some with a session."""
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        query = " ".join(words[min(len(words) - 1, int(10 ** rng.uniform(0.3, 4.0)))]
                         for _ in range(rng.randint(1, 3)))
        params = {"q": query}
        if i % 4 == 3:
            params["session"] = str(rng.randint(1, 12))
        paths.append("/api/search?" + urlencode(params))
    return paths


class Served:
    """A `kb serve` process on a free port, stopped with :meth:`stop`."""

    def __init__(self, corpus: Path, index_dir: Path, workers: int | None,
                 threads: int | None = None, code: Path = ROOT) -> None:
        """``workers`` None: no ``--workers`` option (code from before it existed); ``code``:
        the source tree whose kb runs."""
        env = {**os.environ, "KB_CORPUS": str(corpus), "KB_INDEX": str(index_dir)}
        extra = ["--threads", str(threads)] if threads else []
        if workers is not None:
            extra += ["--workers", str(workers)]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kb", "serve", "--no-ingest", "--port", "0", *extra],
            env=env, cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            found = re.search(r"Open http://127\.0\.0\.1:(\d+)/", line)
            if found:
                self.port = int(found.group(1))
                break
        else:
            raise SystemExit(f"kb serve ({code}, workers {workers}) did not start")
        # Drain the access log, so a full pipe never stalls the server.
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()

    def processes(self) -> list[int]:
        """The processes that answer requests: the workers, or the server itself."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        found = [int(p) for p in children.read_text().split()] if children.exists() else []
        return found or [self.proc.pid]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


@dataclass
class Tally:
    """One server's share of a load level, added up over its turns."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    #: CPU seconds of each process that answers.
    cpu: dict[int, float] = field(default_factory=dict)
    #: CPU seconds of the load generator (this process).
    client: float = 0.0

    def add(self, server: Served, paths: list[str], clients: int) -> None:
        before = {pid: cpu_seconds(pid) for pid in server.processes()}
        client = time.process_time()
        rate, latencies = load(server.port, paths, clients)
        self.client += time.process_time() - client
        self.seconds += len(paths) / rate
        self.latencies += latencies
        for pid, was in before.items():
            self.cpu[pid] = self.cpu.get(pid, 0.0) + cpu_seconds(pid) - was


def load(port: int, paths: list[str], clients: int) -> tuple[float, list[float]]:
    """Send every path once, from ``clients`` threads each on its own kept-alive connection
    (httpload.Connection, the requests built before the clock starts): (requests per second,
    the latency of each request)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    queue = iter([(path, request(path)) for path in paths])

    def client() -> None:
        connection = Connection(port)
        mine = []
        while True:
            with lock:
                path, sent = next(queue, (None, b""))
            if path is None:
                break
            started = time.perf_counter()
            status, _ = connection.get(sent)
            mine.append(time.perf_counter() - started)
            if status != 200:
                errors.append(f"{status} for {path}")
        connection.close()
        with lock:
            latencies.extend(mine)

    elapsed = run_threads([threading.Thread(target=client) for _ in range(clients)])
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, e.g. {errors[0]}")
    return len(paths) / elapsed, latencies


def run_threads(threads: list[threading.Thread]) -> float:
    """Start the threads together and wait for all; the seconds they took."""
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def in_process(index_dir: Path, corpus: Path, queries: list[str], threads: int,
               shared: bool) -> float:
    """Searches per second from ``threads`` threads in this process, on one shared Library
    (one index lock) or one Library per thread (no lock in common)."""
    registry = load_registry(corpus)
    libraries = [Library(index_dir, registry) for _ in range(1 if shared else threads)]
    for library in libraries:  # every cache built before the clock starts
        for query in queries[:20]:
            library.search(SearchRequest(query=query))
    queue = iter(queries)
    lock = threading.Lock()

    def worker(library: Library) -> None:
        while True:
            with lock:
                query = next(queue, None)
            if query is None:
                return
            library.search(SearchRequest(query=query))

    elapsed = run_threads([threading.Thread(target=worker, args=(libraries[i % len(libraries)],))
                           for i in range(threads)])
    for library in libraries:
        library.close()
    return len(queries) / elapsed


def checkout(commit: str, folder: Path) -> str:
    """``commit``'s tree written into ``folder``; its short hash."""
    short = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", commit],
                           capture_output=True, text=True, check=True).stdout.strip()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", commit],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return short


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=480,
                        help="requests per server and client count")
    parser.add_argument("--rounds", type=int, default=4,
                        help="turns the servers take at each client count, sharing the requests")
    parser.add_argument("--index", type=Path, default=None,
                        help="index folder to build (if missing) and keep; with --before, "
                             "the folder keeping the corpus and the commit's index")
    parser.add_argument("--threads", type=int, default=None,
                        help="waitress threads per worker (default: kb serve's)")
    parser.add_argument("--before", metavar="COMMIT", default=None,
                        help="also serve this commit's code (issue 10's bar: b2eb06f)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f} "
          f"{os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1, 5, 15 min)")
    registry = load_registry(ROOT / "corpus")
    generator = Generator(registry, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for name in ("sessions.toml", "topics.toml"):
            shutil.copy(ROOT / "corpus" / name, corpus / name)
        index_dir = args.index or Path(tmp) / "index"
        then: tuple[str, Path, Path] | None = None
        if args.before:
            code = Path(tmp) / "before"
            code.mkdir()
            short = checkout(args.before, code)
            kept = args.index or Path(tmp)
            corpus = kept / "corpus"
            if not (corpus / "written").exists():
                shutil.rmtree(corpus, ignore_errors=True)
                corpus.mkdir(parents=True)
                write_corpus(corpus, args.passages, args.seed)
                (corpus / "written").write_text(f"{args.passages} {args.seed}\n")
            elif (corpus / "written").read_text().split() != [str(args.passages), str(args.seed)]:
                raise SystemExit(f"{kept} holds another corpus: give another --index")
            now = kept / f"now-{kb_source_key()}"
            for tree, folder in ((ROOT, now), (code, kept / f"then-{short}")):
                name = "this code" if tree == ROOT else short
                if (folder / "ingested").exists():
                    print(f"index: reusing {name}'s ingest in {folder}")
                    continue
                shutil.rmtree(folder, ignore_errors=True)
                started = time.perf_counter()
                kb_ingest(corpus, folder, tree)
                (folder / "ingested").touch()
                print(f"index: ~{args.passages} passages ingested by {name}'s `kb ingest` in "
                      f"{time.perf_counter() - started:.0f} s")
            index_dir = now / "index"
            then = (f"{short}, 1 process", code, kept / f"then-{short}" / "index")
        elif not index_exists(index_dir):
            seconds = write_index(generator.documents(args.passages), index_dir)
            print(f"index: ~{args.passages} passages built in {seconds:.0f} s")
        else:
            print(f"index: reusing {index_dir}")
        paths = make_paths(generator.words, args.requests, args.seed)
        warm = make_paths(generator.words, 60, args.seed + 1)

        servers = {"1 process": Served(corpus, index_dir, 1, args.threads),
                   "workers": Served(corpus, index_dir, 0, args.threads)}
        if then:
            label, code, then_index = then
            servers = {label: Served(corpus, then_index, None, args.threads, code), **servers}
        try:
            for server in servers.values():
                load(server.port, warm, 8)  # every worker builds its caches
            workers = len(servers["workers"].processes())
            print(f"/api/search, {args.requests} requests per row "
                  f"(`kb serve --workers 1` beside `--workers 0` = {workers} workers):")
            rates: dict[tuple[str, int], float] = {}
            p99: dict[tuple[str, int], float] = {}
            for clients in CLIENTS:
                tallies = {name: Tally() for name in servers}
                for turn in range(args.rounds):
                    # Servers take turns, in a rotating order, with a share of the requests
                    # each: a change in what else the machine runs falls on all of them.
                    names = list(servers)
                    names = names[turn % len(names):] + names[:turn % len(names)]
                    share = paths[turn * len(paths) // args.rounds:
                                  (turn + 1) * len(paths) // args.rounds]
                    for name in names:
                        tallies[name].add(servers[name], share, clients)
                for name, tally in tallies.items():
                    rate = len(paths) / tally.seconds
                    latencies = tally.latencies
                    used = " + ".join(f"{seconds:.1f}" for seconds in tally.cpu.values())
                    spent = sum(tally.cpu.values())
                    rates[name, clients] = rate
                    p99[name, clients] = percentile(latencies, 0.99)
                    print(f"  {clients:2d} clients  {name:18s}  {rate:6.1f} req/s   "
                          f"p50 {statistics.median(latencies) * 1000:6.1f} ms   "
                          f"p99 {percentile(latencies, 0.99) * 1000:7.1f} ms   "
                          f"server CPU {used} s ({spent / tally.seconds:.2f} cores, "
                          f"{spent / len(paths) * 1000:.1f} ms a request), load generator "
                          f"{tally.client:.1f} s ({tally.client / len(paths) * 1000:.2f} ms a "
                          f"request)")
                print(f"  {clients:2d} clients  workers / 1 process: "
                      f"{rates['workers', clients] / rates['1 process', clients]:.2f} x"
                      + (f"; workers / {then[0]}: "
                         f"{rates['workers', clients] / rates[then[0], clients]:.2f} x"
                         if then else ""))
            print("/healthz, 8 clients:")
            for name, server in servers.items():
                rate, latencies = load(server.port, ["/healthz"] * args.requests, 8)
                print(f"      {name:18s}  {rate:6.1f} req/s   "
                      f"p50 {statistics.median(latencies) * 1000:6.1f} ms")
            for name, server in servers.items():
                for pid in server.processes():
                    print(f"memory, {name}, process {pid}: {memory(pid).line()}")
        finally:
            for server in servers.values():
                server.stop()

        queries = [parse_qs(urlsplit(path).query)["q"][0] for path in paths]
        print("the other way: searches in one process (no HTTP), lock shared or not:")
        one = in_process(index_dir, corpus, queries, 1, shared=True)
        shared = in_process(index_dir, corpus, queries, 8, shared=True)
        apart = in_process(index_dir, corpus, queries, 8, shared=False)
        print(f"  1 thread {one:6.1f}/s; 8 threads, one index (one lock) {shared:6.1f}/s; "
              f"8 threads, an index each (no lock shared) {apart:6.1f}/s")
        bars = [("/api/search at 8 clients >= 1.8 x one process",
                 rates["workers", 8] >= 1.8 * rates["1 process", 8]),
                ("its p99 <= 150 ms", p99["workers", 8] <= 0.150)]
        if then:
            bars.insert(0, (f"/api/search at 8 clients >= 1.8 x {then[0]}",
                            rates["workers", 8] >= 1.8 * rates[then[0], 8]))
        print("bars: " + "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in bars))
    print(f"load after the run: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
