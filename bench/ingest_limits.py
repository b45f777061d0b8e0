"""What the per-file limits cost on a normal ingest: the same corpus with and without them.

Usage (from the repository root)::

    python bench/ingest_limits.py [--documents 1500] [--rounds 2] [--before COMMIT]

Writes bench/ingest.py's synthetic corpus (pages with a site menu, Markdown, HTML,
transcripts) to a temporary folder and runs ``ingest.build_changes`` over it from an empty
manifest, alternately with every file read and built in one limited worker process (what kb
does, with one worker per core) and in-process without it (the baseline), so both see the
same machine load; CPU time (parent and worker) is printed beside wall-clock time, which a
shared machine makes noisy. Then it times a long Word file's style lookups, python-docx's own
(a scan of every style per paragraph) beside kb's table read once. Needs no external data.

With ``--before COMMIT`` it also builds the same corpus with that commit's code (``git archive``
of it), each round in a fresh process per code base, this one and that one in turn: in-process,
with one limited worker, and with a worker per core (what ``kb ingest`` does), and prints CPU
seconds per 1,000 passages of each beside the other's, so a change to reading or to the
workers is measured against the code before it under the same load.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


#: The settings --before compares: in-process, one limited worker, a worker per core (0).
_SETTINGS = (("in-process", None), ("one worker", 1), ("a worker per core", 0))


def _bench_module(name: str) -> object:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _synthetic_page() -> object:
    return _bench_module("ingest")._page  # type: ignore[attr-defined]


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the worker is joined at the
    end of each ingest): on a shared machine, less noisy than wall-clock time."""
    own, children = (resource.getrusage(who) for who in
                     (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _ingest_seconds(corpus: Path, registry: object, limited: bool
                    ) -> tuple[float, float, int]:
    import ingest
    from ingest import sandbox

    real = sandbox.available
    if not limited:
        sandbox.available = lambda: False  # the baseline: readers run in-process, unbounded
    try:
        cpu, started = _cpu(), time.perf_counter()
        # One worker: the cost of the limits alone, not of reading with a worker per core.
        changes, _ = ingest.build_changes([corpus], {}, registry,  # type: ignore[arg-type]
                                          workers=1)
        return (time.perf_counter() - started, _cpu() - cpu,
                sum(len(d.passages) for d in changes.upserts))
    finally:
        sandbox.available = real


def _measure(tree: Path, corpus: Path) -> None:
    """In a fresh process (--measure): build ``corpus`` with the code in ``tree`` once per
    setting of _SETTINGS, after a warm-up on its HTML pages (readers and NLTK loaded), and
    print each as JSON (wall and CPU seconds, passages)."""
    sys.path.insert(0, str(tree))
    import ingest
    from ingest import sandbox
    from kb.registry import load_registry

    registry = load_registry(tree / "corpus")
    real = sandbox.available
    sandbox.available = lambda: False
    ingest.build_changes([corpus / "html"], {}, registry, workers=1)
    figures = {}
    for name, workers in _SETTINGS:
        sandbox.available = (lambda: False) if workers is None else real
        cpu, started = _cpu(), time.perf_counter()
        changes, _ = ingest.build_changes([corpus], {}, registry,
                                          workers=workers or sandbox.default_workers())
        figures[name] = (time.perf_counter() - started, _cpu() - cpu,
                         sum(len(d.passages) for d in changes.upserts))
    print(json.dumps(figures))


def _compare(corpus: Path, before: Path, label: str, rounds: int) -> None:
    """This code and ``before``'s, in turn, in fresh processes: best CPU seconds per 1,000
    passages of each setting, and the wall-clock time beside it."""
    trees = {"this code": ROOT, label: before}
    best: dict[str, dict[str, tuple[float, float, int]]] = {name: {} for name in trees}
    for _ in range(rounds):
        for name, tree in trees.items():
            out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure",
                                  str(tree), "--corpus", str(corpus)], cwd=tree, check=True,
                                 capture_output=True, text=True, env=dict(os.environ)).stdout
            for setting, figure in json.loads(out.splitlines()[-1]).items():
                kept = best[name].get(setting)
                if kept is None or figure[1] < kept[1]:
                    best[name][setting] = tuple(figure)  # type: ignore[assignment]
    print(f"this code against {label}, a fresh process each per round, best of {rounds} "
          "(CPU s per 1,000 passages, parent and workers; wall s):")
    for setting, _ in _SETTINGS:
        ours, theirs = best["this code"][setting], best[label][setting]
        print(f"  {setting}: {1000 * ours[1] / ours[2]:.2f} against "
              f"{1000 * theirs[1] / theirs[2]:.2f} ({ours[1] / theirs[1]:.2f} x); "
              f"wall {ours[0]:.2f} s against {theirs[0]:.2f} s")
    for name in trees:
        inside, one = best[name]["in-process"], best[name]["one worker"]
        print(f"  cost of the limits with one worker, {name}: "
              f"{100 * (one[1] / inside[1] - 1):+.1f} % CPU")


def _docx_styles(paragraphs: int) -> tuple[float, float]:
    import docx

    from ingest.readers.docx import _paragraph_styles

    document = docx.Document()
    for i in range(paragraphs):
        document.add_paragraph(f"Paragraph {i} on training data.",
                               style="Heading 2" if i % 5 == 0 else "Normal")
    buffer = io.BytesIO()
    document.save(buffer)
    loaded = docx.Document(io.BytesIO(buffer.getvalue()))
    started = time.perf_counter()
    theirs = [p.style.name for p in loaded.paragraphs]
    scan = time.perf_counter() - started
    started = time.perf_counter()
    style_of = _paragraph_styles(loaded)
    ours = [style_of(p) for p in loaded.paragraphs]
    table = time.perf_counter() - started
    assert ours == theirs
    return scan, table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--before", metavar="COMMIT", default=None,
                        help="also build the corpus with this commit's code, in turn with this")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        _measure(args.measure, args.corpus)
        return 0
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average (1, 5, 15 min) before: {load}")
    sys.path.insert(0, str(ROOT))
    from kb.registry import load_registry

    registry = load_registry(ROOT / "corpus")
    page = _synthetic_page()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        for n in range(args.documents):
            name, text = page(rng, n)  # type: ignore[operator]
            path = corpus / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        wall: dict[bool, list[float]] = {True: [], False: []}
        cpu: dict[bool, list[float]] = {True: [], False: []}
        passages = 0
        for _ in range(args.rounds):
            for limited in (False, True):
                seconds, used, passages = _ingest_seconds(corpus, registry, limited)
                wall[limited].append(seconds)
                cpu[limited].append(used)
        print(f"{args.documents} documents, {passages} passages; best of {args.rounds} runs each")
        for limited, label in ((False, "without limits (in-process)"),
                               (True, "with limits (worker process)")):
            print(f"  {label}: {min(wall[limited]):.2f} s wall "
                  f"({passages / min(wall[limited]):.0f} passages/s), "
                  f"{min(cpu[limited]):.2f} s CPU (parent and worker)")
        print(f"  cost of the limits: {100 * (min(wall[True]) / min(wall[False]) - 1):+.1f} % "
              f"wall, {100 * (min(cpu[True]) / min(cpu[False]) - 1):+.1f} % CPU")
        if args.before:
            before = Path(tmp) / "before"
            serve = _bench_module("serve")
            _compare(corpus, before, serve.checkout(args.before, before),  # type: ignore[attr-defined]
                     args.rounds)
    scan, table = _docx_styles(3000)
    print(f"DOCX of 3,000 paragraphs, style of every paragraph: python-docx {scan:.2f} s, "
          f"kb's table {table:.3f} s")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average after: {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
