"""A facet is declared once (kb.facets): every place that names facets derives from it.

The first tests check that what each layer offers is exactly the declarations, in their
order; the last adds a declaration in a fresh interpreter and finds it in every layer, which is
the claim of docs/architecture.md ("Adding a facet") made executable.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
from werkzeug.datastructures import MultiDict

from index.query import FIELD_ALIASES, Filter, Group, parse
from index.schema import FACET_FIELDS, build_schema
from kb.cli import cli
from kb.facets import BY_NAME, DECLARED, value_label
from kb.model import FACETS, SORTS, SearchRequest
from kb.registry import load_registry
from web.openapi import openapi_document
from web.params import FACET_PARAMS, parse_search

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
NAMES = ["session", "topic", "type", "year", "speaker", "language", "source"]


def _options(command: str) -> list[str]:
    found = cli.commands[command]
    return [opt for p in found.params if isinstance(p, click.Option) for opt in p.opts]


def test_the_declarations_are_the_seven_facets_in_display_order() -> None:
    assert [f.name for f in DECLARED] == NAMES
    assert FACETS == {"session": "Session", "topic": "Topic", "type": "Type", "year": "Year",
                      "speaker": "Speaker", "language": "Language", "source": "Source"}
    assert list(SearchRequest().filters()) == NAMES
    assert SearchRequest(languages=["fr"], years=[2024]).filters()["language"] == ["fr"]


def test_every_filtering_command_offers_exactly_the_declared_options() -> None:
    declared = [f.option for f in DECLARED]
    assert declared == ["--session", "--topic", "--type", "--year", "--speaker", "--lang",
                        "--source"]
    for command in ("search", "facets", "trend", "kwic", "feed"):
        options = _options(command)
        start = options.index("--session")
        assert options[start:start + len(declared) + 1] == [*declared, "--include-mentions"], \
            command


def test_the_web_and_openapi_take_exactly_the_declared_parameters() -> None:
    assert list(FACET_PARAMS) == ["session", "topic", "type", "year", "speaker", "lang", "source"]
    parameters = openapi_document()["paths"]["/api/search"]["get"]["parameters"]
    arrays = [(p["name"], p["description"]) for p in parameters
              if p["schema"]["type"] == "array"]
    assert arrays == [(f.param, f.description) for f in DECLARED]
    language = next(p for p in parameters if p["name"] == "lang")
    assert language["schema"]["items"]["enum"] == ["en", "fr", "es", "ru", "ar", "zh", "und"]


def test_a_url_parameter_fills_the_declared_request_field() -> None:
    registry = load_registry(CORPUS)
    args = MultiDict([("session", "9"), ("topic", "copyright"), ("type", "news"),
                      ("year", "2024"), ("speaker", "Daren Tang"), ("lang", "en"),
                      ("source", "corpus")])
    request = parse_search(args, b"", registry).request
    assert request.filters() == {"session": [9], "topic": ["copyright"], "type": ["news"],
                                 "year": [2024], "speaker": ["Daren Tang"],
                                 "language": ["en"], "source": ["corpus"]}


def test_the_index_and_the_query_language_follow_the_declarations() -> None:
    assert {name: FACET_FIELDS[name] for name in NAMES} == {
        "session": "session", "topic": "topic", "type": "type", "year": "year",
        "speaker": "speaker", "language": "language", "source": "site"}
    assert set(FACET_FIELDS.values()) <= set(build_schema().names())
    prefixes = {p: FIELD_ALIASES[p] for f in DECLARED for p in f.query_prefixes}
    assert prefixes == {"session": "session", "topic": "topic", "type": "type",
                        "lang": "language", "language": "language", "source": "source",
                        "site": "source"}
    root = parse("lang:fr AI").root
    assert isinstance(root, Group) and Filter("language", "fr") in root.all_of
    # speaker: and year: stay what they were: words of a speaker's name, a date range.
    assert FIELD_ALIASES["speaker"] == "speaker" and FIELD_ALIASES["year"] == "date"


def test_one_function_labels_every_facet_value() -> None:
    registry = load_registry(CORPUS)
    assert value_label("session", "9", registry).startswith("9 · Training the Machines")
    assert value_label("session", "9") == "Session 9"
    assert value_label("session", 99, registry) == "Session 99"
    assert value_label("topic", "copyright", registry) == "Copyright"
    assert value_label("topic", "copyright") == "copyright"
    assert value_label("type", "session-page") == "Session page"
    assert value_label("language", "fr") == "French"
    assert value_label("language", "xx") == "xx"
    assert value_label("year", 2024) == "2024"
    assert value_label("speaker", "Daren Tang", registry) == "Daren Tang"


def test_sort_names_are_one_table() -> None:
    assert list(SORTS) == ["relevance", "date", "date-asc"]
    sort = next(p for p in cli.commands["search"].params if p.name == "sort")
    assert list(sort.type.choices) == list(SORTS)  # type: ignore[attr-defined]
    parameters = openapi_document()["paths"]["/api/search"]["get"]["parameters"]
    assert next(p for p in parameters if p["name"] == "sort")["schema"]["enum"] == list(SORTS)


_ADD_A_FACET = """
import dataclasses, json
import kb.facets as facets
region = facets.Facet("region", "Region", "regions", "region", "region", "choice",
                      ("region", "area"), "Only this region (repeatable).", "Regions (OR).",
                      {"africa": "Africa", "asia": "Asia"})
facets.DECLARED = (*facets.DECLARED, region)
facets.BY_NAME["region"] = region
from index.query import FIELD_ALIASES
from index.schema import FACET_FIELDS, build_schema
from kb.cli import cli
from kb.model import FACETS
from web.openapi import openapi_document
from web.params import FACET_PARAMS
search = cli.commands["search"]
option = next(p for p in search.params if "--region" in getattr(p, "opts", []))
api = next(p for p in openapi_document()["paths"]["/api/search"]["get"]["parameters"]
           if p["name"] == "region")
print(json.dumps({
    "label": FACETS.get("region"),
    "cli": [option.name, list(option.type.choices), option.help],
    "web": FACET_PARAMS.get("region"),
    "openapi": [api["description"], api["schema"]["items"]],
    "index_field": FACET_FIELDS.get("region"),
    "schema": "region" in build_schema().names(),
    "query": [FIELD_ALIASES.get("region"), FIELD_ALIASES.get("area")],
    "label_of_value": facets.value_label("region", "asia"),
}))
"""


def test_adding_a_declaration_adds_the_facet_to_every_layer() -> None:
    found = subprocess.run([sys.executable, "-c", _ADD_A_FACET], cwd=ROOT, capture_output=True,
                           text=True, check=True)
    assert json.loads(found.stdout) == {
        "label": "Region",
        "cli": ["regions", ["africa", "asia"], "Only this region (repeatable)."],
        "web": "region",
        "openapi": ["Regions (OR).", {"type": "string", "enum": ["africa", "asia"]}],
        "index_field": "region",
        "schema": True,
        "query": ["region", "region"],
        "label_of_value": "Asia",
    }
    assert "region" not in BY_NAME  # the declaration was added in that interpreter only
