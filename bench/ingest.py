"""Ingest throughput on a synthetic corpus: documents and passages per second, end to end.

Usage (from the repository root)::

    python bench/ingest.py [--documents 5000] [--html-share 0.05]

Writes a synthetic corpus to a temporary folder (web pages saved as text with a shared site menu
and footer, Markdown notes, some HTML pages, speaker-labelled transcripts), runs
``ingest.build_changes`` over it from an empty manifest, then again with the manifest it
produced (the no-change re-ingest, which must find nothing to do). Needs no external data.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import ingest
    from kb.registry import load_registry

    registry = load_registry(ROOT / "corpus")
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        started = time.perf_counter()
        for n in range(args.documents):
            name, text = _page(rng, n)
            path = corpus / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        print(f"wrote {args.documents} files in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        changes, report = ingest.build_changes([corpus], {}, registry)
        seconds = time.perf_counter() - started
        documents = len(changes.upserts)
        passages = sum(len(d.passages) for d in changes.upserts)
        print(f"first ingest: {documents} documents, {passages} passages in {seconds:.1f} s: "
              f"{documents / seconds:.0f} documents/s, {passages / seconds:.0f} passages/s "
              f"({len(report.failed)} failed, {len(report.duplicates)} duplicates)")
        menu_left = sum(1 for d in changes.upserts for p in d.passages if "Sitemap" in p.text)
        print(f"passages still holding the site menu: {menu_left}")

        manifest = {e.source: e for e in changes.manifest}
        started = time.perf_counter()
        again, report = ingest.build_changes([corpus], manifest, registry)
        seconds = time.perf_counter() - started
        print(f"no-change re-ingest: {len(report.unchanged)} unchanged, change set empty: "
              f"{again.is_empty}, in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
