"""`kb serve`, the README's main job: ingest when the index is missing or stale, then serve."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import copy_corpus


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
        return response.status, response.read().decode("utf-8")


class Server:
    def __init__(self, corpus: Path, index_dir: Path, *, index_flag: bool = False,
                 args: tuple[str, ...] = (), new_session: bool = False) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "KB_CORPUS": str(corpus), "KB_INDEX": str(index_dir)}
        extra = []
        if index_flag:
            env["KB_INDEX"] = str(index_dir.parent / "not-this-one")
            extra = ["--index", str(index_dir)]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kb", "serve", "--port", str(self.port), *extra, *args],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=new_session)

    def wait_ready(self) -> dict:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"kb serve exited: {self.proc.communicate()}")
            try:
                return json.loads(_get(self.url + "/healthz")[1])
            except OSError:
                time.sleep(0.2)
        raise AssertionError("kb serve did not answer within 60 s")

    def stop(self) -> str:
        self.proc.terminate()
        _, err = self.proc.communicate(timeout=20)
        return err


def ingest(corpus: Path, index_dir: Path) -> None:
    """`kb ingest` in a process of its own, as a user runs it beside the server."""
    env = {**os.environ, "KB_CORPUS": str(corpus), "KB_INDEX": str(index_dir)}
    done = subprocess.run([sys.executable, "-m", "kb", "ingest"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def add_twelfth_and_ingest(corpus: Path, index_dir: Path) -> None:
    """A page about watermarking (the only one) added to the corpus and ingested."""
    (corpus / "twelfth.md").write_text(
        "# Watermarking at the twelfth session\n\nThe twelfth session of the WIPO Conversation "
        "discussed watermarking and labelling of synthetic media.\n")
    ingest(corpus, index_dir)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Server, Path, Path]]:
    corpus = copy_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    server = Server(corpus, index_dir)
    try:
        yield server, corpus, index_dir
    finally:
        if server.proc.poll() is None:
            server.stop()


def test_serve_ingests_a_missing_index_then_answers(served: tuple[Server, Path, Path]) -> None:
    server, _, index_dir = served
    health = server.wait_ready()
    assert health["status"] == "ok"
    assert health["documents"] == 3
    status, page = _get(server.url + "/search?q=Gurry")
    assert status == 200
    assert "<mark>Gurry</mark>" in page
    status, body = _get(server.url + "/api/search?q=PATENTSCOPE")
    assert json.loads(body)["total"] == 0
    log = server.stop()
    assert "is missing or older than" in log
    assert "Ingest: 3 added" in log
    assert f"Open http://127.0.0.1:{server.port}/" in log
    assert "GET /search?q=Gurry 200" in log
    assert index_dir.is_dir()


def test_serve_reingests_when_the_corpus_changed(served: tuple[Server, Path, Path]) -> None:
    server, corpus, _ = served
    server.wait_ready()
    server.stop()
    (corpus / "new-page.md").write_text(
        "# Synthetic media at the twelfth session\n\nThe twelfth session of the WIPO "
        "Conversation discussed deepfakes, digital replicas and watermarking.\n")
    again = Server(corpus, served[2])
    try:
        assert again.wait_ready()["documents"] == 4
        data = json.loads(_get(again.url + "/api/search?q=deepfakes")[1])
        assert [h["source"] for h in data["hits"]] == ["new-page.md"]
        assert data["hits"][0]["sessions"] == [12]
    finally:
        log = again.stop()
    assert "Ingest: 1 added, 0 updated, 0 removed, 4 unchanged" in log


def test_a_running_server_picks_up_a_new_ingest(served: tuple[Server, Path, Path]) -> None:
    server, corpus, index_dir = served
    assert server.wait_ready()["documents"] == 3
    add_twelfth_and_ingest(corpus, index_dir)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        data = json.loads(_get(server.url + "/api/search?q=watermarking")[1])
        if data["total"]:
            break
        time.sleep(0.3)
    assert [h["source"] for h in data["hits"]] == ["twelfth.md"]
    assert json.loads(_get(server.url + "/healthz")[1])["documents"] == 4


def test_serve_index_flag_beats_the_environment(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    server = Server(corpus, tmp_path / "flagged", index_flag=True)
    try:
        assert server.wait_ready()["documents"] == 3
    finally:
        server.stop()
    assert (tmp_path / "flagged").is_dir()
    assert not (tmp_path / "not-this-one").exists()
