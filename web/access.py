"""A WSGI access log, so that ``kb serve`` shows every request without Flask's dev server."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from kb.output import one_line

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
    path = _text(environ.get("PATH_INFO", ""))
    query = _text(environ.get("QUERY_STRING", ""))
    target = f"{path}?{query}" if query else path
    if len(target) > 300:
        target = target[:300] + "…"
    method = _text(environ.get("REQUEST_METHOD", "-"))
    # The path arrives percent-decoded: %0a would start a forged log line and %1b would reach
    # the terminal raw, so every field is shown through the same sanitiser as the CLI's output.
    line = " ".join(one_line(field) for field in (method, target, status))
    stream.write(f"{line} {seconds * 1000:.1f}ms\n")
    stream.flush()


def _text(value: str) -> str:
    """A WSGI string (bytes carried as latin-1) as the UTF-8 text it was, so that
    ``/doc/café`` logs as typed; bytes that are not UTF-8 show as U+FFFD."""
    try:
        return value.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return value
