"""Ingest throughput on a synthetic corpus, end to end: files to a committed index.

Usage (from the repository root)::

    python bench/ingest.py [--documents 5000] [--rounds 1]

Writes a synthetic corpus to a temporary folder (web pages saved as text with a shared site menu
and footer, Markdown notes, some HTML pages, speaker-labelled transcripts), then ingests it from
an empty index as ``kb ingest`` does: ``ingest.build_changes`` (reading and page cleaning, then
the site-level sweep and building documents with their enrichment) and ``index.apply_changes``
(the Whoosh write and commit). It does so one process at a time (one reading worker, one
writer) and in parallel (one reading worker per core, and the writer's second process),
alternately in the same run (so both see the same machine load), and prints for each:
passages per second end to end, CPU seconds per 1,000 passages (this process and its workers;
less sensitive to other load than wall time), and each stage's share. The machine's load
average is printed before and after. Then it writes the same change set again in one process,
alternately with kb's ``add_document`` and with Whoosh's own, and with Whoosh's posting flush
(a call per posting, the segment's posting lists then decoded back) instead of kb's (CPU
seconds of each), and re-ingests with the manifest it produced (the no-change re-ingest, which
must find nothing to do). Needs no external data.

``--before COMMIT`` (with ``--pairs N``) then compares this code with that commit's on the same
corpus, the way the machine's noise allows: N pairs of fresh processes, one per code in an order
alternating from pair to pair, each ingesting the corpus twice on the parallel path (a reading
worker per core, two writing processes) and timing the second (the first pays what a process
pays once: imports, the readers' libraries); it prints each pair, then the median of each
code's passages per second and CPU seconds per 1,000 passages, and in how many pairs this code
was the faster. On this machine two identical ingests can differ by a third, so one pair says
little; the commit's tree comes from ``git archive``.

``--phases`` adds one more ingest on the parallel path, after the timed ones, and prints where
the cores went phase by phase (bench/phases.py, Linux only): the CPU seconds of this process,
of the reading workers and of the second writing process, how busy the cores were and how many
of the ingest's processes wanted one (fewer than the cores: a core had none of the ingest's
work, the stages waiting on each other).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _words(text: str) -> list[str]:
    return text.split()


WORDS = _words(
    "training data copyright generative models creators licensing remuneration patents "
    "inventorship examination offices metaverse tokens blockchain enforcement deepfakes voice "
    "likeness watermarking registries identifiers collective management delegates panel session "
    "policy infrastructure disclosure exceptions jurisdiction authorship protection innovation "
    "developing countries capacity building data regulation transparency accountability bias "
    "output human contribution"
)
GLUE = _words(
    "the of and to in a that for on with as by is are was were which this these"
)
MENU = ("Home About IP Patents Trademarks Industrial Designs Copyright Geographical Indications "
        "Frontier Technologies IP Training WIPO Academy News Events Publications Careers "
        "Contact Accessibility Privacy Terms of Use Sitemap ") * 3
FOOTER = "To receive regular updates about our events and projects, subscribe to our newsletter."
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
            "ninth", "tenth", "eleventh", "twelfth"]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS if rng.random() < 0.55 else GLUE) for _ in range(rng.randint(9, 22))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))


def _page(rng: random.Random, n: int) -> tuple[str, str]:
    session = rng.randint(1, 12)
    title = f"Report {n}: the {ORDINALS[session - 1]} session on {rng.choice(WORDS)}"
    kind = rng.random()
    paragraphs = [_paragraph(rng) for _ in range(rng.randint(4, 9))]
    if kind < 0.55:
        body = "\n\n".join([MENU.strip(), title, *paragraphs, "Watch the event", FOOTER])
        return f"site/page{n:05d}.txt", body
    if kind < 0.75:
        sections = [f"## {rng.choice(WORDS).capitalize()} and {rng.choice(WORDS)}\n\n{p}"
                    for p in paragraphs]
        return f"notes/note{n:05d}.md", f"# {title}\n\n" + "\n\n".join(sections)
    if kind < 0.95:
        speakers = ["MICHELE WOODS", "The CHAIR", "Mr. GURRY (Director General)", "ANA SOUZA"]
        turns = [f">> {rng.choice(speakers)}: {p}" for p in paragraphs]
        return f"transcripts/t{n:05d}.txt", "\n\n".join(turns)
    items = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (f"<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<main><h1>{title}</h1>{items}</main><footer>{FOOTER}</footer></body></html>")
    return f"html/page{n:05d}.html", html


@dataclass
class Run:
    """One ingest from an empty index: wall and CPU seconds per stage."""

    workers: int
    passages: int = 0
    documents: int = 0
    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def total_wall(self) -> float:
        return self.wall["build"] + self.wall["write"]

    @property
    def total_cpu(self) -> float:
        return self.cpu["build"] + self.cpu["write"]


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the reading workers are
    joined when build_changes returns)."""
    own, children = (resource.getrusage(who) for who in
                     (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(run: Run, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` adding its wall time to ``run.wall[name]`` (a stage inside build_changes)."""
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            run.wall[name] = run.wall.get(name, 0.0) + time.perf_counter() - started
    return timed


#: The phases the utilisation table shows, in order (see :func:`_metered`).
PHASES = ["read and page-clean", "site sweep", "documents", "manifest, duplicates, change set",
          "write: records", "write: segments out", "write: posting lists",
          "write: waiting for the second writer", "write: commit", "write: arrays"]


@contextlib.contextmanager
def _metered(meter: Any) -> Iterator[None]:
    """The ingest's functions wrapped so that ``meter`` charges their time to :data:`PHASES`
    (build_changes's own work outside the wrapped stages is the manifest and change set)."""
    from index import segments, writer
    from ingest import assembly, pipeline, sitewide

    patched = [(pipeline, "stage", PHASES[0]), (assembly, "_group_copies", PHASES[1]),
               (sitewide, "SiteIndex", PHASES[1]), (pipeline, "assemble_batch", PHASES[2]),
               (writer, "_write", PHASES[4]), (writer, "finish_own", PHASES[5]),
               (writer, "save_postings", PHASES[6]),
               (segments.SideWriter, "segment", PHASES[7]), (writer, "publish", PHASES[8]),
               (writer, "save_missing", PHASES[9]), (writer, "prepare", PHASES[9])]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patched]
    for owner, name, phase in patched:
        setattr(owner, name, meter.wrap(phase, getattr(owner, name)))
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


def _ingest(corpus: Path, index_dir: Path, registry: Any, workers: int,
            writers: int, meter: Any = None) -> tuple[Run, Any]:
    import index
    import ingest
    from ingest import pipeline

    run = Run(workers)
    build, apply = ingest.build_changes, index.apply_changes
    with contextlib.ExitStack() as metering:
        if meter is not None:
            metering.enter_context(_metered(meter))
            metering.enter_context(meter.active())
            build = meter.wrap(PHASES[3], build)
            apply = meter.wrap("write: other", apply)
        stage, assemble = pipeline.stage, pipeline.assemble_batch
        pipeline.stage = _timed(run, "read and page-clean", stage)  # type: ignore[assignment]
        pipeline.assemble_batch = _timed(  # type: ignore[assignment]
            run, "site sweep and documents", assemble)
        try:
            cpu, started = _cpu(), time.perf_counter()
            changes, report = build([corpus], {}, registry, workers=workers)
            run.wall["build"], run.cpu["build"] = time.perf_counter() - started, _cpu() - cpu
        finally:
            pipeline.stage, pipeline.assemble_batch = stage, assemble
        cpu, started = _cpu(), time.perf_counter()
        apply(index_dir, changes, rebuild=True, writers=writers)
        run.wall["write"], run.cpu["write"] = time.perf_counter() - started, _cpu() - cpu
    run.documents = len(changes.upserts)
    run.passages = sum(len(d.passages) for d in changes.upserts)
    assert not report.failed, report.failed
    return run, changes


def _print(run: Run, label: str) -> None:
    per = 1000 / run.passages
    print(f"  {label}: {run.passages / run.total_wall:.0f} passages/s end to end "
          f"({run.total_wall:.1f} s wall, {run.total_cpu * per:.2f} CPU s per 1,000 passages)")
    stages = [(name, run.wall[name]) for name in
              ("read and page-clean", "site sweep and documents")]
    rest = run.wall["build"] - sum(seconds for _, seconds in stages)
    stages += [("manifest, duplicates, change set", rest), ("index write and commit",
                                                             run.wall["write"])]
    print("    " + "; ".join(f"{name} {seconds:.1f} s ({100 * seconds / run.total_wall:.0f} %)"
                             for name, seconds in stages))
    print(f"    build_changes alone: {run.passages / run.wall['build']:.0f} passages/s, "
          f"{run.cpu['build'] * per:.2f} CPU s per 1,000; apply_changes alone: "
          f"{run.passages / run.wall['write']:.0f} passages/s, "
          f"{run.cpu['write'] * per:.2f} CPU s per 1,000")


def _print_phases(corpus: Path, index_dir: Path, registry: Any, workers: int,
                  writers: int) -> None:
    """One more ingest with ``workers`` reading workers, its time and CPU charged to
    :data:`PHASES` (see bench/phases.py); its own figures are left out of the best-of above."""
    import phases

    if not phases.available():
        print("  phases: not measured (needs Linux's /proc/<pid>/schedstat)")
        return
    meter = phases.PhaseMeter()
    run, _ = _ingest(corpus, index_dir, registry, workers, writers, meter)
    print(f"  where the cores went, phase by phase ({workers} reading workers, {writers} writing "
          f"processes; one more ingest, {run.passages / run.total_wall:.0f} passages/s):")
    for line in meter.report(PHASES, workers):
        print(f"    {line}")


def _compare_writers(changes: Any, tmp: Path, rounds: int) -> None:
    """The index write alone, in one process, alternately on the same change set: with kb's
    ``add_document`` (the postings computed in one pass per field) and with Whoosh's own
    method; and with kb's posting flush (written a term at a time, the lists the segment's
    posting file needs kept as they are written) and with Whoosh's (a call per posting, the
    lists then decoded back from the segment). CPU seconds of each whole write, best of
    ``rounds``."""
    from whoosh.writing import SegmentWriter

    import index
    from index import internals

    writer = internals._SegmentWriter
    ours = writer.add_document, writer._flush_segment
    variants = {"Whoosh's add_document": (SegmentWriter.add_document, ours[1]),
                "kb's": ours,
                "Whoosh's flush": (ours[0], SegmentWriter._flush_segment)}
    best: dict[str, float] = {}
    for round_ in range(rounds):
        for number, (name, (add, flush)) in enumerate(variants.items()):
            writer.add_document, writer._flush_segment = add, flush  # type: ignore[method-assign]
            try:
                cpu = _cpu()
                index.apply_changes(tmp / f"writer-{round_}-{number}", changes,
                                    rebuild=True, writers=1)
                seconds = _cpu() - cpu
            finally:
                writer.add_document, writer._flush_segment = ours  # type: ignore[method-assign]
            best[name] = min(best.get(name, seconds), seconds)
    whoosh, kb, flush = best.values()
    print(f"index write alone, one process, the same change set: Whoosh's add_document "
          f"{whoosh:.2f} CPU s, kb's {kb:.2f} CPU s ({kb / whoosh:.2f} x)")
    print(f"  with Whoosh's posting flush (a call per posting) and the posting lists decoded "
          f"back from the segment: {flush:.2f} CPU s; kb's flush, the lists kept as written: "
          f"{kb:.2f} CPU s ({kb / flush:.2f} x)")


#: One ingest of a corpus by the code under ``root``, in a process of its own: an untimed one
#: first, then the timed one; prints passages, wall seconds and CPU seconds (the process and
#: its finished workers) as JSON.
_PAIR_CHILD = """
import json, resource, sys, time
from pathlib import Path
root, corpus, work = sys.argv[1:4]
sys.path.insert(0, root)
import ingest, index
from ingest.sandbox import default_workers
from kb.registry import load_registry

def cpu():
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

registry = load_registry(Path(root) / "corpus")
workers = default_workers()
for attempt in ("untimed", "timed"):
    wall, used = time.perf_counter(), cpu()
    changes, _ = ingest.build_changes([Path(corpus)], {}, registry, workers=workers)
    index.apply_changes(Path(work) / attempt, changes, rebuild=True,
                        writers=2 if workers > 1 else 1)
    wall, used = time.perf_counter() - wall, cpu() - used
print(json.dumps({"passages": sum(len(d.passages) for d in changes.upserts),
                  "wall": wall, "cpu": used}))
"""


def _compare_with(commit: str, pairs: int, corpus: Path, tmp: Path) -> None:
    """This code against ``commit``'s, in ``pairs`` alternating pairs of fresh processes."""
    import shutil
    import statistics
    import subprocess

    sys.path.insert(0, str(ROOT / "bench"))
    from serve import checkout

    theirs = tmp / "before"
    theirs.mkdir()
    short = checkout(commit, theirs)
    print(f"this code against {short}, {pairs} pairs of fresh processes on the parallel path, "
          f"the second of two ingests timed in each (load before: {_load()}):")
    results: dict[str, list[dict[str, float]]] = {"this code": [], short: []}
    roots = {"this code": ROOT, short: theirs}
    for pair in range(pairs):
        order = ["this code", short] if pair % 2 == 0 else [short, "this code"]
        line = []
        for name in order:
            work = tmp / f"pair-{pair}-{'this' if name == 'this code' else 'before'}"
            work.mkdir()
            done = subprocess.run([sys.executable, "-c", _PAIR_CHILD, str(roots[name]),
                                   str(corpus), str(work)],
                                  capture_output=True, text=True, check=True)
            shutil.rmtree(work)
            run = json.loads(done.stdout.strip().splitlines()[-1])
            results[name].append(run)
            line.append(f"{name} {run['passages'] / run['wall']:,.0f} passages/s, "
                        f"{1000 * run['cpu'] / run['passages']:.2f} CPU s per 1,000")
        print(f"  pair {pair + 1} (load {os.getloadavg()[0]:.2f}): " + "; ".join(line))
    rates = {name: [r["passages"] / r["wall"] for r in runs] for name, runs in results.items()}
    costs = {name: [1000 * r["cpu"] / r["passages"] for r in runs]
             for name, runs in results.items()}
    for name in results:
        print(f"  {name}: median {statistics.median(rates[name]):,.0f} passages/s "
              f"(range {min(rates[name]):,.0f}-{max(rates[name]):,.0f}), median "
              f"{statistics.median(costs[name]):.2f} CPU s per 1,000 passages")
    faster = sum(a > b for a, b in zip(rates["this code"], rates[short], strict=True))
    cheaper = sum(a < b for a, b in zip(costs["this code"], costs[short], strict=True))
    median = {name: (statistics.median(rates[name]), statistics.median(costs[name]))
              for name in results}
    print(f"  this code / {short}: {median['this code'][0] / median[short][0]:.2f} x the median "
          f"passages/s, {median['this code'][1] / median[short][1]:.2f} x the median CPU; "
          f"faster in {faster} of {pairs} pairs, cheaper in {cheaper}")


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=1,
                        help="ingests per worker setting; the best of them is printed")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--before", metavar="COMMIT", default=None,
                        help="also compare this code with COMMIT's, in --pairs alternating "
                             "pairs of fresh processes on the parallel path")
    parser.add_argument("--pairs", type=int, default=6,
                        help="pairs of processes for --before (default 6)")
    parser.add_argument("--phases", action="store_true",
                        help="one more ingest on the parallel path, after the timed ones, "
                             "showing where the cores went phase by phase (Linux)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import ingest
    from ingest.sandbox import default_workers
    from kb.registry import load_registry

    registry = load_registry(ROOT / "corpus")
    rng = random.Random(args.seed)
    cores = default_workers()
    settings = sorted({1, cores})
    writers = {1: 1, cores: 2 if cores > 1 else 1}
    print(f"load average (1, 5, 15 min) before: {_load()}; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        started = time.perf_counter()
        for n in range(args.documents):
            name, text = _page(rng, n)
            path = corpus / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        print(f"wrote {args.documents} files in {time.perf_counter() - started:.1f} s")

        best: dict[int, Run] = {}
        changes = None
        for round_ in range(args.rounds):
            for workers in settings:
                run, changes = _ingest(corpus, Path(tmp) / f"index-{round_}-{workers}",
                                       registry, workers, writers[workers])
                if workers not in best or run.total_wall < best[workers].total_wall:
                    best[workers] = run
        assert changes is not None
        first = best[settings[0]]
        print(f"first ingest from an empty index: {first.documents} documents, "
              f"{first.passages} passages (best of {args.rounds} per setting)")
        for workers in settings:
            _print(best[workers], f"{workers} reading worker{'s' if workers > 1 else ''}, "
                   f"{writers[workers]} writing process{'es' if writers[workers] > 1 else ''}")
        if len(settings) > 1:
            one, many = best[1], best[cores]
            print(f"  parallel against one process at a time: "
                  f"{one.total_wall / many.total_wall:.2f} x as fast end to end, "
                  f"{many.total_cpu / one.total_cpu:.2f} x the CPU")
        if args.phases:
            _print_phases(corpus, Path(tmp) / "index-phases", registry, cores, writers[cores])
        menu_left = sum(1 for d in changes.upserts for p in d.passages if "Sitemap" in p.text)
        print(f"passages still holding the site menu: {menu_left}")

        _compare_writers(changes, Path(tmp), args.rounds)

        manifest = {e.source: e for e in changes.manifest}
        started = time.perf_counter()
        again, report = ingest.build_changes([corpus], manifest, registry)
        seconds = time.perf_counter() - started
        print(f"no-change re-ingest: {len(report.unchanged)} unchanged, change set empty: "
              f"{again.is_empty}, in {seconds:.1f} s")
        if args.before:
            _compare_with(args.before, args.pairs, corpus, Path(tmp))
    print(f"load average after: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
