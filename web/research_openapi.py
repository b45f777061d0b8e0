"""OpenAPI paths of the research API (trends, keyword in context, citations, export, what is
new, topic and session profiles), merged into /api/openapi.json by web.openapi."""

from __future__ import annotations

from typing import Any

from kb.research.citation import STYLES
from kb.research.export import FORMATS, MAX_WEB_ROWS
from kb.research.kwic import MAX_LINES, MAX_WIDTH, MIN_WIDTH, SORTS
from kb.research.trends import MAX_QUERIES
from web.params import SORTS as SEARCH_SORTS

_OBJECT = {"type": "object"}


def _q(description: str, *, many: bool = False, required: bool = True) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "minLength": 1} if required else {"type": "string"}
    if many:
        schema = {"type": "array", "items": {"type": "string", "minLength": 1},
                  "minItems": 1, "maxItems": MAX_QUERIES}
    return {"name": "q", "in": "query", "description": description, "schema": schema,
            "required": required, **({"style": "form", "explode": True} if many else {})}


def _path(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _ok(description: str, media: str = "application/json") -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": _OBJECT}}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}


def research_paths(filters: list[dict[str, Any]]) -> dict[str, Any]:
    """The research routes; ``filters`` are /api/search's filter parameters, which every
    research route takes the same way."""
    trend_params = [_q(f"Words or phrases to compare (1 to {MAX_QUERIES}).", many=True),
                    *filters]
    trend_errors = {"400": _error(f"No query, more than {MAX_QUERIES}, or a bad filter")}
    kwic_params = [_q("A word, prefix* or \"phrase\"."), *filters,
                   {"name": "sort", "in": "query", "schema": {"type": "string",
                                                               "enum": list(SORTS)}},
                   {"name": "width", "in": "query", "description": "Context characters per "
                    "side.", "schema": {"type": "integer", "minimum": MIN_WIDTH,
                                        "maximum": MAX_WIDTH, "default": 60}}]
    kwic_errors = {"400": _error("No query, only stop words, or a bad parameter")}
    return {
        "/api/trends": {"get": {
            "summary": "Per query and session: documents, passages, passages per 1,000",
            "parameters": trend_params,
            "responses": {"200": _ok("sessions, filters and one series per query"),
                          **trend_errors}}},
        "/api/trends.csv": {"get": {
            "summary": "The same numbers as CSV, one row per query and session",
            "parameters": trend_params,
            "responses": {"200": _ok("CSV", "text/csv"), **trend_errors}}},
        "/api/trends.svg": {"get": {
            "summary": "The trend chart as an accessible SVG",
            "parameters": trend_params,
            "responses": {"200": _ok("SVG", "image/svg+xml"), **trend_errors}}},
        "/api/kwic": {"get": {
            "summary": f"Keyword in context: concordance lines (at most {MAX_LINES:,})",
            "parameters": kwic_params,
            "responses": {"200": _ok("lines with left, match, right and where"),
                          **kwic_errors}}},
        "/api/kwic.csv": {"get": {
            "summary": "Every concordance line as CSV",
            "parameters": kwic_params,
            "responses": {"200": _ok("CSV", "text/csv"), **kwic_errors}}},
        "/api/cite/{passage_id}": {"get": {
            "summary": "A passage's citation in every style, or in one",
            "parameters": [_path("passage_id"),
                           {"name": "style", "in": "query",
                            "schema": {"type": "string", "enum": list(STYLES)}},
                           {"name": "download", "in": "query", "description": "1: the "
                            "citation as a file (.bib, .ris, .txt)",
                            "schema": {"type": "string"}}],
            "responses": {"200": _ok("The citation"), "400": _error("Unknown style"),
                          "404": _error("No such passage")}}},
        "/api/export": {"get": {
            "summary": "Every matching passage with full text, streamed",
            "parameters": [_q("Query, as in /api/search.", required=False), *filters,
                           {"name": "sort", "in": "query",
                            "schema": {"type": "string", "enum": list(SEARCH_SORTS)}},
                           {"name": "format", "in": "query",
                            "schema": {"type": "string", "enum": list(FORMATS),
                                       "default": "csv"}}],
            "responses": {"200": {"description": "The export as an attachment", "content": {
                media.split(";")[0]: {"schema": {"type": "string"}}
                for media, _ in FORMATS.values()}},
                          "400": _error(f"More than {MAX_WEB_ROWS:,} passages, or a bad "
                                        "parameter")}}},
        "/api/new": {"get": {
            "summary": "What the last ingest added, updated and removed",
            "responses": {"200": _ok("added, updated, removed with totals")}}},
        "/api/topics/{topic_id}": {"get": {
            "summary": "A topic: per-session counts, key phrases, speakers",
            "parameters": [_path("topic_id")],
            "responses": {"200": _ok("The topic's profile"), "404": _error("No such topic")}}},
        "/api/sessions/{number}": {"get": {
            "summary": "A session: topics with their share, speakers",
            "parameters": [_path("number")],
            "responses": {"200": _ok("The session's profile"),
                          "404": _error("No such session")}}},
    }
