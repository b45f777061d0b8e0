"""Main-content extraction benchmark: kb's HTML pipeline against trafilatura on WCXB pages.

Usage (from the repository root)::

    python bench/extraction.py [--limit N]

Reads ../shared/bench-data/wcxb-sample (pages and hand-checked main content; see its README for
the metric). kb runs through ``ingest.extract`` in one process over all pages, once with and once
without its site-level boilerplate layer; trafilatura runs with default settings on the same
pages in the same run. Prints mean precision, recall and F1 (word multiset overlap) overall and
F1 by page type, side by side.

A second table shows what the site-level layer is for: the same pages saved as plain text with
menus, headers and footers left in (as text pulled from web pages arrives), ingested with and
without the layer. Its gain shows on pages whose site has several pages in the sample (the last
column); a site seen once has nothing to compare with.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
DATA = Path("../shared/bench-data/wcxb-sample")
_TOKEN = re.compile(r"\w+")


def score(predicted: str, reference: str) -> tuple[float, float, float]:
    """(P, R, F1) of the word multisets, as the WCXB README defines them."""
    pred = Counter(_TOKEN.findall(predicted.lower()))
    ref = Counter(_TOKEN.findall(reference.lower()))
    overlap = sum((pred & ref).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    p, r = overlap / sum(pred.values()), overlap / sum(ref.values())
    return p, r, 2 * p * r / (p + r)


def _write_pages(truth: dict[str, dict[str, str]], folder: Path, limit: int | None
                 ) -> dict[str, str]:
    """Pages as a researcher would keep them: one folder per site. Returns source -> page id."""
    sources = {}
    for page_id in sorted(truth)[:limit]:
        host = urlparse(truth[page_id]["url"]).netloc or "unknown"
        target = folder / host / f"{page_id}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(gzip.decompress((DATA / "html" / f"{page_id}.html.gz").read_bytes()))
        sources[f"{host}/{page_id}.html"] = page_id
    return sources


_BLOCK_TAGS = ("p", "div", "li", "ul", "ol", "tr", "table", "br", "section", "article", "h1",
               "h2", "h3", "h4", "h5", "h6", "header", "footer", "nav", "main", "aside",
               "blockquote", "pre", "dd", "dt", "figure", "figcaption", "form", "address")


def _page_text(html: str) -> str:
    """All visible text of a page, one block element per line: menus and footers included."""
    import lxml.html
    from lxml import etree

    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return ""
    etree.strip_elements(tree, "script", "style", "noscript", "template", "svg", "head",
                         etree.Comment, with_tail=False)
    for element in tree.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
        element.text = "\n" + (element.text or "")
    lines = (" ".join(line.split()) for line in tree.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def _write_texts(folder: Path, sources: dict[str, str], target: Path) -> dict[str, str]:
    texts = {}
    for source, page_id in sources.items():
        html = (folder / source).read_text(encoding="utf-8", errors="replace")
        path = target / source.replace(".html", ".txt")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_page_text(html) or "(empty page)", encoding="utf-8")
        texts[source.replace(".html", ".txt")] = page_id
    return texts


def _run_kb(folder: Path, sources: dict[str, str], sitewide: bool) -> tuple[dict[str, str], float]:
    import ingest
    from kb.model import Document
    from kb.registry import load_registry

    registry = load_registry(ROOT / "corpus")
    texts = {page_id: "" for page_id in sources.values()}
    started = time.perf_counter()
    for source_file, outcome in ingest.extract([folder], registry, sitewide_layer=sitewide):
        page_id = sources[source_file.source]
        texts[page_id] = ingest.render_text(outcome) if isinstance(outcome, Document) else ""
    return texts, time.perf_counter() - started


def _run_trafilatura(folder: Path, sources: dict[str, str]) -> tuple[dict[str, str], float]:
    import trafilatura

    texts = {}
    started = time.perf_counter()
    for source, page_id in sources.items():
        html = (folder / source).read_text(encoding="utf-8", errors="replace")
        texts[page_id] = trafilatura.extract(html) or ""
    return texts, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    args = parser.parse_args()
    if not (DATA / "ground-truth.json").is_file():
        print(f"No benchmark data at {DATA} (run from the repository root); nothing to measure.")
        return 0
    sys.path.insert(0, str(ROOT))
    truth = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        sources = _write_pages(truth, folder, args.limit)
        html_runs = {
            "kb": _run_kb(folder, sources, sitewide=True),
            "kb without site layer": _run_kb(folder, sources, sitewide=False),
            "trafilatura (default)": _run_trafilatura(folder, sources),
        }
        text_folder = Path(tmp) / "texts"
        text_sources = _write_texts(folder, sources, text_folder)
        text_runs = {
            "kb": _run_kb(text_folder, text_sources, sitewide=True),
            "kb without site layer": _run_kb(text_folder, text_sources, sitewide=False),
        }
    ids = sorted(sources.values())
    hosts = defaultdict(list)
    for i in ids:
        hosts[urlparse(truth[i]["url"]).netloc].append(i)
    shared = {i for group in hosts.values() if len(group) > 1 for i in group}
    print(f"{len(ids)} pages from {DATA}; {len(shared)} of them share their site with another")
    print("\nHTML pages: mean P, R, F1, F1 by page type, F1 on pages of shared sites")
    _table(html_runs, truth, ids, shared)
    print("\nThe same pages as plain text with menus and footers left in")
    _table(text_runs, truth, ids, shared)
    return 0


def _table(runs: dict[str, tuple[dict[str, str], float]], truth: dict[str, dict[str, str]],
           ids: list[str], shared: set[str]) -> None:
    types = sorted({truth[i]["page_type"] for i in ids})
    print(f"{'method':<24}{'P':>7}{'R':>7}{'F1':>7}" + "".join(f"{t[:13]:>14}" for t in types)
          + f"{'shared sites':>14}{'seconds':>9}")
    for name, (texts, seconds) in runs.items():
        scores = {i: score(texts[i], truth[i]["main_content"]) for i in ids}
        mean = [sum(s[k] for s in scores.values()) / len(ids) for k in range(3)]
        by_type: dict[str, list[float]] = defaultdict(list)
        for i in ids:
            by_type[truth[i]["page_type"]].append(scores[i][2])
        cells = "".join(f"{sum(v) / len(v):>14.3f}" for v in (by_type[t] for t in types))
        on_shared = sum(scores[i][2] for i in shared) / len(shared) if shared else 0.0
        print(f"{name:<24}{mean[0]:>7.3f}{mean[1]:>7.3f}{mean[2]:>7.3f}{cells}"
              f"{on_shared:>14.3f}{seconds:>9.1f}")


if __name__ == "__main__":
    sys.exit(main())
