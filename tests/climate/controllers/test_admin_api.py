"""The JSON API against its own OpenAPI schema: no server errors, answers that match it."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as run
from schemathesis import Case
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from climate.app import create_app
from climate.settings import Settings
from tests.climate.security.conftest import District_, district  # noqa: F401 (fixture)

# A bounded run: each operation gets this many generated cases, each sent by three callers.
CASES = 25
STAFF_OPERATIONS = {"/api/v1/schools", "/api/v1/admin/rosters", "/api/v1/exports"}


def test_api_conforms_to_its_schema(settings: Settings, district: District_) -> None:  # noqa: F811
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", create_app(settings))
    callers = {
        "anonymous": {},
        **{r: {"authorization": f"Bearer {district.tokens[r]}"} for r in district.tokens},
    }
    results = list(schema.get_all_operations())
    # Every operation of the schema loads; one that did not would be an Err here.
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results)
    assert {op.path for op in operations} >= STAFF_OPERATIONS
    for operation in operations:

        @given(case=operation.as_strategy())
        @run(
            max_examples=CASES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        def check(case: Case[Any]) -> None:
            for role, headers in callers.items():
                response = case.call(headers=headers)
                assert response.status_code < 500, (role, case.method, case.path, response.text)
                case.validate_response(response, checks=[response_schema_conformance])

        check()
