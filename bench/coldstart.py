"""Cold start: a new process to its first answer, `kb search` beside a tuned SQLite FTS5.

What a researcher feels first is not a warm query but the wait between pressing Enter and the
answer. This script generates a synthetic corpus (bench/synthetic.py), indexes it once for each
engine, then for every query starts a new Python process per engine, interleaved so both see
the same machine load, and times it from spawn to the complete answer on stdout:

- **kb**: ``python -m kb search QUERY --json`` (import, open the index, build the generation's
  caches, search, facets, top 10 documents with snippets, print).
- **FTS5**: ``python -c ...`` with sqlite3 over the same passages in its best setup for this
  work: an external-content FTS5 table (porter tokenizer) whose rowid encodes the document
  (``doc << 10 | position``), document facets in a covering WITHOUT ROWID table, one prepared
  MATCH into a temporary table ranked by bm25(), then the document count, documents per facet
  value, the top 10 documents, and snippet() only for those 10.

Every process may cache its bytecode (in a temporary PYTHONPYCACHEPREFIX, even where the
environment sets PYTHONDONTWRITEBYTECODE), and each command runs once untimed first: an
installed kb has its .pyc files and the index is in the page cache, as on a researcher's
machine after the first use. Without the cache kb's own modules compile on every start.

It also prints what a bare interpreter and ``import kb.cli`` cost, so the split is visible, and
the machine's load (``uptime``) before and after.

    python bench/coldstart.py                       # 10,000 passages, 9 queries (~2 minutes)
    python bench/coldstart.py --passages 100000     # the issue's size (several minutes)
"""

from __future__ import annotations

import argparse
import os
import re
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

from synthetic import Generator, SyntheticDocument  # noqa: E402

from index import apply_changes  # noqa: E402
from kb.model import ChangeSet, ManifestEntry  # noqa: E402
from kb.registry import load_registry  # noqa: E402

#: Bits of an FTS5 rowid that hold the passage's position in its document.
POSITION_BITS = 10

#: The FTS5 side's whole program, run in a new process per query (argv: database, query).
_FTS5_PROBE = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
words = [w for w in sys.argv[2].lower().split() if w.isalnum()]
match = " ".join('"' + w + '"' for w in words)
db.execute("CREATE TEMP TABLE m(id INTEGER PRIMARY KEY, doc INTEGER, score REAL)")
db.execute("INSERT INTO m SELECT rowid, rowid >> {bits}, bm25(fts) FROM fts WHERE fts MATCH ?",
           (match,))
total = db.execute("SELECT count(DISTINCT doc) FROM m").fetchone()[0]
facets = db.execute("SELECT f.facet, f.value, count(*) FROM (SELECT DISTINCT doc FROM m) d "
                    "JOIN doc_facet f ON f.doc = d.doc GROUP BY f.facet, f.value").fetchall()
top = db.execute("SELECT doc, min(score) AS best FROM m GROUP BY doc ORDER BY best LIMIT 10"
                 ).fetchall()
docs = [doc for doc, _ in top]
marks = ",".join("?" * len(docs))
snippets = db.execute("SELECT rowid, snippet(fts, 2, '<mark>', '</mark>', '...', 40) FROM fts "
                      "WHERE fts MATCH ? AND (rowid >> {bits}) IN (" + marks + ") "
                      "ORDER BY bm25(fts)", (match, *docs)).fetchall() if docs else []
print(total, len(facets), len(top), len(snippets))
"""

_IMPORT_PROBE = ("import time; t = time.perf_counter(); import kb.cli; "
                 "print(time.perf_counter() - t)")


def build_kb(documents: list[SyntheticDocument], index_dir: Path) -> float:
    """Index the documents with kb's own writer; returns seconds."""
    started = time.perf_counter()
    docs = [d.document([]) for d in documents]
    changes = ChangeSet(upserts=docs, manifest=[
        ManifestEntry(source=d.source, doc_id=d.doc_id, content_hash=d.content_hash)
        for d in docs])
    apply_changes(index_dir, changes, timeout=60)
    return time.perf_counter() - started


def build_fts5(documents: list[SyntheticDocument], path: Path) -> float:
    """The FTS5 database described in the module docstring; returns seconds."""
    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE passage(id INTEGER PRIMARY KEY, title TEXT, heading TEXT, text TEXT);
        CREATE VIRTUAL TABLE fts USING fts5(title, heading, text, content='passage',
                                            content_rowid='id', tokenize='porter');
        CREATE TABLE doc_facet(doc INTEGER, facet TEXT, value TEXT,
                               PRIMARY KEY (doc, facet, value)) WITHOUT ROWID;
    """)
    rows, facets = [], set()
    for number, synthetic in enumerate(documents):
        doc = synthetic.document([])
        for passage in doc.passages:
            rows.append(((number << POSITION_BITS) | passage.position, doc.title,
                         passage.heading, passage.text))
        values = [("session", str(s)) for s in doc.sessions]
        values += [("speaker", s) for s in doc.speakers]
        values += [("type", doc.doc_type), ("year", doc.date[:4]), ("language", doc.language),
                   ("source", doc.site)]
        facets.update((number, facet, value) for facet, value in values)
    db.executemany("INSERT INTO passage VALUES (?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO doc_facet VALUES (?, ?, ?)", sorted(facets))
    db.execute("INSERT INTO fts(fts) VALUES ('rebuild')")
    db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    db.commit()
    db.execute("VACUUM")
    db.close()
    return time.perf_counter() - started


def make_queries(generator: Generator, count: int) -> list[str]:
    """One- and two-word queries, common to rare words, plus a domain word of the corpus."""
    words = [w for w in generator.words if re.fullmatch(r"[a-z]+", w)]
    ranks = [5, 40, 200, 900, 3000, 12, 90, 600, 2000, 25, 300, 1500]
    queries = ["copyright"]
    for i in range(count - 1):
        first = words[ranks[i % len(ranks)]]
        queries.append(first if i % 2 == 0 else f"{first} {words[ranks[(i + 3) % len(ranks)]]}")
    return queries


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Seconds from spawn to the complete answer on stdout, and that answer."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT,
                          env=env)
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{command[:4]} failed ({done.returncode}):\n{done.stderr}")
    return elapsed, done.stdout


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=9)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    registry = load_registry(ROOT / "corpus")
    generator = Generator(registry, args.seed)
    documents = list(generator.documents(args.passages))
    queries = make_queries(generator, args.queries)
    print(f"load before: {uptime()}")
    print(f"corpus: {args.passages:,} passages in {len(documents):,} documents; "
          f"{len(queries)} queries, each in a new process per engine, interleaved")

    with tempfile.TemporaryDirectory(prefix="kb-coldstart-") as tmp:
        index_dir, database = Path(tmp) / "index", Path(tmp) / "fts5.db"
        print(f"indexed: kb {build_kb(documents, index_dir):.1f} s, "
              f"FTS5 {build_fts5(documents, database):.1f} s")
        kb_command = [sys.executable, "-m", "kb", "--corpus", str(ROOT / "corpus"),
                      "--index", str(index_dir), "search"]
        fts_command = [sys.executable, "-c", _FTS5_PROBE.format(bits=POSITION_BITS),
                       str(database)]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        timed([*kb_command, queries[0], "--json"], env)  # untimed: write .pyc, warm the cache
        timed([*fts_command, queries[0]], env)
        bare, kb_times, fts_times, imports = [], [], [], []
        for query in queries:
            bare.append(timed([sys.executable, "-c", "pass"], env)[0])
            imports.append(float(timed([sys.executable, "-c", _IMPORT_PROBE], env)[1]))
            kb_times.append(timed([*kb_command, query, "--json"], env)[0])
            fts_times.append(timed([*fts_command, query], env)[0])

    def line(name: str, values: list[float]) -> str:
        return (f"  {name:<38} median {statistics.median(values) * 1000:7.0f} ms   "
                f"max {max(values) * 1000:7.0f} ms")

    print("new process to first answer:")
    print(line("kb search (python -m kb search --json)", kb_times))
    print(line("FTS5 (python -c, sqlite3)", fts_times))
    print(f"  ratio kb / FTS5 at the median: "
          f"{statistics.median(kb_times) / statistics.median(fts_times):.2f} x")
    print("of which:")
    print(line("bare interpreter (python -c pass)", bare))
    print(line("import kb.cli (in-process timer)", imports))
    print(f"load after: {uptime()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
