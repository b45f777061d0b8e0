"""The access log that ``kb serve`` wraps around the app: one line per request."""

from __future__ import annotations

import io
import re

from flask import Flask
from werkzeug.test import Client

from web import access_log


def _app() -> Flask:
    app = Flask("t")
    app.add_url_rule("/ok", "ok", lambda: "fine")
    return app


def test_one_line_per_request_with_method_path_status_and_time() -> None:
    stream = io.StringIO()
    client = Client(access_log(_app().wsgi_app, stream))
    assert client.get("/ok?q=a").get_data() == b"fine"
    assert client.get("/missing").status_code == 404
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"GET /ok\?q=a 200 \d+\.\dms", lines[0])
    assert re.fullmatch(r"GET /missing 404 \d+\.\dms", lines[1])


def test_a_newline_in_the_path_cannot_forge_a_log_line() -> None:
    stream = io.StringIO()
    client = Client(access_log(_app().wsgi_app, stream))
    client.get("/ok%0aGET /admin 200 0.1ms")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert re.fullmatch(r"GET /ok\\nGET /admin 200 0\.1ms 404 \d+\.\dms", lines[0])


def test_escape_sequences_in_the_path_and_query_are_shown_not_sent() -> None:
    stream = io.StringIO()
    client = Client(access_log(_app().wsgi_app, stream))
    client.get("/x%1b]0;pwned%07%1b[2J", environ_overrides={"QUERY_STRING": "q=\x1b[31m"})
    line = stream.getvalue()
    assert "\x1b" not in line and "\x07" not in line
    assert re.fullmatch(r"GET /x\\x1b]0;pwned\\x07\\x1b\[2J\?q=\\x1b\[31m 404 \d+\.\dms\n", line)


def test_utf8_paths_log_as_typed() -> None:
    stream = io.StringIO()
    Client(access_log(_app().wsgi_app, stream)).get("/caf%C3%A9%ff")
    assert re.fullmatch(r"GET /café\ufffd 404 \d+\.\dms\n", stream.getvalue())
