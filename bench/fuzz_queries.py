"""Generated hostile queries through the search API: exceptions and latency, beside ordinary ones.

Usage (from the repository root)::

    python bench/fuzz_queries.py [--passages 20000] [--queries 10000] [--seed 11]

Builds a synthetic index (bench/synthetic.py) in a temporary folder, then sends ``--queries``
generated queries through ``kb.search.Library.search``, the function the CLI and the web call:
arbitrary Unicode, operator soup, nested and unbalanced parentheses, mixed scripts and
right-to-left text, punctuation only, 1,000-character words, 5,000-term pastes, field prefixes,
typos that ask for "did you mean", and deep pages. It prints the number of exceptions and the
p50/p95/p99 latency beside ordinary queries (one to three vocabulary words) run in the same
process, then the latency of ordinary queries while two threads send 1,000-character words (the
audit's "did you mean" contention). Bar: 0 exceptions, p99 under 100 ms. The machine load
(``uptime``) is printed before and after.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import Generator, write_index  # noqa: E402

from kb.model import SearchRequest  # noqa: E402
from kb.registry import load_registry  # noqa: E402
from kb.search import Library  # noqa: E402

OPERATORS = ["AND", "OR", "NOT", "-", "(", ")", '"', "*", ":", "..", "title:", "speaker:",
             "heading:", "session:", "topic:", "type:", "lang:", "date:", "source:", "foo:",
             "date:2023..2024", "date:..2023-13"]
SCRIPTS = ["حقوق المؤلف", "版权保护", "авторское право", "ελληνικά", "עברית", "हिन्दी", "日本語",
           "données", "Genève", "🤖", "\u202e", "\u200f", "\u0301", "ß", "İ", "\ufeff"]
PUNCTUATION = "!#$%&'()*+,-./:;<=>?@[\\]^_`{|}~«»“”„‘’…–—·¿¡§¶"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class QueryMaker:
    """Hostile and ordinary queries, reproducible from a seed."""

    def __init__(self, vocabulary: list[str], seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary

    def word(self) -> str:
        return self.rng.choice(self.words[:5000])

    def ordinary(self) -> str:
        return " ".join(self.word() for _ in range(self.rng.randint(1, 3)))

    def unicode(self) -> str:
        return "".join(chr(self.rng.randint(1, 0x2FFFF)) for _ in range(self.rng.randint(1, 60)))

    def soup(self) -> str:
        items = [self.rng.choice(OPERATORS + [self.word(), self.word() + "*"])
                 for _ in range(self.rng.randint(1, 60))]
        return "".join(item + self.rng.choice(["", " ", " "]) for item in items)

    def nested(self) -> str:
        return "(" * self.rng.randint(0, 500) + self.word() + ")" * self.rng.randint(0, 500)

    def scripts(self) -> str:
        return " ".join(self.rng.choice(SCRIPTS + [self.word()])
                        for _ in range(self.rng.randint(1, 20)))

    def punctuation(self) -> str:
        return "".join(self.rng.choice(PUNCTUATION) for _ in range(self.rng.randint(1, 200)))

    def long_word(self) -> str:
        return self.rng.choice("abcdefghij") * 1000

    def paste(self) -> str:
        return " ".join(self.word() for _ in range(5000))

    def fields(self) -> str:
        field = self.rng.choice(["title:", "speaker:", "heading:"])
        return f"{field}{self.word()[:3]}* {self.word()}"

    def typo(self) -> str:
        word = list(self.word())
        if len(word) > 3:
            i = self.rng.randrange(1, len(word) - 1)
            word[i], word[i + 1] = word[i + 1], word[i]
        return "".join(word) + "q"

    def hostile(self) -> tuple[str, str]:
        kind = self.rng.choice(["unicode", "soup", "nested", "scripts", "punctuation",
                                "long_word", "paste", "fields", "typo"])
        return kind, getattr(self, kind)()


def build_index(index_dir: Path, passages: int, seed: int) -> list[str]:
    """A synthetic index of about ``passages`` passages; returns its vocabulary."""
    generator = Generator(load_registry(Path("corpus")), seed)
    write_index(generator.documents(passages), index_dir)
    return generator.words


def timed(library: Library, request: SearchRequest) -> tuple[float, str]:
    """(milliseconds, "" or the exception's one-line description)."""
    started = time.perf_counter()
    try:
        library.search(request)
        problem = ""
    except Exception as exc:  # noqa: BLE001 - counting every failure is the point
        problem = f"{type(exc).__name__}: {exc}"[:200]
        traceback.print_exc(limit=3)
    return (time.perf_counter() - started) * 1000, problem


def report(label: str, latencies: list[float]) -> None:
    print(f"  {label:<44} n={len(latencies):>6}  p50 {statistics.median(latencies):7.1f} ms"
          f"  p95 {percentile(latencies, 0.95):7.1f} ms  p99 {percentile(latencies, 0.99):7.1f} ms"
          f"  max {max(latencies):7.1f} ms")


def contention(library: Library, make: Callable[[], str], long_word: Callable[[], str],
               count: int) -> list[float]:
    """Ordinary query latencies while two threads keep sending 1,000-character words."""
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            library.search(SearchRequest(query=long_word()))

    threads = [threading.Thread(target=hammer, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        return [timed(library, SearchRequest(query=make()))[0] for _ in range(count)]
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    print(f"load before: {uptime()}")
    work = Path(tempfile.mkdtemp(prefix="kb-fuzz-"))
    try:
        started = time.perf_counter()
        vocabulary = build_index(work / "index", args.passages, args.seed)
        print(f"index of {args.passages:,} synthetic passages built in "
              f"{time.perf_counter() - started:.1f} s")
        library = Library(work / "index", load_registry(Path("corpus")))
        maker = QueryMaker(vocabulary, args.seed)
        library.search(SearchRequest(query="copyright"))  # builds the per-generation caches
        ordinary = [timed(library, SearchRequest(query=maker.ordinary()))[0]
                    for _ in range(min(2000, args.queries))]
        latencies: list[float] = []
        by_kind: dict[str, list[float]] = {}
        failures: Counter[str] = Counter()
        for _ in range(args.queries):
            kind, query = maker.hostile()
            request = SearchRequest(query=query, page=maker.rng.choice([1, 1, 1, 2, 50, 5000]),
                                    group=maker.rng.choice(["document", "flat"]))
            elapsed, problem = timed(library, request)
            latencies.append(elapsed)
            by_kind.setdefault(kind, []).append(elapsed)
            if problem:
                failures[problem] += 1
        crowded = contention(library, maker.ordinary, maker.long_word, 300)
        library.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{args.queries:,} generated queries through kb.search.Library.search: "
          f"{sum(failures.values())} exceptions")
    for problem, count in failures.most_common(10):
        print(f"  {count} x {problem}")
    report("generated queries (all kinds)", latencies)
    for kind, values in sorted(by_kind.items()):
        report(f"  {kind}", values)
    report("baseline: ordinary queries (1-3 words)", ordinary)
    report("ordinary queries beside 2 clients of 1,000-char words", crowded)
    bar = not failures and percentile(latencies, 0.99) < 100
    print(f"\nbar (0 exceptions, p99 < 100 ms): {'met' if bar else 'NOT met'}")
    print(f"load after: {uptime()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
