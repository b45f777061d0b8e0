"""`kb serve` with worker processes: every worker answers and follows a new ingest, and however
the server is stopped (SIGTERM, Ctrl-C to its process group, kill -9 of the supervisor) no
worker is left running; a worker that dies is replaced."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import cli
from tests.conftest import bench_module, copy_corpus
from tests.e2e.test_serve import Server, _get, add_twelfth_and_ingest, ingest

WORKERS = 2


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in found.read_text().split()] if found.exists() else []


def _alive(pid: int) -> bool:
    """Running (a zombie has exited: only its parent has yet to collect it)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except FileNotFoundError:
        return False
    return fields[0] != "Z"


def _wait_until(condition: object, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _fresh_connection_json(url: str) -> dict:
    """One request on a connection of its own, so the kernel may hand it to any worker."""
    request = urllib.request.Request(url, headers={"Connection": "close"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        return json.loads(response.read().decode("utf-8"))


@pytest.fixture
def workers_server(tmp_path: Path) -> Iterator[tuple[Server, Path, Path]]:
    corpus = copy_corpus(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    server = Server(corpus, index_dir, args=("--workers", str(WORKERS)), new_session=True)
    try:
        server.wait_ready()
        _wait_until(lambda: len(_children(server.proc.pid)) == WORKERS, "workers never started")
        yield server, corpus, index_dir
    finally:
        if server.proc.poll() is None:
            os.killpg(server.proc.pid, signal.SIGKILL)
            server.proc.communicate(timeout=20)


def test_workers_answer_and_a_sigterm_stops_every_one(
        workers_server: tuple[Server, Path, Path]) -> None:
    server, _, _ = workers_server
    workers = _children(server.proc.pid)
    passages = _fresh_connection_json(server.url + "/healthz")["passages"]
    answers = [_fresh_connection_json(server.url + "/api/search?q=Gurry") for _ in range(10)]
    assert {(a["total"], a["hits"][0]["source"]) for a in answers} == {
        (1, "003_c1b8a34cd238fc18.txt")}
    server.proc.send_signal(signal.SIGTERM)
    _, err = server.proc.communicate(timeout=30)
    assert server.proc.returncode == 0
    assert f"kb: 3 documents, {passages} passages, {WORKERS} workers. Open " in err
    assert err.splitlines()[-1] == f"kb: stopped (SIGTERM); all {WORKERS} workers have exited"
    assert [pid for pid in workers if _alive(pid)] == []


def test_ctrl_c_in_the_terminal_stops_every_worker(
        workers_server: tuple[Server, Path, Path]) -> None:
    """A terminal's Ctrl-C sends SIGINT to the whole process group, workers included."""
    server, _, _ = workers_server
    workers = _children(server.proc.pid)
    os.killpg(server.proc.pid, signal.SIGINT)
    _, err = server.proc.communicate(timeout=30)
    assert server.proc.returncode == 0
    assert err.splitlines()[-1] == f"kb: stopped (SIGINT); all {WORKERS} workers have exited"
    assert "Traceback" not in err
    assert [pid for pid in workers if _alive(pid)] == []


def test_workers_of_a_killed_server_stop_by_themselves(
        workers_server: tuple[Server, Path, Path]) -> None:
    """kill -9 of `kb serve` leaves nobody to stop the workers: each notices and exits, so no
    orphan keeps the port or the index open."""
    server, _, _ = workers_server
    workers = _children(server.proc.pid)
    server.proc.kill()
    server.proc.communicate(timeout=20)
    _wait_until(lambda: not any(_alive(pid) for pid in workers), "an orphaned worker still runs")
    with pytest.raises(OSError):
        _get(server.url + "/healthz")


def test_a_worker_that_dies_is_replaced(workers_server: tuple[Server, Path, Path]) -> None:
    server, _, _ = workers_server
    first, second = _children(server.proc.pid)
    os.kill(first, signal.SIGKILL)
    _wait_until(lambda: len(_children(server.proc.pid)) == WORKERS
                and first not in _children(server.proc.pid), "the dead worker was not replaced")
    replacement = (set(_children(server.proc.pid)) - {second}).pop()
    answers = [_fresh_connection_json(server.url + "/healthz")["documents"] for _ in range(10)]
    assert answers == [3] * 10
    server.proc.send_signal(signal.SIGTERM)
    _, err = server.proc.communicate(timeout=30)
    assert f"kb: worker {first} exited (killed by SIGKILL); starting another" in err
    assert [pid for pid in (second, replacement) if _alive(pid)] == []


def test_every_worker_follows_a_new_ingest(workers_server: tuple[Server, Path, Path]) -> None:
    """After `kb ingest`, thirty requests in a row, each on its own connection (so each may
    reach either worker), all find the new document: no worker keeps the old generation."""
    server, corpus, index_dir = workers_server
    add_twelfth_and_ingest(corpus, index_dir)
    in_a_row: list[dict] = []

    def thirty_in_a_row() -> bool:
        found = _fresh_connection_json(server.url + "/api/search?q=watermarking")
        in_a_row.append(found)
        if found["total"] != 1:
            in_a_row.clear()
        return len(in_a_row) == 30

    _wait_until(thirty_in_a_row, "a worker kept serving the old generation")
    assert {hit["source"] for found in in_a_row for hit in found["hits"]} == {"twelfth.md"}


def _json(connection: http.client.HTTPConnection, path: str) -> dict:
    connection.request("GET", path)
    return json.loads(connection.getresponse().read().decode("utf-8"))


def test_each_workers_first_request_after_an_ingest_answers_from_the_new_generation(
        workers_server: tuple[Server, Path, Path]) -> None:
    """One kept-alive connection held by each worker. While `kb ingest` runs, both keep asking
    (so each worker has just looked at the index when the ingest ends); the first request on
    each after the ingest returns already finds the new page, with no retry: no worker answers
    from the generation before, whether or not its background thread has prepared the new one."""
    server, corpus, index_dir = workers_server
    workers = _children(server.proc.pid)
    held: dict[int, http.client.HTTPConnection] = {}
    for _ in range(200):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        before = _json(connection, "/healthz")
        holder = bench_module("httpload").worker_holding(connection.sock, workers)
        if holder in workers and holder not in held:
            held[holder] = connection
        else:
            connection.close()
        if len(held) == WORKERS:
            break
    assert sorted(held) == sorted(workers)
    (corpus / "twelfth.md").write_text(
        "# Watermarking at the twelfth session\n\nThe twelfth session of the WIPO Conversation "
        "discussed watermarking and labelling of synthetic media.\n")
    env = {**os.environ, "KB_CORPUS": str(corpus), "KB_INDEX": str(index_dir)}
    ingesting = subprocess.Popen([sys.executable, "-m", "kb", "ingest"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    asked = 0
    while ingesting.poll() is None:
        for connection in held.values():
            _json(connection, "/api/search?q=copyright")
            asked += 1
    assert ingesting.returncode == 0 and asked >= WORKERS
    for connection in held.values():
        found = _json(connection, "/api/search?q=watermarking")
        health = _json(connection, "/healthz")
        assert ([hit["source"] for hit in found["hits"]], health["documents"]) == \
            (["twelfth.md"], 4)
        assert health["generation"] == before["generation"] + 1
        connection.close()


def test_a_server_started_on_a_half_copied_generation_serves_the_last_complete_one(
        tmp_path: Path) -> None:
    """The index folder is being copied in: its newest table of contents has arrived, the
    segment files it names have not. Every worker answers from the generation before; once the
    files are there, every worker moves to the new one."""
    corpus = copy_corpus(tmp_path / "corpus")
    source, copy = tmp_path / "source", tmp_path / "copy"
    ingest(corpus, source)
    shutil.copytree(source, copy)
    add_twelfth_and_ingest(corpus, source)
    shutil.copy(source / "_MAIN_2.toc", copy / "_MAIN_2.toc")

    server = Server(corpus, copy, index_flag=True, new_session=True,
                    args=("--workers", str(WORKERS), "--no-ingest"))
    try:
        assert server.wait_ready()["generation"] == 1
        answers = [_fresh_connection_json(server.url + "/api/search?q=watermarking")["total"]
                   for _ in range(10)]
        health = [_fresh_connection_json(server.url + "/healthz") for _ in range(10)]
        assert answers == [0] * 10
        assert {(h["generation"], h["documents"]) for h in health} == {(1, 3)}
        for path in source.iterdir():
            if not (copy / path.name).exists():
                shutil.copy(path, copy / path.name)
        in_a_row: list[dict] = []

        def thirty_in_a_row() -> bool:
            found = _fresh_connection_json(server.url + "/healthz")
            in_a_row.append(found)
            if (found["generation"], found["documents"]) != (2, 4):
                in_a_row.clear()
            return len(in_a_row) == 30

        _wait_until(thirty_in_a_row, "a worker stayed on the old generation")
        found = _fresh_connection_json(server.url + "/api/search?q=watermarking")
        assert [hit["source"] for hit in found["hits"]] == ["twelfth.md"]
    finally:
        server.proc.send_signal(signal.SIGTERM)
        _, err = server.proc.communicate(timeout=30)
    assert "the newest generation does not open (generation 2: FileNotFoundError: " in err
    assert "reading generation 1, the last complete one" in err


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("KB_WORKERS", "abc", "Error: KB_WORKERS must be a whole number, got 'abc'"),
    ("KB_WORKERS", "-3", "Error: KB_WORKERS must be between 0 and 64, got -3"),
    ("KB_THREADS", "0", "Error: KB_THREADS must be between 1 and 64, got 0"),
    ("KB_PORT", "99999", "Error: KB_PORT must be between 0 and 65535, got 99999"),
])
def test_a_bad_serve_setting_in_the_environment_is_a_usage_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str,
        message: str) -> None:
    """The environment gets the checks the flags get from click: exit 2, no traceback."""
    monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(cli, ["--corpus", str(copy_corpus(tmp_path / "corpus")),
                                      "--index", str(tmp_path / "index"), "serve",
                                      "--no-ingest"])
    assert (result.exit_code, result.stderr.splitlines()) == (2, [message])
