"""partition_figures (the Docker gate's partition scenario) and the compose options it uses."""

from __future__ import annotations

import pytest

from chaos.docker_backend import ComposeOptions, ComposeStack, partition_figures
from chaos.docker_backend._compose import port_vars_of, service_args_of
from chaos.history import History, Op

S = 1_000_000_000  # ns per second


def verify(history: History, at_s: float, done_s: float, target: str, check: str) -> None:
    history.append(Op(-1, 1, "invoke", "verify", int(at_s * S), target=target))
    history.append(
        Op(-1, 1, "ok", "verify", int(done_s * S), target=target, status=200,
           revocation_check=check)
    )  # fmt: skip


def fault(history: History, at_s: float, phase: str, began_s: float) -> None:
    value = {"name": "redis_partition", "phase": phase, "began": int(began_s * S)}
    history.append(Op(-1, -1, "info", "fault", int(at_s * S), value=value))


def test_figures_from_the_cut_and_the_heal() -> None:
    history = History()
    verify(history, 0.5, 0.6, "w0", "enforced")
    fault(history, 1.2, "inject", began_s=1.0)
    verify(history, 1.3, 1.5, "w0", "degraded")  # first degraded 0.3 s after the cut
    verify(history, 1.4, 1.6, "w1", "degraded")
    fault(history, 3.0, "heal", began_s=2.9)
    verify(history, 3.1, 3.2, "w0", "enforced")
    verify(history, 3.1, 3.3, "w1", "degraded")  # w1 not steady yet
    verify(history, 3.4, 3.7, "w1", "enforced")
    verify(history, 3.8, 3.9, "w0", "enforced")
    figures = partition_figures(history)
    assert figures == {"disconnect_call_s": 0.2, "to_degraded_s": 0.3, "to_enforced_s": 0.7}


def test_no_degraded_answer_is_none() -> None:
    history = History()
    fault(history, 1.0, "inject", began_s=1.0)
    verify(history, 1.1, 1.2, "w0", "enforced")
    fault(history, 2.0, "heal", began_s=2.0)
    assert partition_figures(history)["to_degraded_s"] is None


def test_port_per_worker_options() -> None:
    options = ComposeOptions(workers=3, port_per_worker=True, service_args=("--hash-cost", "1"))
    assert service_args_of(options) == ("--port-per-worker", "--hash-cost", "1")
    assert port_vars_of(options)["AUTH_CHAOS_WORKER2_PORT"] == ("auth", 8002)
    assert "AUTH_CHAOS_WORKER1_PORT" not in port_vars_of(ComposeOptions())
    assert service_args_of(ComposeOptions()) == ()


def test_too_many_workers_for_port_per_worker_is_refused_before_docker() -> None:
    with pytest.raises(ValueError, match=r"port_per_worker: workers must be 1\.\.3, got 4"):
        ComposeStack.up(ComposeOptions(workers=4, port_per_worker=True))
