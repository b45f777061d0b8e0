"""A running server keeps answering while ingests commit: merging commits and a full rebuild
delete the files of the generation the server is reading, and no request may fail for it."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from kb.cli import cli
from tests.conftest import copy_corpus
from tests.e2e.test_serve import Server

QUERIES = ["/api/search?q=copyright", "/api/search?q=training+data&group=flat&size=20",
           "/api/search?q=Gurry", "/api/search?size=50", "/search?q=copyright+OR+extra"]


def _ingest(corpus: Path, index_dir: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["--corpus", str(corpus), "--index", str(index_dir),
                                      "ingest", *args])
    assert result.exit_code == 0, result.output


def _generation(server: Server) -> int:
    with urllib.request.urlopen(server.url + "/healthz", timeout=10) as response:  # noqa: S310
        return int(json.loads(response.read())["generation"])


def _statuses(server: Server, paths: list[str]) -> Counter[int]:
    statuses: Counter[int] = Counter()
    for path in paths:
        try:
            with urllib.request.urlopen(server.url + path, timeout=30) as response:  # noqa: S310
                response.read()
                statuses[response.status] += 1
        except urllib.error.HTTPError as error:
            statuses[error.code] += 1
    return statuses


def test_requests_never_fail_during_merging_commits_and_a_rebuild(tmp_path: Path) -> None:
    corpus, index_dir = copy_corpus(tmp_path / "corpus"), tmp_path / "index"
    _ingest(corpus, index_dir)
    server = Server(corpus, index_dir)
    try:
        server.wait_ready()
        with urllib.request.urlopen(server.url + "/api/search?size=50",  # noqa: S310
                                    timeout=10) as response:
            hits = json.loads(response.read())["hits"]
        paths = QUERIES + [f"/api/doc/{h['doc_id']}" for h in hits]
        statuses: Counter[int] = Counter()
        for number in range(8):
            # The server moves to the current generation (/healthz reads no stored field),
            # then a commit merges segments (or, the sixth time, rebuilds everything) and
            # deletes that generation's files before the server's searcher has read them; the
            # server keeps that searcher for up to a second, and every request in it must work.
            seen = _generation(server)
            (corpus / f"extra_{number}.txt").write_text(
                f"Extra note {number}\n\nA short note on copyright and extra training data, "
                f"number {number}, to make one more small commit.\n", encoding="utf-8")
            _ingest(corpus, index_dir, *(["--full"] if number == 5 else []))
            statuses += _statuses(server, paths)
            while _generation(server) == seen:
                time.sleep(0.05)
    finally:
        err = server.stop()
    assert statuses == Counter({200: 8 * len(paths)}), err[-3000:]
    assert "Traceback" not in err
