"""schemathesis drives every operation of /api/openapi.json against the app with generated
parameters, with a fixed small budget: no 5xx, and every response (status, content type,
headers, body) conforms to the OpenAPI document."""

from __future__ import annotations

import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from kb.registry import load_registry
from tests.conftest import CORPUS
from web.openapi import openapi_document

#: Generated cases per operation: enough to hit odd values, small enough for every CI run.
EXAMPLES = 25
#: Operations whose documented 400 also covers a well-formed request that means nothing to
#: search (a query of stop words only, or a query no passage shares a word with), which a schema
#: cannot express: every other check still applies to them.
MEANING_CHECKED = {"/api/trends", "/api/trends.csv", "/api/trends.svg", "/api/kwic",
                   "/api/kwic.csv"}
#: Operations whose filters schemathesis's negative mode fills with values it wrongly counts as
#: breaking the schema (a control character inside an ``allowEmptyValue`` array item: the same
#: request to /api/search is answered, as it should be, with a 200 and a note). Their positive
#: cases and every response check still run.
NEGATIVE_MISREAD = {"/api/kwic", "/api/kwic.csv", "/api/export"}

# Loaded from the function the route serves, with the registry the test app uses (checked
# below), because schemathesis's fixture-based loader does not run under pytest 9.
DOCUMENT = openapi_document(load_registry(CORPUS))
schema = schemathesis.openapi.from_dict(DOCUMENT)


def test_the_served_document_is_the_one_tested(client: FlaskClient) -> None:
    assert client.get("/api/openapi.json").get_json() == DOCUMENT


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case: schemathesis.Case, app: Flask) -> None:
    path = case.operation.path
    excluded = [check for check, paths in ((positive_data_acceptance, MEANING_CHECKED),
                                          (negative_data_rejection, NEGATIVE_MISREAD))
                if path in paths]
    case.call_and_validate(app=app, excluded_checks=excluded)
