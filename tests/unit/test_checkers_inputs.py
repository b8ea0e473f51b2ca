"""CheckInputs saved as inputs.json (and the files it names) and loaded again give the same
verdicts from ``run_checks`` on the same history; altering any one field a checker reads
changes a verdict (the negative control: the round trip carries what the checks read)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chaos.checkers import CheckInputs, LatencyBudget, run_checks
from chaos.checkers.crafted import CraftedHistory
from chaos.checkers.inputs import INPUTS_FILE, REVOKED_FILE, InputsError
from chaos.checkers.named import CHECKS
from chaos.history import History

Edit = Callable[[dict[str, Any], Path], None]

METRICS_BEFORE = "".join(
    f'{family}{{worker="{w}"}} 0\n'
    for w in ("w0", "w1")
    for family in ("auth_redis_pool_in_use", "auth_breaker_state", "auth_breaker_opened_total",
                   "auth_breaker_probes_total", "auth_revocation_degraded_total")
)  # fmt: skip
METRICS_AFTER = (
    'auth_redis_pool_in_use{worker="w0"} 0\nauth_redis_pool_in_use{worker="w1"} 0\n'
    'auth_breaker_state{worker="w0"} 0\nauth_breaker_state{worker="w1"} 0\n'
    'auth_breaker_opened_total{worker="w0"} 1\nauth_breaker_opened_total{worker="w1"} 0\n'
    'auth_breaker_probes_total{worker="w0"} 3\nauth_breaker_probes_total{worker="w1"} 0\n'
    'auth_revocation_degraded_total{worker="w0"} 1\nauth_revocation_degraded_total{worker="w1"} 0\n'
)


def _history() -> History:
    """Two workers; t1 logged out before a 2 s Redis loss; during it one marked degraded 200
    and one 503; after the heal both workers refuse t1 and enforce again."""
    crafted = CraftedHistory()
    crafted.call(0, "login", at=0.1, took=0.05, status=200, worker="w0", jti="t1")
    crafted.call(0, "logout", at=0.5, took=0.02, status=200, worker="w0", jti="t1",
                 value={"exp": 1000})  # fmt: skip
    crafted.call(1, "verify", at=0.6, took=0.01, status=401, worker="w1", jti="t1")
    crafted.call(1, "verify", at=0.7, took=0.01, status=200, worker="w1", jti="t2",
                 check="enforced")  # fmt: skip
    crafted.fault("blackhole", inject_at=1.0, heal_at=3.0, effects={"redis_loss"})
    crafted.call(1, "verify", at=2.0, took=0.4, status=503, worker="w1", jti="t2")
    crafted.call(0, "verify", at=2.5, took=0.3, status=200, worker="w0", jti="t2",
                 check="degraded")  # fmt: skip
    for process, worker in ((0, "w0"), (1, "w1")):
        crafted.call(process, "verify", at=3.5, took=0.01, status=401, worker=worker, jti="t1")
        crafted.call(process, "verify", at=3.6, took=0.01, status=200, worker=worker, jti="t2",
                     check="enforced")  # fmt: skip
    return crafted.history()


HISTORY = _history()
INPUTS = CheckInputs(
    failure_mode="open",
    degraded_bound_s=30.0,
    budgets={"verify": LatencyBudget(500.0, 1000.0), "login": LatencyBudget(2000.0)},
    request_deadline_ms=4000.0,
    enforced_budget_s=2.0,
    revoked_jtis={"t1", "other"},
    read_at_epoch_s=500.0,
    metrics_before_text=METRICS_BEFORE,
    metrics_after_text=METRICS_AFTER,
    expect_breaker_open=False,
    breaker_reset_s=1.0,
    workers=("http://127.0.0.1:9001", "http://127.0.0.1:9002"),
    checks=tuple(CHECKS),
    degraded_signal=True,
    degraded_metric=True,
    statuses={
        "login": frozenset({200}),
        "logout": frozenset({200}),
        "verify": frozenset({200, 401, 503}),
    },
    revocations="keys",
)


def _verdicts(inputs: CheckInputs) -> dict[str, dict[str, Any]]:
    return {v.invariant: v.to_json() for v in run_checks(inputs.checks, HISTORY, inputs)}


def test_the_history_gives_each_check_something_to_judge() -> None:
    labels = {name: verdict["valid"] for name, verdict in _verdicts(INPUTS).items()}
    # I3 is the closed policy (this service is open); I7 needs a worker fault
    assert labels == {**dict.fromkeys(CHECKS, True), "I3": False, "I7": "unknown"}


def test_saved_then_loaded_inputs_are_equal_and_give_identical_verdicts(tmp_path: Path) -> None:
    INPUTS.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        INPUTS_FILE, "metrics_after.txt", "metrics_before.txt", REVOKED_FILE,
    ]  # fmt: skip
    loaded = CheckInputs.load(tmp_path)
    assert loaded == INPUTS
    assert _verdicts(loaded) == _verdicts(INPUTS)


def test_inputs_with_nothing_measured_round_trip(tmp_path: Path) -> None:
    bare = CheckInputs(checks=("I1", "I4", "I10"), statuses=None, revocations="behaviour")
    bare.save(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [INPUTS_FILE]  # no files named
    loaded = CheckInputs.load(tmp_path)
    assert loaded == bare
    assert _verdicts(loaded) == _verdicts(bare)
    assert {v["valid"] for k, v in _verdicts(loaded).items() if k != "I1"} == {"unknown"}


def _set(key: str, value: object) -> Edit:
    return lambda data, _: data.__setitem__(key, value)


def _budget(route: str, limit: str, value: float) -> Edit:
    return lambda data, _: data["budgets"][route].__setitem__(limit, value)


def _revoked(text: str) -> Edit:
    def edit(_: dict[str, Any], folder: Path) -> None:
        (folder / REVOKED_FILE).write_text(text, encoding="utf-8")

    return edit


GONE = ("I2", "I2-outside", "I3", "I4", "I5", "I6", "I7", "I8", "I10")
DROPPED: dict[str, object] = dict.fromkeys(GONE, "gone")

# (what is altered, the alteration, every verdict that changes -> its label after)
ALTERED: list[tuple[str, Edit, dict[str, object]]] = [
    ("verify p99 budget", _budget("verify", "p99_ms", 100), {"I5": False}),
    ("verify max budget", _budget("verify", "max_ms", 350), {"I5": False}),
    ("request deadline", _set("request_deadline_ms", 350), {"I5": False}),
    ("documented statuses", lambda d, _: d["statuses"].__setitem__("verify", [200, 401]),
     {"I9": False}),
    # the degraded 200 lies within the recovery time of the heal no longer; every worker is
    # first seen (enforced) 0.5 s after the heal: past a 0.1 s budget, so when it recovered is
    # not known
    ("enforced budget", _set("enforced_budget_s", 0.1), {"I6": "unknown", "I2-outside": True}),
    ("degraded bound", _set("degraded_bound_s", 0.1), {"I2": False}),
    ("breaker expected open", _set("expect_breaker_open", True), {"I10": False}),
    ("breaker reset", _set("breaker_reset_s", 2.0), {"I10": False}),
    ("revocations by behaviour", _set("revocations", "behaviour"), {"I4": "unknown"}),
    ("no degraded signal", _set("degraded_signal", False),
     {"I2": True, "I2-outside": "unknown", "I6": True}),
    ("no degraded metric", _set("degraded_metric", False), {"I2": True}),
    ("revoked keys not read", _set("revoked_keys", None), {"I4": "unknown", "I8": "unknown"}),
    ("a revoked key missing", _revoked("other\n"), {"I4": False, "I8": False}),
    ("metrics not scraped", _set("metrics_after", None), {"I2": "unknown", "I10": "unknown"}),
    ("read after the token expired", _set("read_at_epoch_s", 2000.0),
     {"I4": "unknown", "I8": "unknown"}),
    ("fewer checks declared", _set("checks", ["I1", "I9"]), DROPPED),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "changes"), [a[1:] for a in ALTERED],
                         ids=[a[0] for a in ALTERED])  # fmt: skip
def test_altering_one_field_changes_a_verdict(
    tmp_path: Path, edit: Edit, changes: dict[str, object]
) -> None:
    INPUTS.save(tmp_path)
    path = tmp_path / INPUTS_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data, tmp_path)
    path.write_text(json.dumps(data), encoding="utf-8")
    before, after = _verdicts(INPUTS), _verdicts(CheckInputs.load(tmp_path))
    changed = {
        name: after[name]["valid"] if name in after else "gone"
        for name in before
        if after.get(name) != before[name]
    }
    assert changed == changes


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (_set("failure_mode", "ajar"), "failure_mode must be open or closed, got 'ajar'"),
        (_set("revocations", "guess"), "revocations must be keys or behaviour, got 'guess'"),
        (_set("schema", 2), "expected an object with schema 1"),
        (lambda d, _: d.pop("budgets"), "KeyError: 'budgets'"),
        (_set("read_at_epoch_s", "noon"), "expected a number or null, got 'noon'"),
        (_set("revoked_keys", "../etc/passwd"), "expected a file name in the folder"),
        (_set("metrics_after", "gone.txt"), "gone.txt: No such file or directory"),
    ],
)
def test_a_bad_inputs_file_is_one_line_naming_it(tmp_path: Path, edit: Edit, says: str) -> None:
    INPUTS.save(tmp_path)
    path = tmp_path / INPUTS_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data, tmp_path)
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputsError) as caught:
        CheckInputs.load(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message, message
    assert says in message
