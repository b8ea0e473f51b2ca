"""Property-based fuzzing of every operation of the service's OpenAPI document (schemathesis):
no 5xx, no answer that breaks the documented schema, statuses and headers. Bounded in
examples per operation; the number of requests made is recorded and printed.

The operations are driven through hypothesis directly: schemathesis's pytest integration
(``from_fixture``) reads ``request.node._nodeid``, which pytest 9 no longer has.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis import Case, GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok

from .conftest import Target

pytestmark = pytest.mark.hostile

EXAMPLES_PER_OPERATION = 40
TIME_BOUND_S = 60.0  # a hang guard for the whole run: operations not reached are a failure


def fuzz_operation(
    operation: schemathesis.APIOperation[Any, Any, Any, Any],
    mode: GenerationMode,
    statuses: list[int],
) -> None:
    """Up to EXAMPLES_PER_OPERATION generated requests; raises on the first failed check."""

    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis.settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,  # the same examples every run: a failure reproduces
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],  # no slow shrinking
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    def one(case: Case[Any]) -> None:
        response = case.call(timeout=10)
        statuses.append(response.status_code)
        assert response.status_code < 500, f"{response.status_code}: {response.text[:200]}"
        case.validate_response(response)

    one()


def test_no_operation_answers_5xx_or_breaks_its_schema(
    target: Target, figures: dict[str, int]
) -> None:
    schema = schemathesis.openapi.from_url(f"{target.base_url}/openapi.json")
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results), f"invalid operations in the schema: {results}"
    statuses: list[int] = []
    failures: dict[str, str] = {}
    started = time.monotonic()
    skipped = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            label = f"{operation.label} ({mode.value})"
            if mode is GenerationMode.NEGATIVE and not len(operation.body):
                continue  # nothing to break in a request without a body or parameters
            if time.monotonic() - started > TIME_BOUND_S:
                skipped.append(label)
                continue
            try:
                fuzz_operation(operation, mode, statuses)
            except Exception as exc:
                failures[label] = f"{type(exc).__name__}: {exc}"[:1500]
    server_errors = sum(1 for status in statuses if status >= 500)
    figures["fuzz_operations"] = len(operations)
    figures["fuzz_requests"] = len(statuses)
    figures["fuzz_5xx"] = server_errors
    print(
        f"\nschemathesis: {len(operations)} operations, {len(statuses)} requests, "
        f"{server_errors} answered 5xx, {time.monotonic() - started:.1f} s"
    )
    assert len(operations) >= 8
    assert not skipped, f"not fuzzed within {TIME_BOUND_S} s: {skipped}"
    assert not failures, "\n\n".join(f"{label}: {text}" for label, text in failures.items())


@pytest.mark.parametrize(
    ("status", "body"),
    [(200, {"sub": 1}), (500, {"error": "internal_unavailable", "detail": "boom"})],
)
def test_the_checks_catch_a_broken_answer(target: Target, status: int, body: object) -> None:
    # negative control: an answer off the schema, or a 500, fails the same validation
    schema = schemathesis.openapi.from_url(f"{target.base_url}/openapi.json")
    operation = schema["/auth/verify"]["GET"]
    case = operation.Case()
    url = f"{target.base_url}/auth/verify"
    answer = httpx.Response(status, json=body, request=httpx.Request("GET", url))
    answer.elapsed = timedelta(milliseconds=1)  # as if it came over the wire
    with pytest.raises(FailureGroup) as failed:
        case.validate_response(answer)
    kinds = {type(failure).__name__ for failure in failed.value.exceptions}
    assert kinds & {"JsonSchemaError", "ServerError"}, kinds
