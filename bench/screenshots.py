"""Write the README's screenshots of the research tools: docs/screenshot-trends.png and
docs/screenshot-kwic.png.

Builds an index of the bundled corpus plus the web test fixtures (a twelfth-session summary and
transcript, ninth-session captions), serves it with waitress on a free port, and photographs
the pages in Debian's Chromium through Playwright. Run: ``python bench/screenshots.py``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import waitress  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

import index  # noqa: E402
import ingest  # noqa: E402
from kb.registry import load_registry  # noqa: E402
from kb.search import Library  # noqa: E402
from web import create_app  # noqa: E402

SHOTS = {
    "screenshot-trends.png": "/trends?q=deepfake&q=%22training+data%22&q=remuneration",
    "screenshot-kwic.png": "/kwic?q=%22training+data%22&sort=left",
}


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="kb-shots-"))
    try:
        corpus = work / "corpus"
        shutil.copytree(ROOT / "corpus", corpus, ignore=shutil.ignore_patterns(".*"))
        shutil.copytree(ROOT / "tests" / "web" / "fixtures" / "corpus", corpus / "fixtures")
        registry = load_registry(corpus)
        changes, report = ingest.build_changes([corpus], {}, registry)
        index.apply_changes(work / "index", changes)
        library = Library(work / "index", registry)
        app = create_app({"KB_LIBRARY": library, "KB_REGISTRY": registry})
        server = waitress.create_server(app, host="127.0.0.1", port=0, threads=2)
        threading.Thread(target=server.run, daemon=True).start()
        base = f"http://127.0.0.1:{server.effective_port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            for name, path in SHOTS.items():
                page.goto(base + path)
                page.screenshot(path=str(ROOT / "docs" / name), full_page=False)
                print(f"wrote docs/{name} from {path}")
            browser.close()
        server.close()
        library.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
