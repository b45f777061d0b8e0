"""`kb serve` against hostile clients and a busy port, on a real server on 127.0.0.1: slow
clients (slowloris) cannot deny service, forged request paths cannot forge log lines, and a
port already in use is a message with its own exit code, not a traceback."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import copy_corpus
from tests.e2e.test_serve import Server, _get
from web.server import HEADER_TIMEOUT

#: More than waitress's default limit of 100 connections, which is what the audit used.
SLOW_CLIENTS = 200


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("serve")
    running = Server(copy_corpus(base / "corpus"), base / "index")
    try:
        running.wait_ready()
        yield running
    finally:
        if running.proc.poll() is None:
            running.stop()


def _slow_client(port: int) -> socket.socket:
    """A connection that has sent a request line and one header, and never finishes."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    return sock


def _closed_by_server(sock: socket.socket, within: float, trickle: bool) -> bool:
    """Whether the server closes ``sock`` before ``within`` seconds pass; with ``trickle``,
    one more header byte is sent each half second, so the connection is never idle."""
    deadline = time.monotonic() + within
    sock.settimeout(0.5)
    while time.monotonic() < deadline:
        try:
            if sock.recv(1024) == b"":
                return True
        except TimeoutError:
            pass
        except ConnectionResetError:
            return True
        if trickle:
            try:
                sock.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                return True
    return False


def test_slow_clients_do_not_deny_service(server: Server) -> None:
    port = server.port
    slow = [_slow_client(port) for _ in range(SLOW_CLIENTS)]
    try:
        # Every slow client is connected and holding its connection open.
        status, body = _get(server.url + "/healthz")
        assert status == 200
        assert '"status":"ok"' in body.replace(" ", "")
        status, _ = _get(server.url + "/search?q=Gurry")
        assert status == 200
    finally:
        for sock in slow:
            sock.close()


def test_a_request_whose_headers_never_end_is_closed(server: Server) -> None:
    """Even a client that keeps sending (so it is never idle) loses its connection once its
    headers have taken longer than HEADER_TIMEOUT seconds; the server keeps answering."""
    sock = _slow_client(server.port)
    try:
        assert _closed_by_server(sock, HEADER_TIMEOUT + 8, trickle=True)
    finally:
        sock.close()
    assert _get(server.url + "/healthz")[0] == 200


def test_a_forged_log_line_is_shown_escaped(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET /healthz%0aGET%20/admin%20200%201.0ms%1b]0;pwned%07 HTTP/1.1\r\n"
                     b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
        while sock.recv(65536):
            pass
    log = server.stop()
    assert "\x1b" not in log and "\x07" not in log
    forged = [line for line in log.splitlines() if "admin" in line]
    assert len(forged) == 1
    assert forged[0].startswith("GET /healthz\\nGET /admin 200 1.0ms\\x1b]0;pwned\\x07 404 ")


def test_a_busy_port_is_a_clear_error_with_its_own_exit_code(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "KB_CORPUS": str(corpus), "KB_INDEX": str(tmp_path / "index")}
        done = subprocess.run([sys.executable, "-m", "kb", "serve", "--port", str(port)],
                              env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 7
    assert "Traceback" not in done.stderr
    assert "Open http" not in done.stderr
    assert done.stderr.splitlines()[-2:] == [
        f"Error: port {port} on 127.0.0.1 is already in use by another program",
        f"  hint: choose another port: kb serve --port {port + 1}",
    ]


def test_port_zero_serves_on_a_free_port_and_says_which(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    env = {**os.environ, "KB_CORPUS": str(corpus), "KB_INDEX": str(tmp_path / "index")}
    proc = subprocess.Popen([sys.executable, "-m", "kb", "serve", "--port", "0"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        announced = ""
        for line in proc.stderr:  # ends if kb serve exits
            if "Open http://" in line:
                announced = line
                break
        match = re.search(r"Open http://127\.0\.0\.1:(\d+)/ ", announced)
        assert match, announced
        port = int(match.group(1))
        assert port != 0
        assert _get(f"http://127.0.0.1:{port}/healthz")[0] == 200
    finally:
        proc.terminate()
        proc.communicate(timeout=20)
