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
