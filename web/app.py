"""The app factory: configuration, the shared Library, security headers and the error handler."""

from __future__ import annotations

import logging
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from kb import config
from kb.output import json_bytes
from kb.search import KbIndexError
from web import filters
from web.api import bp as api_bp
from web.backend import Backend
from web.pages import bp as pages_bp
from web.research_routes import api as research_api_bp
from web.research_routes import pages as research_pages_bp
from web.speakers import bp as speakers_bp

#: Sent with every response: no inline script or style, nothing from other origins.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

_log = logging.getLogger(__name__)


class _InOrderJSON(DefaultJSONProvider):
    """Flask's JSON with keys in the order the records give them (id first, then the text),
    so a response reads like ``kb search --json``; a response is written by
    kb.output.json_bytes (UTF-8, with the characters a terminal would act on escaped, as the
    CLI writes them), which takes a search's records as they are, several times faster than
    the standard library's encoder over their dicts."""

    sort_keys = False

    def response(self, *args: Any, **kwargs: Any) -> Response:
        if self.compact is False or (self.compact is None and self._app.debug):
            # Indented, for reading while debugging.
            return cast(Response, super().response(*args, **kwargs))
        body = json_bytes(self._prepare_response_obj(args, kwargs), default=self.default)
        return Response(body + b"\n", mimetype=self.mimetype)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app. Config: ``KB_INDEX`` and ``KB_CORPUS`` (paths; by default from kb.config,
    i.e. the environment variables of the same names, so any WSGI server can run
    ``web:create_app()``), or ``KB_LIBRARY`` (a ready Library, for tests) with an optional
    ``KB_REGISTRY``.

    The Library is opened on first use rather than here, so that ``kb serve`` starts (and
    ``/healthz`` can say what is wrong) even before the first ingest has built an index.
    """
    app = Flask(__name__)
    app.config.from_mapping(KB_INDEX=config.resolve("index"), KB_CORPUS=config.resolve("corpus"),
                            KB_LIBRARY=None, KB_REGISTRY=None)
    if test_config:
        app.config.from_mapping(test_config)
    app.json = _InOrderJSON(app)
    app.extensions["kb"] = Backend(app.config)
    filters.register(app)
    app.register_blueprint(pages_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(speakers_bp)
    app.register_blueprint(research_pages_bp)
    app.register_blueprint(research_api_bp)
    app.after_request(_security_headers)
    app.after_request(_relative_location)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(KbIndexError, _handle_index_error)
    app.register_error_handler(Exception, _handle_unexpected)
    return app


def _security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _relative_location(response: Response) -> Response:
    """Make every redirect relative to the app (``/search?q=a``, never ``http://evil/...``).

    Werkzeug builds the Location of its own redirects (``//search`` -> ``/search``) from the
    request's Host header, which any client can forge; kb only ever redirects within itself,
    so the scheme and host are dropped and the browser resolves the path against the address
    it actually asked.
    """
    location = response.headers.get("Location")
    if location:
        parts = urlsplit(location)
        if parts.scheme or parts.netloc:
            path = "/" + parts.path.lstrip("/")  # "//evil" would still name another host
            response.headers["Location"] = urlunsplit(("", "", path, parts.query,
                                                       parts.fragment))
    return response


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _handle_http_error(error: HTTPException) -> Response | HTTPException:
    if error.code is None or error.code < 400:
        return error
    if _wants_json():
        response = jsonify({"error": {"status": error.code, "title": error.name,
                                      "detail": error.description}})
    else:
        response = Response(render_template("error.html", error=error), mimetype="text/html")
    response.status_code = error.code
    # Keep what the error says in its headers (a 405's Allow, a 503's Retry-After).
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _handle_index_error(error: KbIndexError) -> Response | HTTPException:
    """No index yet, or a damaged one: the index's message already says what to do."""
    return _handle_http_error(ServiceUnavailable(str(error)))


def _handle_unexpected(error: Exception) -> Response | HTTPException:
    _log.exception("unexpected error on %s", request.path)
    wrapped = InternalServerError("Something went wrong on our side; the error has been logged.")
    return _handle_http_error(wrapped)
