"""A WSGI access log, so that ``kb serve`` shows every request without Flask's dev server."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from typing import Any, TextIO

_StartResponse = Callable[..., Any]
_App = Callable[[dict[str, Any], _StartResponse], Iterable[bytes]]


def access_log(app: _App, stream: TextIO | None = None) -> _App:
    """Wrap ``app`` so that each request writes ``METHOD /path?query STATUS 12.3ms`` to stderr.

    It sits outside Flask so that it also times errors and static files, and it measures until
    the body is fully sent, which is what a user waits for.
    """

    def logged(environ: dict[str, Any], start_response: _StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status = ["-"]

        def record_status(code: str, headers: Any, exc_info: Any = None) -> Any:
            status[0] = code.split(" ", 1)[0]
            return start_response(code, headers, exc_info) if exc_info else start_response(
                code, headers
            )

        body = app(environ, record_status)
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            _write(environ, status[0], time.perf_counter() - started, stream or sys.stderr)

    return logged


def _write(environ: dict[str, Any], status: str, seconds: float, stream: TextIO) -> None:
    path = environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    target = f"{path}?{query}" if query else path
    if len(target) > 300:
        target = target[:300] + "…"
    method = environ.get("REQUEST_METHOD", "-")
    stream.write(f"{method} {target} {status} {seconds * 1000:.1f}ms\n")
    stream.flush()
