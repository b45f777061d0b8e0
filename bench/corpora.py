"""Synthetic corpora and their indexes (kb, FTS5, tantivy), built once and cached on disk.

A benchmark at 100,000 or 300,000 passages spends most of its time building: ingesting with
kb and indexing the baselines. Each piece is kept under a cache folder (``--cache-dir``,
``KB_BENCH_CACHE``, else ``~/.cache/kb-bench``) under a name that holds a hash of everything it
depends on, so a rerun reuses it and a change makes a new one:

- the corpus: the generator's source (bench/synthetic.py), the registries in corpus/, size, seed;
- kb's index: the corpus, and the source of ``index/``, ``ingest/``, ``kb/model.py`` and
  ``kb/registry.py`` (a change to how kb ingests or stores rebuilds it, so a cached index never
  lacks what today's code would write); built by the real ``kb ingest`` command;
- the baselines: kb's index (their passages and facet values are exported from it through
  ``kb.search.Library.scan``, so all engines search the same passages with the same values) and
  bench/baselines.py.

A folder is used only once its ``complete`` marker is written: a build that was interrupted is
rebuilt, never half read.

``KB_BENCH_REUSE_KB=1`` reuses the newest complete kb index of the same size and corpus even
when kb's source has changed since it was built, and the report says so. It is for working on
the query path, where a change leaves what ``kb ingest`` writes as it was and a 300,000-passage
rebuild would take a quarter of an hour; figures for the README come from a run without it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import baselines  # noqa: E402
from synthetic import Generator, write_jsonl  # noqa: E402

from kb.model import SearchRequest  # noqa: E402
from kb.registry import load_registry  # noqa: E402
from kb.search import Library  # noqa: E402

#: The registries the synthetic corpus ships with, the glossary among them, so kb searches as
#: shipped (query expansion included).
REGISTRY_FILES = ("sessions.toml", "topics.toml", "speakers.toml", "glossary.toml")
_KB_SOURCES = ("index", "ingest", "kb/model.py", "kb/registry.py")


def default_cache_dir() -> Path:
    return Path(os.environ.get("KB_BENCH_CACHE") or Path.home() / ".cache" / "kb-bench")


@dataclass
class Prepared:
    """One size's corpus and the three engines' indexes, ready to search."""

    passages: int
    documents: int
    corpus: Path
    index_dir: Path
    fts5: Path
    tantivy: Path | None
    #: What was built and what reused, with the build times, for the report.
    notes: list[str] = field(default_factory=list)


def prepare(passages: int, seed: int, cache_dir: Path, *, rebuild: bool = False,
            log: Callable[[str], None] = print) -> Prepared:
    """The corpus of about ``passages`` passages and its indexes, from the cache or built."""
    notes: list[str] = []
    corpus_key = _digest([BENCH / "synthetic.py", *(ROOT / "corpus" / n for n in REGISTRY_FILES)],
                         f"{passages}/{seed}")
    corpus = _cached(cache_dir / f"corpus-{passages}-{corpus_key}", rebuild, notes, "corpus",
                     lambda folder: write_corpus(folder, passages, seed), log)
    kb_key = kb_source_key(corpus_key)
    if os.environ.get("KB_BENCH_REUSE_KB") == "1":
        kb_key = _newest_kb_key(cache_dir, passages, corpus_key, kb_key, notes)
    index_dir = _cached(cache_dir / f"kb-{passages}-{kb_key}", rebuild, notes,
                        "kb index (`kb ingest`)",
                        lambda folder: _ingest_recording_corpus(corpus, corpus_key, folder),
                        log) / "index"
    base_key = _digest([BENCH / "baselines.py"], kb_key)
    fts5 = _cached(cache_dir / f"fts5-{passages}-{base_key}", rebuild, notes, "FTS5 database",
                   lambda folder: baselines.build_fts5(_rows(corpus, index_dir),
                                                       folder / "fts5.db"), log)
    tantivy = None
    if baselines.tantivy_version() is not None:
        tantivy = _cached(cache_dir / f"tantivy-{passages}-{base_key}", rebuild, notes,
                          "tantivy index", lambda folder: baselines.build_tantivy(
                              _rows(corpus, index_dir), folder / "index"), log) / "index"
    count, documents = _counts(corpus, index_dir)
    return Prepared(count, documents, corpus, index_dir, fts5 / "fts5.db", tantivy, notes)


def _newest_kb_key(cache_dir: Path, passages: int, corpus_key: str, current: str,
                   notes: list[str]) -> str:
    """The key of the newest complete kb index built from this corpus, whatever code built it.

    Each build records its corpus key beside its ``complete`` marker, so an index of another
    corpus (another seed or generator) is never picked."""
    built = [marker.parent for marker in cache_dir.glob(f"kb-{passages}-*/complete")
             if (marker.parent / "corpus-key").is_file()
             and (marker.parent / "corpus-key").read_text(encoding="utf-8").strip() == corpus_key]
    if not built:
        notes.append("KB_BENCH_REUSE_KB: no earlier kb index of this corpus, building one")
        return current
    newest = max(built, key=lambda folder: (folder / "complete").stat().st_mtime)
    key = newest.name.rsplit("-", 1)[1]
    if key != current:
        notes.append(f"kb index REUSED (KB_BENCH_REUSE_KB=1) from {newest}, built by other code "
                     "than this: valid only if the change leaves what `kb ingest` writes as it was")
    return key


def _cached(folder: Path, rebuild: bool, notes: list[str], what: str,
            build: Callable[[Path], object], log: Callable[[str], None]) -> Path:
    """``folder`` as built by ``build`` (into a fresh folder, marked complete when done)."""
    marker = folder / "complete"
    if marker.exists() and not rebuild:
        notes.append(f"{what}: reused {folder}")
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    log(f"  building {what} in {folder} ...")
    started = time.perf_counter()
    build(folder)
    seconds = time.perf_counter() - started
    marker.write_text(f"{seconds:.1f}\n", encoding="utf-8")
    notes.append(f"{what}: built in {seconds:.1f} s ({folder})")
    return folder


def write_corpus(folder: Path, passages: int, seed: int) -> None:
    registry = load_registry(ROOT / "corpus")
    for name in REGISTRY_FILES:
        if (ROOT / "corpus" / name).exists():
            shutil.copy(ROOT / "corpus" / name, folder / name)
    write_jsonl(list(Generator(registry, seed).documents(passages)), folder / "synthetic")


def kb_ingest(corpus: Path, folder: Path, code: Path = ROOT) -> None:
    """``kb ingest`` of ``corpus`` into ``folder``/index, by the kb whose source tree is
    ``code`` (another commit's, for a before-and-after benchmark: ``python -m kb`` run there
    finds that tree's packages first)."""
    index_dir = folder / "index"
    command = [sys.executable, "-m", "kb", "--corpus", str(corpus), "--index", str(index_dir),
               "ingest", str(corpus)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=code)
    if done.returncode:
        raise SystemExit(f"`kb ingest` failed ({done.returncode}):\n{done.stderr[-3000:]}")


def _ingest_recording_corpus(corpus: Path, corpus_key: str, folder: Path) -> None:
    kb_ingest(corpus, folder)
    (folder / "corpus-key").write_text(corpus_key + "\n", encoding="utf-8")


def _rows(corpus: Path, index_dir: Path) -> Iterable[baselines.Row]:
    """Every passage of kb's index with kb's facet values, grouped by document."""
    library = Library(index_dir, load_registry(corpus), registry_dir=corpus)
    try:
        scan = library.scan(SearchRequest(), order="date")
        by_doc: dict[str, list[baselines.Row]] = {}
        for r in scan.records():
            rows = by_doc.setdefault(r.doc_id, [])
            facets = {"session": [str(s) for s in r.sessions], "topic": list(r.topics),
                      "speaker": [r.speaker] if r.speaker else [], "type": [r.type],
                      "year": [r.date[:4]] if r.date else [], "language": [r.language],
                      "source": [r.site] if r.site else []}
            number = rows[0].doc if rows else len(by_doc) - 1
            rows.append(baselines.Row(number, r.doc_id, r.title, r.heading, r.text, facets))
    finally:
        library.close()
    for rows in by_doc.values():
        yield from rows


def _counts(corpus: Path, index_dir: Path) -> tuple[int, int]:
    library = Library(index_dir, load_registry(corpus), registry_dir=corpus)
    try:
        counts = library.counts()
    finally:
        library.close()
    return int(counts["passages"]), int(counts["documents"])


def kb_source_key(salt: str = "") -> str:
    """A short hash of the source that decides what ``kb ingest`` writes (and of ``salt``): an
    index kept under it was written by today's code."""
    return _digest([ROOT / p for p in _KB_SOURCES], salt)


def _digest(paths: Iterable[Path], salt: str) -> str:
    """A short hash of the files (folders: every file in them, caches left out) and ``salt``."""
    digest = hashlib.sha256(salt.encode())
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                       ) if path.is_dir() else [path] if path.exists() else []
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]
