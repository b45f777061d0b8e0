"""The OpenAPI 3.1 description of kb's JSON API, served at /api/openapi.json.

Written as data beside the routes so that a test can check that every API route is described.
"""

from __future__ import annotations

from typing import Any

from kb.facets import DECLARED, Facet
from kb.registry import Registry
from web.params import (
    DATE_PARAMS,
    GROUPS,
    MAX_PAGE_SIZE,
    MAX_QUERY_CHARS,
    MAX_VALUE_CHARS,
    MAX_VALUES,
    PARAM_FOR_FACET,
    SORTS,
)
from web.research_openapi import research_paths

_TEXT = {"type": "string", "maxLength": MAX_VALUE_CHARS}


def _array_param(name: str, description: str, items: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name, "in": "query", "required": False, "description": description,
        "schema": {"type": "array", "items": items, "maxItems": MAX_VALUES},
        "style": "form", "explode": True,
    }


def _facet_items(facet: Facet, registry: Registry | None) -> dict[str, Any]:
    """The schema of one value of a facet's parameter. The sessions and topics a request may
    name are this installation's registry's; without one (a static description), any session
    number and topic id."""
    if facet.kind == "session":
        return {"type": "integer", "enum": list(registry.sessions)} if registry is not None \
            else {"type": "integer", "minimum": 1}
    if facet.kind == "topic":
        return {"type": "string", "enum": list(registry.topics)} if registry is not None \
            else dict(_TEXT)
    if facet.kind == "choice":
        return {"type": "string", "enum": list(facet.choices)}
    if facet.kind == "year":
        return {"type": "integer", "minimum": 1000, "maximum": 9999}
    return _TEXT


def _search_parameters(registry: Registry | None) -> list[dict[str, Any]]:
    # Every parameter may be empty (as a form sends an empty field): empty means not given.
    return [{**parameter, "allowEmptyValue": True} for parameter in [
        {"name": "q", "in": "query", "description": "Query: words, \"phrases\", AND/OR/NOT, "
         "field:value. Empty with filters = browse.",
         "schema": {"type": "string", "maxLength": MAX_QUERY_CHARS}},
        *(_array_param(facet.param, facet.description, _facet_items(facet, registry))
          for facet in DECLARED),
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS),
                                                    "default": "relevance"}},
        {"name": "page", "in": "query", "description": "Clamped to the existing pages.",
         "schema": {"type": "integer", "default": 1}},
        {"name": "size", "in": "query", "description": f"Clamped to 1..{MAX_PAGE_SIZE}.",
         "schema": {"type": "integer", "default": 10}},
        {"name": "group", "in": "query", "schema": {"type": "string", "enum": list(GROUPS),
                                                     "default": "document"}},
        {"name": "mentions", "in": "query", "description": "1: the session filter and facet "
         "also count passages that only mention a session, not just those about it.",
         "schema": {"type": "integer", "enum": [0, 1], "default": 0}},
        {"name": "expand", "in": "query", "description": "0: search only the words typed; 1 "
         "(the default): also the other forms of their terms in the glossary (glossary.toml).",
         "schema": {"type": "integer", "enum": [0, 1], "default": 1}},
        *({"name": name, "in": "query",
           "description": f"Date range, {name} this year, month or day (inclusive); the same as "
                          "the query's date:from..to.",
           "schema": {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}}
          for name in DATE_PARAMS),
    ]]


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
    "more": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
    "mentions": {"type": "array", "items": {"type": "integer"},
                 "description": "Sessions the passage names without being about them."},
    "recording_url": {"type": "string", "description": "The recording at this passage's start "
                                                       "(empty when unknown)."}}}

_SEARCH_RESULT = {"type": "object", "properties": {
    "query": {"type": "string"}, "understood": {"type": "string"},
    "total": {"type": "integer"}, "unit": {"type": "string", "enum": ["documents", "passages"]},
    "page": {"type": "integer"}, "page_size": {"type": "integer"}, "pages": {"type": "integer"},
    "suggestion": {"type": "string"}, "notes": {"type": "array", "items": {"type": "string"}},
    "also_searched": {"type": "array", "items": {"type": "string"},
                      "description": "The glossary's forms searched besides the words typed."},
    "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
    "facets": {"type": "object", "additionalProperties": {
        "type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}}}}

_PASSAGE = {"type": "object", "properties": {
    "passage_id": {"type": "string"}, "doc_id": {"type": "string"},
    "position": {"type": "integer"}, "text": {"type": "string"}, "heading": {"type": "string"},
    "speaker": {"type": "string"}, "start": {"type": ["number", "null"]},
    "sessions": {"type": "array", "items": {"type": "integer"},
                 "description": "Sessions the passage is about."},
    "mentions": {"type": "array", "items": {"type": "integer"},
                 "description": "Sessions the passage names without being about them."},
    "topics": {"type": "array", "items": {"type": "string"}},
    "recording_url": {"type": "string"}}}

_STRINGS = {"type": "array", "items": {"type": "string"}}
_DOCUMENT = {"type": "object", "properties": {
    "doc_id": {"type": "string"}, "source": {"type": "string"}, "title": {"type": "string"},
    "type": {"type": "string"}, "date": {"type": "string"}, "language": {"type": "string"},
    "sessions": {"type": "array", "items": {"type": "integer"}}, "topics": _STRINGS,
    "speakers": _STRINGS, "key_phrases": _STRINGS, "site": {"type": "string"},
    "url": {"type": "string"}, "duplicates": _STRINGS,
    "duplicate_urls": {"type": "object", "additionalProperties": {"type": "string"}},
    "content_hash": {"type": "string"},
    "ingested": {"type": "string", "description": "When the index last wrote it (UTC)."},
    "passages": {"type": "array", "items": {"$ref": "#/components/schemas/Passage"}},
    "recording": {"type": "string"}, "warnings": _STRINGS,
    "speaker_labels": {"type": "object", "additionalProperties": {"type": "string"}}}}

_SPEAKER_FIELDS: dict[str, Any] = {
    "id": {"type": "string"}, "name": {"type": "string"}, "role": {"type": "string"},
    "organisation": {"type": "string"}, "country": {"type": "string"},
    "documents": {"type": "integer"}, "passages": {"type": "integer"}}
_SPEAKER = {"type": "object", "properties": _SPEAKER_FIELDS}

_SPEAKER_PROFILE = {"type": "object", "properties": {
    **_SPEAKER_FIELDS,
    "sessions": {"type": "array", "items": {"type": "object", "properties": {
        "number": {"type": "integer"}, "label": {"type": "string"},
        "passages": {"type": "integer"}}}},
    "topics": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "string"}, "label": {"type": "string"}, "passages": {"type": "integer"}}}},
    "page": {"type": "integer"}, "pages": {"type": "integer"}, "page_size": {"type": "integer"},
    "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}}}

_ERROR = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "status": {"type": "integer"}, "title": {"type": "string"}, "detail": {"type": "string"}}}}}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json({"$ref": "#/components/schemas/Error"}, description)


def openapi_document(registry: Registry | None = None) -> dict[str, Any]:
    """The description; with ``registry``, the session and topic values it allows are listed."""
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
                "parameters": _search_parameters(registry),
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
            "/api/speakers": {"get": {
                "summary": "Everyone who speaks or is quoted, with role, organisation and "
                           "counts, most passages first",
                "responses": {"200": _json({"type": "object", "properties": {
                    "speakers": {"type": "array",
                                 "items": {"$ref": "#/components/schemas/Speaker"}}}},
                    "All speakers")}}},
            "/api/speakers/{speaker_id}": {"get": {
                "summary": "One speaker: sessions, topics raised and passages (20 a page)",
                "parameters": [{"name": "speaker_id", "in": "path", "required": True,
                                "schema": {"type": "string"}},
                               {"name": "page", "in": "query",
                                "schema": {"type": "integer", "minimum": 1}}],
                "responses": {"200": _json({"$ref": "#/components/schemas/SpeakerProfile"},
                                           "The speaker"),
                              "400": _error("'page' is not a whole number"),
                              "404": _error("Nobody has this id")}}},
            "/healthz": {"get": {
                "summary": "Liveness and index state",
                "responses": {"200": _json({"type": "object", "properties": {
                    "status": {"const": "ok"}, "generation": {"type": ["integer", "null"]},
                    "documents": {"type": "integer"}, "passages": {"type": "integer"},
                    "last_modified": {}}}, "The index generation and size")}}},
            "/api/openapi.json": {"get": {
                "summary": "This description",
                "responses": {"200": {"description": "OpenAPI 3.1 document"}}}},
            **research_paths([p for p in _search_parameters(registry)
                              if p["name"] in PARAM_FOR_FACET.values()]),
        },
        "components": {"schemas": {
            "SearchResult": _SEARCH_RESULT, "Hit": _HIT, "FacetValue": _FACET_VALUE,
            "Document": _DOCUMENT, "Passage": _PASSAGE, "Error": _ERROR,
            "Speaker": _SPEAKER, "SpeakerProfile": _SPEAKER_PROFILE}},
    }
