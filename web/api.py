"""The JSON API: the same data functions as the pages, serialised with the records' to_dict()."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from web import searching, views
from web.backend import backend
from web.openapi import openapi_document

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search() -> Response:
    """Exactly the shape of ``kb search --format json``: SearchResult.to_dict(), its hits and
    facet values handed to the encoder as records (see SearchResult.to_dict)."""
    _, result = searching.run_search()
    return jsonify(result.to_dict(records=True))


@bp.get("/api/doc/<path:doc_id>")
def document(doc_id: str) -> Response:
    return jsonify(views.get_document(doc_id).to_dict())


@bp.get("/api/sessions")
def sessions() -> Response:
    return jsonify({"sessions": views.sessions_overview()})


@bp.get("/api/topics")
def topics() -> Response:
    return jsonify({"topics": views.topics_overview()})


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(views.health())


@bp.get("/api/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document(backend().registry()))
