"""Property-based API testing from the OpenAPI description (schemathesis):
generated requests never get a 5xx, and every response matches its schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from indexer.documents.corpus import Catalog
from search_app.openapi import openapi_spec
from tests.conftest import CORPUS

SCHEMA = schemathesis.openapi.from_dict(openapi_spec(Catalog.load(CORPUS)))
OPERATIONS = [r.ok() for r in SCHEMA.get_all_operations() if r.ok().method.upper() == "GET"]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_api_conforms_to_its_openapi_description(app, operation):

    @given(case=operation.as_strategy())
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(app=app)

    check()
