"""The OpenAPI 3.1 description of kb's JSON API, served at /api/openapi.json.

Written as data beside the routes so that a test can check that every API route is described.
"""

from __future__ import annotations

from typing import Any

from kb.model import DOC_TYPES, LANGUAGES
from web.params import DATE_PARAMS, GROUPS, MAX_PAGE_SIZE, MAX_QUERY_CHARS, SORTS


def _array_param(name: str, description: str, items: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name, "in": "query", "required": False, "description": description,
        "schema": {"type": "array", "items": items}, "style": "form", "explode": True,
    }


def _search_parameters() -> list[dict[str, Any]]:
    return [
        {"name": "q", "in": "query", "description": "Query: words, \"phrases\", AND/OR/NOT, "
         "field:value. Empty with filters = browse.",
         "schema": {"type": "string", "maxLength": MAX_QUERY_CHARS}},
        _array_param("session", "Session numbers (OR).", {"type": "integer", "minimum": 1}),
        _array_param("topic", "Topic ids from topics.toml (OR).", {"type": "string"}),
        _array_param("type", "Document types (OR).", {"type": "string", "enum": list(DOC_TYPES)}),
        _array_param("year", "Years (OR).", {"type": "integer"}),
        _array_param("speaker", "Speaker names (OR).", {"type": "string"}),
        _array_param("lang", "Language codes (OR).", {"type": "string", "enum": list(LANGUAGES)}),
        _array_param("source", "Source sites or folders (OR).", {"type": "string"}),
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS),
                                                    "default": "relevance"}},
        {"name": "page", "in": "query", "description": "Clamped to the existing pages.",
         "schema": {"type": "integer", "default": 1}},
        {"name": "size", "in": "query", "description": f"Clamped to 1..{MAX_PAGE_SIZE}.",
         "schema": {"type": "integer", "default": 10}},
        {"name": "group", "in": "query", "schema": {"type": "string", "enum": list(GROUPS),
                                                     "default": "document"}},
        *({"name": name, "in": "query",
           "description": f"Date range, {name} this year, month or day (inclusive); the same as "
                          "the query's date:from..to.",
           "schema": {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}}
          for name in DATE_PARAMS),
    ]


_FACET_VALUE = {"type": "object", "properties": {
    "value": {"type": "string"}, "label": {"type": "string"},
    "count": {"type": "integer"}, "selected": {"type": "boolean"}}}

_HIT = {"type": "object", "properties": {
    "doc_id": {"type": "string"}, "passage_id": {"type": "string"},
    "source": {"type": "string"}, "title": {"type": "string"}, "type": {"type": "string"},
    "date": {"type": "string"}, "sessions": {"type": "array", "items": {"type": "integer"}},
    "topics": {"type": "array", "items": {"type": "string"}}, "score": {"type": "number"},
    "snippet": {"type": "string", "description": "Escaped HTML; matches in <mark>."},
    "speaker": {"type": "string"}, "heading": {"type": "string"},
    "start": {"type": ["number", "null"]}, "language": {"type": "string"},
    "position": {"type": "integer"},
    "also_at": {"type": "array", "items": {"type": "string"}},
    "more": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}}}

_SEARCH_RESULT = {"type": "object", "properties": {
    "query": {"type": "string"}, "understood": {"type": "string"},
    "total": {"type": "integer"}, "unit": {"type": "string", "enum": ["documents", "passages"]},
    "page": {"type": "integer"}, "page_size": {"type": "integer"}, "pages": {"type": "integer"},
    "suggestion": {"type": "string"}, "notes": {"type": "array", "items": {"type": "string"}},
    "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
    "facets": {"type": "object", "additionalProperties": {
        "type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}}}}

_PASSAGE = {"type": "object", "properties": {
    "passage_id": {"type": "string"}, "doc_id": {"type": "string"},
    "position": {"type": "integer"}, "text": {"type": "string"}, "heading": {"type": "string"},
    "speaker": {"type": "string"}, "start": {"type": ["number", "null"]},
    "sessions": {"type": "array", "items": {"type": "integer"}},
    "topics": {"type": "array", "items": {"type": "string"}}}}

_STRINGS = {"type": "array", "items": {"type": "string"}}
_DOCUMENT = {"type": "object", "properties": {
    "doc_id": {"type": "string"}, "source": {"type": "string"}, "title": {"type": "string"},
    "type": {"type": "string"}, "date": {"type": "string"}, "language": {"type": "string"},
    "sessions": {"type": "array", "items": {"type": "integer"}}, "topics": _STRINGS,
    "speakers": _STRINGS, "key_phrases": _STRINGS, "site": {"type": "string"},
    "url": {"type": "string"}, "duplicates": _STRINGS, "content_hash": {"type": "string"},
    "passages": {"type": "array", "items": {"$ref": "#/components/schemas/Passage"}}}}

_ERROR = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "status": {"type": "integer"}, "title": {"type": "string"}, "detail": {"type": "string"}}}}}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json({"$ref": "#/components/schemas/Error"}, description)


def openapi_document() -> dict[str, Any]:
    listing = {"type": "array", "items": {"type": "object"}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "kb: WIPO Conversation knowledge base", "version": "1",
                 "description": "Read-only search over the WIPO Conversation on IP and "
                                "Frontier Technologies. Facet values combine with OR within "
                                "a facet and AND across facets."},
        "paths": {
            "/api/search": {"get": {
                "summary": "Search passages, grouped by document, with facet counts",
                "parameters": _search_parameters(),
                "responses": {"200": _json({"$ref": "#/components/schemas/SearchResult"},
                                           "The result (same shape as kb search --format json)"),
                              "400": _error("A parameter is malformed; detail says which")}}},
            "/api/doc/{doc_id}": {"get": {
                "summary": "One document with its passages in order",
                "parameters": [{"name": "doc_id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": _json({"$ref": "#/components/schemas/Document"},
                                           "The document"),
                              "404": _error("No such document")}}},
            "/api/sessions": {"get": {
                "summary": "Sessions from the registry with document and passage counts",
                "responses": {"200": _json({"type": "object", "properties": {
                    "sessions": listing}}, "All sessions, oldest first")}}},
            "/api/topics": {"get": {
                "summary": "Topics with document counts, overall and per session",
                "responses": {"200": _json({"type": "object", "properties": {
                    "topics": listing}}, "All topics")}}},
            "/healthz": {"get": {
                "summary": "Liveness and index state",
                "responses": {"200": _json({"type": "object", "properties": {
                    "status": {"const": "ok"}, "generation": {"type": ["integer", "null"]},
                    "documents": {"type": "integer"}, "passages": {"type": "integer"},
                    "last_modified": {}}}, "The index generation and size")}}},
            "/api/openapi.json": {"get": {
                "summary": "This description",
                "responses": {"200": {"description": "OpenAPI 3.1 document"}}}},
        },
        "components": {"schemas": {
            "SearchResult": _SEARCH_RESULT, "Hit": _HIT, "FacetValue": _FACET_VALUE,
            "Document": _DOCUMENT, "Passage": _PASSAGE, "Error": _ERROR}},
    }
