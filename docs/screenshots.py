"""Regenerate the README's screenshots from the real pages, so they never fall out of date.

Ingests the bundled corpus (plus the web tests' fixture pages and transcripts, so the research
pages have several sessions to show) into a temporary index, serves it with the same Flask app and
waitress server as ``kb serve``, and photographs each page in :data:`SHOTS` with Debian's
headless Chromium through Playwright (the test extras: ``pip install -e '.[test]'``).

    python docs/screenshots.py                  # every shot, into docs/
    python docs/screenshots.py --only search    # the shots whose file name contains "search"

To add a screenshot, add a :class:`Shot` to :data:`SHOTS`: a page address and a file name (and,
if it needs them, a viewport or a full-page capture).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@dataclass(frozen=True)
class Shot:
    #: The page's address on the server, with its query string.
    url: str
    #: The PNG's name in docs/.
    file: str
    width: int = 1280
    height: int = 860
    full_page: bool = False


SHOTS = [
    Shot("/search?q=training+data&session=9", "screenshot-search.png"),
    Shot("/trends?q=deepfake&q=%22training+data%22&q=remuneration", "screenshot-trends.png"),
    Shot("/kwic?q=%22training+data%22&sort=left", "screenshot-kwic.png"),
]
#: Pages added to the bundled corpus for the screenshots (the web tests' fixture corpus).
FIXTURES = ROOT / "tests" / "web" / "fixtures" / "corpus"


def serve(corpus: Path, index_dir: Path) -> tuple[str, object]:
    """Ingest ``corpus`` with :data:`FIXTURES` into ``index_dir``; serve it on a free port."""
    import shutil

    import waitress

    import index
    import ingest
    from kb.registry import load_registry
    from web import create_app

    combined = index_dir.parent / "corpus"
    shutil.copytree(corpus, combined, ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(FIXTURES, combined / "fixtures")
    corpus = combined
    registry = load_registry(corpus)
    changes, report = ingest.build_changes([corpus], {}, registry)
    if report.failed:
        raise SystemExit(f"ingest failed for {report.failed}")
    index.apply_changes(index_dir, changes)
    app = create_app({"KB_INDEX": str(index_dir), "KB_CORPUS": str(corpus)})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=2)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}", server


def photograph(base: str, shots: list[Shot], out: Path) -> None:
    """Take ``shots`` of the server at ``base`` with a Chromium of its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            take(browser, base, shots, out)
        finally:
            browser.close()


def take(browser: Any, base: str, shots: list[Shot], out: Path) -> None:
    """Take ``shots`` with an open Playwright ``browser``, each in a fresh context."""
    for shot in shots:
        context = browser.new_context(viewport={"width": shot.width, "height": shot.height})
        try:
            page = context.new_page()
            response = page.goto(base + shot.url)
            if response is None or response.status != 200:
                raise SystemExit(f"{shot.url} answered {response and response.status}")
            page.screenshot(path=str(out / shot.file), full_page=shot.full_page)
        finally:
            context.close()
        print(f"{shot.file}: {shot.url} at {shot.width}x{shot.height}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--only", default="", help="only shots whose file name contains this")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"Chromium is missing at {CHROMIUM} (Debian: apt-get install chromium)")
    shots = [s for s in SHOTS if args.only in s.file]
    with tempfile.TemporaryDirectory() as tmp:
        base, server = serve(args.corpus, Path(tmp) / "index")
        try:
            photograph(base, shots, args.out)
        finally:
            server.close()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
