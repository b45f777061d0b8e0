"""`kb serve --workers 1` opens the index once: the banner's counts and every request share one
Library, so the per-generation caches the first search builds are built once (issue #10)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from werkzeug.test import Client

import kb.search
import web.server
from kb.cli import cli
from tests.conftest import copy_corpus


class _OneShotServer:
    """Stands in for waitress: answers a few requests through the served WSGI app, then stops."""

    def __init__(self, app: Any, answers: list[tuple[str, int, Any]]) -> None:
        self.app, self.answers = app, answers

    def run(self) -> None:
        client = Client(self.app)
        for url in ("/healthz", "/api/search?q=Gurry", "/search?q=copyright", "/healthz"):
            response = client.get(url)
            body = json.loads(response.get_data(as_text=True)) if "json" in \
                response.headers.get("Content-Type", "") else None
            self.answers.append((url, response.status_code, body))


def test_serve_opens_the_index_once_for_the_banner_and_every_request(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    base = ["--corpus", str(corpus), "--index", str(tmp_path / "ix")]
    assert CliRunner().invoke(cli, [*base, "ingest"]).exit_code == 0

    opened: list[Path] = []
    real_open = kb.search.open_index

    def counting_open(index_dir: Path) -> Any:
        opened.append(Path(index_dir))
        return real_open(index_dir)

    answers: list[tuple[str, int, Any]] = []
    monkeypatch.setattr(kb.search, "open_index", counting_open)
    monkeypatch.setattr(web.server, "make_server",
                        lambda app, sockets, threads: _OneShotServer(app, answers))
    monkeypatch.setattr(web.server, "bound_port", lambda sockets: 5123)

    result = CliRunner().invoke(cli, [*base, "serve", "--no-ingest", "--workers", "1",
                                      "--port", "0"])
    assert result.exit_code == 0, result.output
    assert "kb: 3 documents, " in result.stderr
    assert "Open http://127.0.0.1:5123/" in result.stderr
    assert [(url, status) for url, status, _ in answers] == [
        ("/healthz", 200), ("/api/search?q=Gurry", 200), ("/search?q=copyright", 200),
        ("/healthz", 200)]
    assert answers[0][2]["documents"] == 3
    assert answers[1][2]["total"] == 1
    assert opened == [tmp_path / "ix"]
