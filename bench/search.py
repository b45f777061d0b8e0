"""Search speed at scale: kb beside SQLite FTS5 on the same synthetic passages, in one run.

Generates a synthetic corpus (bench/synthetic.py), ingests it through the real pipeline
(``ingest.build_changes`` + ``index.apply_changes``; if the ingest package is unavailable the
Documents are built directly and the output says so), then runs the same queries against kb
(all facets, top 10 documents with their further passages, highlighted) and against FTS5 (porter
tokenizer, the same words OR-ed, bm25() top 10 with snippet(), facet counts by GROUP BY over the
matches). Prints median and p95 for both, and for kb: ingest throughput, index size, cold-open
time and memory, unchanged re-ingest time and the time to add 1,000 passages.

    python bench/search.py                   # 100,000 passages (several minutes)
    python bench/search.py --passages 5000   # a quick run
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from synthetic import Generator, SyntheticDocument, write_jsonl  # noqa: E402

from index import apply_changes, read_manifest  # noqa: E402
from index.analysis import is_stop  # noqa: E402
from kb.model import ChangeSet, Document, ManifestEntry, SearchRequest  # noqa: E402
from kb.registry import Registry, load_registry  # noqa: E402
from kb.search import Library  # noqa: E402

try:
    from ingest import build_changes
except ImportError:  # the bench still measures the index alone
    build_changes = None

_OPEN_PROBE = """
import json, sys, time
sys.path.insert(0, {root!r})
from index import open_index
from kb.model import SearchRequest

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
before = rss()
started = time.perf_counter()
ix = open_index({path!r})
opened = time.perf_counter() - started
after_open = rss()
started = time.perf_counter()
ix.search(SearchRequest(query="copyright"))
first = time.perf_counter() - started
print(json.dumps({{"open": opened, "open_mb": (after_open - before) / 1e6, "first": first,
                  "first_mb": (rss() - before) / 1e6}}))
"""


class Ingest:
    """The real pipeline when it is there, Documents built here otherwise."""

    def __init__(self, corpus: Path, index_dir: Path, registry: Registry) -> None:
        self.corpus, self.index_dir, self.registry = corpus, index_dir, registry
        self.direct_docs: list[Document] = []

    @property
    def mode(self) -> str:
        return "ingest.build_changes + apply_changes" if build_changes else \
            "Documents built directly (ingest.build_changes unavailable) + apply_changes"

    def run(self, new: list[SyntheticDocument], prefix: str) -> tuple[float, float, ChangeSet]:
        """Ingest ``new`` (already written under corpus/): (total s, apply_changes s, changes)."""
        started = time.perf_counter()
        if build_changes is not None:
            changes, report = build_changes([self.corpus], read_manifest(self.index_dir),
                                            self.registry)
            if report.failed:
                print(f"  ingest reported {len(report.failed)} failures, e.g. "
                      f"{report.failed[0].reason}")
        else:
            docs = [d.document([]) for d in new]
            changes = ChangeSet(upserts=docs, manifest=[
                ManifestEntry(source=d.source, doc_id=d.doc_id, content_hash=d.content_hash)
                for d in docs])
        applying = time.perf_counter()
        apply_changes(self.index_dir, changes, timeout=60)
        done = time.perf_counter()
        return done - started, done - applying, changes


def make_queries(generator: Generator, count: int, seed: int) -> list[str]:
    """Half one to three words (common to rare), half natural-language questions."""
    rng = random.Random(seed)
    words = generator.words

    def word() -> str:
        return words[min(len(words) - 1, int(10 ** rng.uniform(0.3, 4.0)))]

    templates = ["what was said about {} and {}", "how should {} be treated under {} law",
                 "who raised {} and {} during the discussion on {}",
                 "is there any agreement on {} for {} in the {} context",
                 "what did the panel conclude about {} {}"]
    queries = []
    for i in range(count):
        if i % 2 == 0:
            queries.append(" ".join(word() for _ in range(rng.randint(1, 3))))
        else:
            template = rng.choice(templates)
            queries.append(template.format(*(word() for _ in range(template.count("{}")))))
    return queries


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def run_kb(library: Library, queries: list[str]) -> tuple[list[float], float]:
    started = time.perf_counter()
    library.search(SearchRequest(query=queries[0]))
    first = time.perf_counter() - started
    times = []
    for query in queries:
        started = time.perf_counter()
        library.search(SearchRequest(query=query))
        times.append(time.perf_counter() - started)
    return times, first


def build_fts5(changes: ChangeSet) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE p USING fts5(title, heading, text, tokenize='porter')")
    db.execute("CREATE TABLE f (pid INTEGER, facet TEXT, value TEXT)")
    rows, facets = [], []
    for doc in changes.upserts:
        for passage in doc.passages:
            pid = len(rows) + 1
            rows.append((pid, doc.title, passage.heading, passage.text))
            values = [("session", str(s)) for s in passage.sessions or doc.sessions]
            values += [("topic", t) for t in passage.topics or doc.topics]
            values += [("speaker", s) for s in ([passage.speaker] if passage.speaker
                                                 else doc.speakers)]
            values += [("type", doc.doc_type), ("year", doc.date[:4]),
                       ("language", doc.language), ("source", doc.site)]
            facets += [(pid, facet, value) for facet, value in values]
    db.executemany("INSERT INTO p(rowid, title, heading, text) VALUES (?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO f VALUES (?, ?, ?)", facets)
    db.execute("CREATE INDEX f_pid ON f(pid)")
    db.commit()
    return db


def run_fts5(db: sqlite3.Connection, queries: list[str]) -> list[float]:
    times = []
    for query in queries:
        words = [w for w in re.findall(r"\w+", query.lower()) if not is_stop(w, "en")]
        match = " OR ".join(f'"{w}"' for w in words) or '"the"'
        started = time.perf_counter()
        db.execute("SELECT count(*) FROM p WHERE p MATCH ?", (match,)).fetchall()
        db.execute("SELECT rowid, snippet(p, 2, '<mark>', '</mark>', '…', 40) FROM p "
                   "WHERE p MATCH ? ORDER BY bm25(p) LIMIT 10", (match,)).fetchall()
        db.execute("SELECT facet, value, count(*) FROM f WHERE pid IN "
                   "(SELECT rowid FROM p WHERE p MATCH ?) GROUP BY facet, value",
                   (match,)).fetchall()
        times.append(time.perf_counter() - started)
    return times


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def cold_open(index_dir: Path) -> dict[str, float]:
    probe = _OPEN_PROBE.format(root=str(ROOT), path=str(index_dir))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=False)
    if out.returncode:
        raise SystemExit(f"the cold-open probe failed:\n{out.stderr}")
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=240)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    registry = load_registry(ROOT / "corpus")
    generator = Generator(registry, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index_dir = Path(tmp) / "corpus", Path(tmp) / "index"
        corpus.mkdir()
        for name in ("sessions.toml", "topics.toml"):
            shutil.copy(ROOT / "corpus" / name, corpus / name)
        documents = list(generator.documents(args.passages))
        write_jsonl(documents, corpus / "synthetic")
        ingest = Ingest(corpus, index_dir, registry)
        print(f"corpus: {len(documents)} documents, ~{args.passages} passages; {ingest.mode}")

        total_s, apply_s, changes = ingest.run(documents, "part")
        passages = sum(len(d.passages) for d in changes.upserts)
        print(f"ingest: {passages} passages in {total_s:.1f} s = {passages / total_s:.0f} "
              f"passages/s end to end (apply_changes alone {apply_s:.1f} s = "
              f"{passages / apply_s:.0f} passages/s); index {folder_size(index_dir) / 1e6:.0f} MB")

        opened = cold_open(index_dir)
        print(f"cold open: {opened['open'] * 1000:.0f} ms, +{opened['open_mb']:.0f} MB; "
              f"first query (builds caches) {opened['first'] * 1000:.0f} ms, "
              f"+{opened['first_mb']:.0f} MB in all")

        queries = make_queries(generator, args.queries, args.seed)
        library = Library(index_dir, registry)
        kb_times, first = run_kb(library, queries)
        library.close()
        db = build_fts5(changes)
        fts_times = run_fts5(db, queries)
        kb_med, kb_p95 = statistics.median(kb_times), percentile(kb_times, 0.95)
        fts_med, fts_p95 = statistics.median(fts_times), percentile(fts_times, 0.95)
        print(f"{len(queries)} queries (half 1-3 words, half questions), all facets, "
              "top 10 highlighted:")
        print(f"  kb    median {kb_med * 1000:6.1f} ms   p95 {kb_p95 * 1000:6.1f} ms   "
              f"(first query in this process {first * 1000:.0f} ms)")
        print(f"  FTS5  median {fts_med * 1000:6.1f} ms   p95 {fts_p95 * 1000:6.1f} ms")

        unchanged_s, _, unchanged = ingest.run([], "part")
        what = "nothing to write" if unchanged.is_empty else "WROTE CHANGES"
        if build_changes is None:
            what += "; direct mode: only an empty ChangeSet applied"
        print(f"unchanged re-ingest: {unchanged_s:.1f} s ({what})")
        extra = list(Generator(registry, args.seed + 1).documents(1000))
        for doc in extra:
            doc.doc_id = "new" + doc.doc_id
        write_jsonl(extra, corpus / "added", prefix="new")
        added_s, added_apply_s, added = ingest.run(extra, "new")
        added_passages = sum(len(d.passages) for d in added.upserts)
        print(f"add {added_passages} passages: {added_s:.1f} s "
              f"(apply_changes {added_apply_s:.1f} s)")

        bars = [
            ("p95 <= FTS5 p95", kb_p95 <= fts_p95),
            ("p95 <= 50 ms", kb_p95 <= 0.050),
            ("median <= 10 ms", kb_med <= 0.010),
            ("cold open <= 200 ms", opened["open"] <= 0.200),
            ("ingest >= 500 passages/s", passages / total_s >= 500),
            ("unchanged re-ingest <= 5 s", unchanged_s <= 5),
            ("add 1,000 passages <= 10 s", added_s <= 10),
        ]
        print("bars: " + "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in bars))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
