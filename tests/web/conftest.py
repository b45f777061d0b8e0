"""One index per test session, built through the real ingest and index from the project's
corpus plus the web fixtures (a speaker-labelled transcript, captions, a hostile page); the app
and a live waitress server over it; a real Chromium for the browser tests."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kb.registry import Registry, load_registry

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ARTIFACTS = HERE / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def web_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's corpus (seeds and registries) with the web fixtures in a subfolder."""
    corpus = tmp_path_factory.mktemp("web") / "corpus"
    shutil.copytree(ROOT / "corpus", corpus, ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(HERE / "fixtures" / "corpus", corpus / "web-fixtures")
    return corpus


@pytest.fixture(scope="session")
def registry(web_corpus: Path) -> Registry:
    return load_registry(web_corpus)


@pytest.fixture(scope="session")
def index_dir(web_corpus: Path, registry: Registry) -> Path:
    import index
    import ingest

    target = web_corpus.parent / "index"
    changes, report = ingest.build_changes([web_corpus], {}, registry)
    assert report.failed == []
    index.apply_changes(target, changes)
    return target


@pytest.fixture(scope="session")
def library(index_dir: Path, registry: Registry) -> Iterator[Any]:
    from kb.search import Library

    lib = Library(index_dir, registry)
    yield lib
    lib.close()


@pytest.fixture(scope="session")
def passage_total(library: Any) -> int:
    """Passages in the fixture index, counted document by document. How ingest splits the seed
    pages is ingest's business; the web must report whatever total the documents add up to."""
    from kb.model import SearchRequest

    hits = library.search(SearchRequest(page_size=100)).hits
    return sum(len(library.document(hit.doc_id).passages) for hit in hits)


@pytest.fixture(scope="session")
def app(library: Any, registry: Registry) -> Flask:
    from web import create_app

    return create_app({"KB_LIBRARY": library, "KB_REGISTRY": registry, "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """A real waitress server on a free loopback port, as ``kb serve`` runs it."""
    import waitress

    from web import access_log

    server = waitress.create_server(access_log(app, _NullStream()), host="127.0.0.1", port=0,
                                    threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


class _NullStream:
    """Swallows the access log during tests."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"The browser tests need Chromium at {CHROMIUM} "
                    "(Debian: apt-get install chromium); it is missing.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember each phase's outcome on the test item, so a fixture can react to a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def new_page(browser: Any, request: pytest.FixtureRequest, **context_options: Any) -> Any:
    """A fresh browser context and page that saves a screenshot if the test fails."""
    context = browser.new_context(**context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()

    def _finish() -> None:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        context.close()

    request.addfinalizer(_finish)
    return page


@pytest.fixture
def make_page(browser: Any, request: pytest.FixtureRequest) -> Callable[..., Any]:
    """``make_page(**context_options)``: a page in a context of one's own (no JavaScript, a
    phone's viewport)."""
    return lambda **options: new_page(browser, request, **options)


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Any:
    return new_page(browser, request, viewport={"width": 1280, "height": 900})
