"""GateBudgets from the pyproject table: defaults, overrides, one-line errors."""

from __future__ import annotations

import pytest

from chaos.checkers import DEFAULT_BUDGETS
from chaos.gate import BudgetError, GateBudgets


def test_empty_table_gives_the_defaults() -> None:
    budgets = GateBudgets.from_table({})
    assert budgets.latency == dict(DEFAULT_BUDGETS)
    assert (budgets.enforced_s, budgets.degraded_bound_s) == (10.0, 60.0)


def test_keys_override_one_limit_each() -> None:
    budgets = GateBudgets.from_table({"verify_p99_ms": 800, "verify_max_ms": 3000, "enforced_s": 5})
    assert budgets.latency["verify"].p99_ms == 800
    assert budgets.latency["verify"].max_ms == 3000
    assert budgets.latency["login"] == DEFAULT_BUDGETS["login"]
    assert budgets.enforced_s == 5


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ({"verify_p95_ms": 10}, "unknown key 'verify_p95_ms'"),
        ({"enforced_s": 0}, "budgets.enforced_s: expected a positive number, got 0"),
        ({"login_p99_ms": "fast"}, "expected a positive number, got 'fast'"),
        ({"settle_s": True}, "got True"),
    ],
)
def test_bad_values_are_named(table: dict[str, object], says: str) -> None:
    with pytest.raises(BudgetError, match="budgets") as caught:
        GateBudgets.from_table(table)
    assert says in str(caught.value)


def test_rows_list_every_setting() -> None:
    names = [name for name, _ in GateBudgets().rows()]
    assert "verify p99 / max" in names
    assert "degraded bound" in names
