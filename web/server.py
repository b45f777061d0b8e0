"""The production server ``kb serve`` runs: waitress, set so slow or idle clients cannot take it.

Waitress out of the box accepts 100 connections and has no limit on how long a client may take
to send its headers, so 110 connections trickling partial headers (slowloris) left no room for
anyone else. Here the connection limit is raised well past that (with ``poll()`` rather than
``select()``, which stops at 1,024 sockets), idle connections are reaped sooner, and a request
whose headers have not arrived within :data:`HEADER_TIMEOUT` seconds is closed.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Mapping
from typing import Any, cast

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

#: Seconds a client may take to send a request's headers, from connecting (first request) or
#: from the request's first byte (later requests on a kept-alive connection).
HEADER_TIMEOUT = 10

#: waitress adjustments (see its documentation); ``threads``, ``host`` and ``port`` are added.
SERVER_SETTINGS: dict[str, Any] = {
    "connection_limit": 1000,  # open connections; past it, new ones wait in the backlog
    "backlog": 1024,  # connections the kernel queues while the limit is reached
    "asyncore_use_poll": True,  # select() fails past 1,024 open sockets
    "channel_timeout": 30,  # seconds an idle connection is kept open
    "cleanup_interval": 5,  # seconds between two sweeps for idle connections
    "ident": "kb",  # the Server header
}

Server = BaseWSGIServer | MultiSocketServer


class _HeaderTimeoutChannel(HTTPChannel):
    """waitress's connection with a deadline for each request's headers.

    The clock is checked in ``readable()``, which the event loop calls for every connection
    at least once a second; closing is waitress's own ``will_close``, as its idle sweep does.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_clock: float | None = time.monotonic()

    def received(self, data: bytes) -> bool:
        if self.request is None and self._header_clock is None and data:
            self._header_clock = time.monotonic()
        outcome = super().received(data)
        if self.request is None or self.request.headers_finished:
            self._header_clock = None
        return outcome

    def readable(self) -> bool:
        if (self._header_clock is not None and not self.requests
                and time.monotonic() - self._header_clock > HEADER_TIMEOUT):
            self.will_close = True
        return super().readable()


def listen(host: str, port: int) -> list[socket.socket]:
    """Listening sockets for ``host:port`` (one per address ``host`` resolves to), bound here
    so the caller can report a taken port before announcing an address, and so every worker
    process of ``kb serve`` accepts on the same sockets.

    :raises OSError: the address cannot be listened on (``errno.EADDRINUSE``: the port is
        taken).
    """
    sockets: list[socket.socket] = []
    try:
        # waitress's stubs say ``listen`` holds strings; it holds getaddrinfo's tuples.
        addresses = cast("list[tuple[int, int, int, tuple[Any, ...]]]",
                         Adjustments(host=host, port=port).listen)
        for family, kind, proto, address in addresses:
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            # As waitress does for the sockets it binds itself: a restart can reuse the port
            # at once, yet a port another program listens on is still refused.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(SERVER_SETTINGS["backlog"])
            if port == 0:  # every address on the one port the first was given
                port = sock.getsockname()[1]
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def make_server(app: Callable[..., Any], sockets: list[socket.socket], threads: int,
                workers: int = 1) -> Server:
    """A waitress server accepting on ``sockets`` (from :func:`listen`; call ``run()``).

    With ``workers`` processes accepting on the same sockets, each takes its share of the
    connection limit, so together they hold at most ``connection_limit`` connections.
    """
    settings = {**SERVER_SETTINGS,
                "connection_limit": -(-SERVER_SETTINGS["connection_limit"] // max(1, workers))}
    server = create_server(app, sockets=sockets, threads=threads, **settings)
    if isinstance(server, BaseWSGIServer):
        listeners = [server]
    else:
        # The map holds waitress's dispatchers by file descriptor (its stubs say sockets).
        dispatchers: Mapping[int, object] = server.map or {}
        listeners = [s for s in dispatchers.values() if isinstance(s, BaseWSGIServer)]
    for listener in listeners:
        listener.channel_class = _HeaderTimeoutChannel
    return server


def bound_port(sockets: list[socket.socket]) -> int:
    """The port the sockets listen on (the one the OS chose, for ``port=0``)."""
    return int(sockets[0].getsockname()[1])
