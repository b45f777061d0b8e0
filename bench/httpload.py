"""A bounded HTTP load generator and the server processes it measures, on 127.0.0.1.

Each of ``clients`` threads keeps one HTTP/1.1 connection and sends GET requests one after
another (a closed loop: a client waits for its answer before asking again) until ``duration``
seconds have passed, so a level costs ``duration`` seconds plus the slowest request in flight,
whatever the server does. Requests/s is the number of complete answers over that time; p99 is
over every answer. The generator runs on the same two cores as the server it measures, and
says so; its own cost per request is the same for every server.

That cost is kept small (:class:`Connection`): a request is bytes built before the clock starts,
sent on a plain socket, and an answer is read up to its ``Content-Length`` without parsing its
headers into objects, as ``http.client`` does. On two cores shared with the server, what the
generator spends is CPU the server does not get (bench/serve.py prints both per request).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote


@dataclass
class Load:
    """One load level against one server."""

    clients: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def p99(self) -> float:
        return percentile(self.latencies, 0.99)

    def summary(self) -> dict[str, float | int]:
        return {"clients": self.clients, "requests": self.requests, "errors": self.errors,
                "seconds": round(self.seconds, 3), "per_second": round(self.per_second, 1),
                "p50_ms": round(percentile(self.latencies, 0.5) * 1000, 1),
                "p99_ms": round(self.p99() * 1000, 1)}


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Connection:
    """One kept-alive HTTP/1.1 connection to 127.0.0.1 that sends GET requests built in advance
    (:func:`request`) and reads each answer whole: the status line, the headers up to the blank
    line, then ``Content-Length`` bytes of body. It reconnects by itself after a failure or a
    ``Connection: close``. Every server measured here sends a length with each answer; one
    without raises :class:`ProtocolError`.
    """

    def __init__(self, port: int, timeout: float = 60) -> None:
        self.port, self.timeout = port, timeout
        self._socket: socket.socket | None = None
        self._buffer = b""

    def get(self, request: bytes) -> tuple[int, bytes]:
        """Send ``request`` and return the answer's (status, body)."""
        try:
            if self._socket is None:
                self._socket = socket.create_connection(("127.0.0.1", self.port), self.timeout)
                self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._socket.sendall(request)
            return self._answer()
        except OSError:
            self.close()
            raise

    def _answer(self) -> tuple[int, bytes]:
        end = self._buffer.find(b"\r\n\r\n")
        while end < 0:
            self._buffer += self._receive()
            end = self._buffer.find(b"\r\n\r\n")
        head, self._buffer = self._buffer[:end].lower(), self._buffer[end + 4:]
        status = int(head[9:12])
        found = _LENGTH.search(head)
        if found is None:
            raise ProtocolError(f"an answer without Content-Length: {head[:200]!r}")
        length = int(found.group(1))
        while len(self._buffer) < length:
            self._buffer += self._receive()
        body, self._buffer = self._buffer[:length], self._buffer[length:]
        if b"\r\nconnection: close" in head:
            self.close()
        return status, body

    def _receive(self) -> bytes:
        assert self._socket is not None
        data = self._socket.recv(262144)
        if not data:
            raise ConnectionResetError("the server closed the connection mid-answer")
        return data

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
        self._socket, self._buffer = None, b""


class ProtocolError(OSError):
    """An answer this load generator cannot read (no Content-Length)."""


_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)")


def request(path: str) -> bytes:
    """A GET request for ``path`` (already %-encoded), ready to send on a :class:`Connection`."""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode("ascii")


def run_load(port: int, path: str, queries: list[str], clients: int, duration: float) -> Load:
    """``clients`` closed-loop clients sending ``path + quote(query)`` for ``duration`` s."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start = threading.Barrier(clients + 1)
    deadline = [0.0]
    requests = [request(path + quote(query)) for query in queries]

    def client(number: int) -> None:
        connection = Connection(port)
        start.wait()
        i = number * 7
        while time.perf_counter() < deadline[0]:
            sent = time.perf_counter()
            try:
                ok = connection.get(requests[i % len(requests)])[0] == 200
            except OSError:
                ok = False
            i += 1
            if ok:
                latencies[number].append(time.perf_counter() - sent)
            else:
                errors[number] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + duration
    start.wait()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    flat = [t for per_client in latencies for t in per_client]
    return Load(clients, len(flat), sum(errors), seconds, flat)


def warm(port: int, path: str, queries: list[str]) -> None:
    """Send each query once, one after another (a server's first answers, not measured)."""
    connection = Connection(port, timeout=300)
    try:
        for query in queries:
            connection.get(request(path + quote(query)))
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """A server process started with ``command`` (which must listen on ``port``), its output
    in ``log``; ready once ``ready_path`` answers 200."""

    def __init__(self, name: str, command: list[str], port: int, log: Path,
                 cwd: Path, env: dict[str, str] | None = None) -> None:
        self.name, self.command, self.port, self.log = name, command, port, log
        self._log = log.open("wb")
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT,
                                        cwd=cwd, env=env, start_new_session=True)

    def wait_ready(self, ready_path: str, timeout: float) -> float:
        """Seconds until ``ready_path`` answered 200; raises with the log if it never does."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                break
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                connection.request("GET", ready_path)
                response = connection.getresponse()
                response.read()
                connection.close()
                if response.status == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise SystemExit(f"{self.name} did not answer {ready_path} on port {self.port}:\n"
                         + self.log.read_text(errors="replace")[-3000:])

    def rss_mb(self) -> float:
        """Resident memory of the server and every process it started, in MB."""
        return sum(_rss(pid) for pid in _tree(self.process.pid)) / 1e6

    def stop(self) -> None:
        """Stop the server's process group (it was started in a session of its own, so this
        reaches worker processes it forked, and nothing else)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


def _tree(pid: int) -> list[int]:
    pids, i = [pid], 0
    while i < len(pids):
        for task in Path(f"/proc/{pids[i]}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                pids.extend(int(child) for child in task.read_text().split())
        i += 1
    return pids


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass
class Memory:
    """One process's memory in MB: resident (RSS), its proportional share of pages shared with
    other processes (PSS: a page mapped by two workers counts half in each) and what only it
    holds (USS). The index's memory-mapped files are shared, so RSS counts them in every
    worker and PSS splits them."""

    rss: float
    pss: float
    uss: float

    def line(self) -> str:
        return f"RSS {self.rss:.0f} MB, PSS {self.pss:.0f} MB, USS {self.uss:.0f} MB"


def memory(pid: int) -> Memory:
    """From /proc/<pid>/smaps_rollup (Linux 4.14 and later); RSS alone, from /proc/<pid>/status,
    where it is missing (PSS and USS then read as RSS)."""
    fields: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, _, value = line.partition(":")
            fields[name] = int(value.split()[0])
    except (OSError, ValueError):
        rss = _rss(pid) / 1e6
        return Memory(rss, rss, rss)
    return Memory(fields["Rss"] / 1024, fields["Pss"] / 1024,
                  (fields["Private_Clean"] + fields["Private_Dirty"]) / 1024)


def worker_holding(client: socket.socket, pids: list[int]) -> int | None:
    """Which of ``pids`` holds the server side of ``client``, a connected loopback TCP socket
    (IPv4): the socket whose addresses are the client's reversed, found in /proc/net/tcp,
    then among the processes' open files. None when none does (not accepted yet)."""
    server_port, client_port = client.getpeername()[1], client.getsockname()[1]
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if (int(fields[1].rsplit(":", 1)[1], 16), int(fields[2].rsplit(":", 1)[1], 16)) == \
                (server_port, client_port):
            inode = fields[9]
            break
    if inode is None:
        return None
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
    return None


def cores() -> int:
    return len(os.sched_getaffinity(0))
