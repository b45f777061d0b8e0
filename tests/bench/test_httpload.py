"""bench/httpload.py's lean HTTP client reads what the servers it measures send: answers on one
kept-alive connection, a ``Connection: close`` (it reconnects), and it refuses an answer it
cannot delimit rather than miscounting it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import bench_module

httpload = bench_module("httpload")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    connections: list[int] = []

    def setup(self) -> None:
        super().setup()
        _Handler.connections.append(self.client_address[1])

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook's name
        if self.path == "/unsized":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"no length")
            return
        body = (self.path * 3000).encode() if self.path.startswith("/big") else self.path.encode()
        self.send_response(404 if self.path == "/missing" else 200)
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/last":
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def port() -> Iterator[int]:
    _Handler.connections = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_answers_on_one_kept_alive_connection(port: int) -> None:
    connection = httpload.Connection(port)
    assert connection.get(httpload.request("/a?q=x%20y")) == (200, b"/a?q=x%20y")
    assert connection.get(httpload.request("/missing")) == (404, b"/missing")
    big = connection.get(httpload.request("/big"))
    assert big == (200, b"/big" * 3000)
    assert len(_Handler.connections) == 1
    connection.close()


def test_reconnects_after_connection_close(port: int) -> None:
    connection = httpload.Connection(port)
    assert connection.get(httpload.request("/last")) == (200, b"/last")
    assert connection.get(httpload.request("/next")) == (200, b"/next")
    assert len(_Handler.connections) == 2
    connection.close()


def test_refuses_an_answer_without_a_length(port: int) -> None:
    connection = httpload.Connection(port)
    with pytest.raises(httpload.ProtocolError, match="without Content-Length"):
        connection.get(httpload.request("/unsized"))
    assert connection.get(httpload.request("/after")) == (200, b"/after")
    connection.close()


def test_run_load_counts_every_answer(port: int) -> None:
    load = httpload.run_load(port, "/q?", ["a", "b c"], clients=2, duration=0.2)
    assert load.errors == 0
    assert load.requests == len(load.latencies) > 0
