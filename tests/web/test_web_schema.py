"""schemathesis drives every operation of /api/openapi.json against the app with generated
parameters, with a fixed small budget: no 5xx, and every response (status, content type,
headers, body) conforms to the OpenAPI document."""

from __future__ import annotations

import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings

from kb.registry import load_registry
from tests.conftest import CORPUS
from web.openapi import openapi_document

#: Generated cases per operation: enough to hit odd values, small enough for every CI run.
EXAMPLES = 25

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
    case.call_and_validate(app=app)
