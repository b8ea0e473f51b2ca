"""Faults: fault_window records and always heals; Compose; toxics undo what they added and
record what they were drawn with; the one schedule player."""

import asyncio
import threading
import time
from collections.abc import Mapping
from typing import Any

import pytest

from chaos.faults import (
    Compose,
    Fault,
    ScheduledFault,
    ScheduleHooks,
    async_fault_window,
    fault_window,
    play_schedule,
)
from chaos.faults.network import (
    ProxyDown,
    bandwidth,
    blackhole,
    jitter,
    latency,
    limit_data,
    reset_peer,
    slicer,
    slow_close,
)
from chaos.faults.process import Controllable, Kill, Pause, worker_kill, worker_pause
from chaos.history import History


class RecordingFault:
    """A fake Fault that records its calls (pure logic under test: the window, not a fault)."""

    def __init__(self, name: str, log: list[str], fail_on: str = "") -> None:
        self.name = name
        self.effects = frozenset({"redis_loss"})
        self.log = log
        self.fail_on = fail_on

    def inject(self) -> None:
        self.log.append(f"inject {self.name}")
        if self.fail_on == "inject":
            raise RuntimeError(f"{self.name} inject failed")

    def heal(self) -> None:
        self.log.append(f"heal {self.name}")
        if self.fail_on == "heal":
            raise RuntimeError(f"{self.name} heal failed")


class RecordingProxy:
    """Records toxic calls the way a ToxicTarget/Switchable would receive them."""

    def __init__(self) -> None:
        self.toxics: dict[str, tuple[str, str, dict[str, Any]]] = {}
        self.enabled = True

    def add_toxic(
        self,
        type: str,
        *,
        name: str | None = None,
        stream: str = "downstream",
        toxicity: float = 1.0,
        attributes: Mapping[str, int] | None = None,
    ) -> object:
        assert name is not None
        self.toxics[name] = (type, stream, dict(attributes or {}))
        return name

    def remove_toxic(self, name: str) -> None:
        del self.toxics[name]

    def disable(self) -> None:
        self.enabled = False

    def enable(self) -> None:
        self.enabled = True


def test_fault_window_records_inject_and_heal() -> None:
    history, log = History(), list[str]()
    with fault_window(RecordingFault("f", log), history):
        log.append("body")
    assert log == ["inject f", "body", "heal f"]
    phases = [(op.f, op.value["name"], op.value["phase"]) for op in history.faults()]
    assert phases == [("fault", "f", "inject"), ("fault", "f", "heal")]
    assert history.faults()[0].value["effects"] == ["redis_loss"]
    assert history.faults()[0].wall_time


def test_fault_window_heals_when_the_body_raises() -> None:
    history, log = History(), list[str]()
    with pytest.raises(ZeroDivisionError), fault_window(RecordingFault("f", log), history):
        _ = 1 / 0
    assert log == ["inject f", "heal f"]
    assert [op.value["phase"] for op in history.faults()] == ["inject", "heal"]


def test_fault_window_heals_when_inject_fails_half_way() -> None:
    history, log = History(), list[str]()
    with (
        pytest.raises(RuntimeError, match="inject failed"),
        fault_window(RecordingFault("f", log, fail_on="inject"), history),
    ):
        log.append("body never runs")
    assert log == ["inject f", "heal f"]


def test_fault_window_heals_on_cancel() -> None:
    history, log = History(), list[str]()

    async def scenario() -> None:
        with fault_window(RecordingFault("f", log), history):
            await asyncio.sleep(3600)

    async def main() -> None:
        task = asyncio.create_task(scenario())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert log == ["inject f", "heal f"]


def test_a_failed_heal_is_recorded_and_raised() -> None:
    history, log = History(), list[str]()
    with (
        pytest.raises(RuntimeError, match="heal failed"),
        fault_window(RecordingFault("f", log, fail_on="heal"), history),
    ):
        pass
    assert "heal failed" in history.faults()[-1].value["error"]


def test_compose_heals_in_reverse_and_heals_all_even_if_one_fails() -> None:
    log: list[str] = []
    both = Compose(RecordingFault("a", log, fail_on="heal"), RecordingFault("b", log))
    assert both.name == "a+b"
    both.inject()
    with pytest.raises(RuntimeError, match="a heal failed"):
        both.heal()
    assert log == ["inject a", "inject b", "heal b", "heal a"]


def test_compose_heals_the_first_when_the_second_inject_fails() -> None:
    log: list[str] = []
    both = Compose(RecordingFault("a", log), RecordingFault("b", log, fail_on="inject"))
    with pytest.raises(RuntimeError), fault_window(both, History()):
        pass
    assert log == ["inject a", "inject b", "heal b", "heal a"]


def test_toxic_fault_removes_exactly_what_it_added() -> None:
    proxy = RecordingProxy()
    proxy.add_toxic("latency", name="someone_elses", attributes={"latency": 1})
    hole = blackhole(proxy)
    hole.inject()
    assert sorted(t[1] for n, t in proxy.toxics.items() if n != "someone_elses") == [
        "downstream",
        "upstream",
    ]
    hole.heal()
    hole.heal()  # a second heal does nothing
    assert list(proxy.toxics) == ["someone_elses"]
    slow = latency(proxy, 300, jitter_ms=50, loss=True)
    assert slow.effects == frozenset({"redis_loss"})
    assert slow.name == "latency"  # one name per kind; what it was drawn with is its details


def test_a_toxic_fault_records_what_it_was_drawn_with() -> None:
    proxy = RecordingProxy()
    history = History()
    fault = jitter(proxy, 10, 40)
    fault.toxicity = 0.7
    with fault_window(fault, history):
        pass
    inject = history.faults()[0].value
    assert inject["name"] == "jitter"
    assert inject["toxic"] == "latency"
    assert inject["attributes"] == {"latency": 10, "jitter": 40}
    assert inject["toxicity"] == 0.7
    assert blackhole(proxy).name == "blackhole"
    assert blackhole(proxy).details()["toxic"] == "timeout"  # Toxiproxy's name for it


def test_proxy_down_disables_then_enables() -> None:
    proxy = RecordingProxy()
    with fault_window(ProxyDown(proxy), History()):
        assert not proxy.enabled
    assert proxy.enabled


class Process:
    def __init__(self) -> None:
        self.log: list[str] = []

    def kill(self) -> None:
        self.log.append("kill")

    def restart(self) -> None:
        self.log.append("restart")

    def pause(self) -> None:
        self.log.append("pause")

    def resume(self) -> None:
        self.log.append("resume")


def test_process_faults() -> None:
    redis = Process()
    with fault_window(Kill(redis), History()):
        pass
    with fault_window(Pause(redis), History()):
        pass
    worker = Process()
    with fault_window(worker_kill(worker), History()):
        pass
    assert redis.log == ["kill", "restart", "pause", "resume"]
    assert worker.log == ["kill"]  # the supervisor replaces a killed worker


def test_play_schedule_records_every_window_in_order_with_its_hooks() -> None:
    log: list[str] = []
    items = [
        ScheduledFault(RecordingFault("x", log), 0.0, 0.01),
        ScheduledFault(RecordingFault("y", log), 0.02, 0.01),
    ]
    seen: list[str] = []
    hooks = ScheduleHooks(
        on_inject=lambda item: seen.append(f"before {item.fault.name}"),
        on_heal=lambda item: seen.append(f"after {item.fault.name}"),
    )
    history = History()
    healed = asyncio.run(play_schedule(items, history, hooks=hooks))
    assert [op.value["phase"] for op in history.faults()] == ["inject", "heal"] * 2
    assert log == ["inject x", "heal x", "inject y", "heal y"]
    assert seen == ["before x", "after x", "before y", "after y"]
    assert healed <= time.monotonic()


class SettlingFault(RecordingFault):
    """A fault whose stack takes a while to react (a promotion): the player waits for it."""

    def wait_settled(self) -> None:
        self.log.append(f"settled {self.name}")


def test_play_schedule_waits_for_a_settling_fault_inside_its_window() -> None:
    log: list[str] = []
    history = History()
    asyncio.run(play_schedule([ScheduledFault(SettlingFault("s", log), 0.0, 0.0)], history))
    assert log == ["inject s", "settled s", "heal s"]


def test_play_schedule_heals_when_cancelled() -> None:
    log: list[str] = []
    history = History()

    async def main() -> None:
        task = asyncio.create_task(
            play_schedule([ScheduledFault(RecordingFault("z", log), 0.0, 3600.0)], history)
        )
        for _ in range(3000):  # the inject is recorded when it returned (30 s at most)
            if history.faults():
                break
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert log == ["inject z", "heal z"]


class BlockingInject(RecordingFault):
    """inject() blocks until released: the task awaiting it gets cancelled meanwhile."""

    def __init__(self, log: list[str]) -> None:
        super().__init__("slow", log)
        self.started = threading.Event()
        self.release = threading.Event()
        self.healed = threading.Event()

    def inject(self) -> None:
        self.started.set()
        self.release.wait(timeout=30)
        super().inject()

    def heal(self) -> None:
        super().heal()
        self.healed.set()


def test_async_window_heals_after_the_inject_even_when_cancelled_mid_inject() -> None:
    log: list[str] = []
    fault = BlockingInject(log)
    history = History()

    async def main() -> None:
        async def scenario() -> None:
            async with async_fault_window(fault, history):
                log.append("body never runs")

        task = asyncio.create_task(scenario())
        assert await asyncio.to_thread(fault.started.wait, 30)  # the inject is under way
        task.cancel()
        fault.release.set()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert fault.healed.wait(timeout=30)
    assert log == ["inject slow", "heal slow"]
    assert [op.value["phase"] for op in history.faults()] == ["inject", "heal"]


def test_async_window_heals_when_the_body_raises() -> None:
    log: list[str] = []
    history = History()

    async def main() -> None:
        async with async_fault_window(RecordingFault("f", log), history):
            raise KeyError("boom")

    with pytest.raises(KeyError):
        asyncio.run(main())
    assert log == ["inject f", "heal f"]


def test_effects_tell_loss_from_flakiness() -> None:
    proxy = RecordingProxy()
    assert reset_peer(proxy).effects == frozenset({"redis_loss"})
    assert reset_peer(proxy, 500).effects == frozenset({"redis_slow"})
    assert limit_data(proxy, 1024).effects == frozenset({"redis_slow"})
    assert bandwidth(proxy, 1).effects == frozenset({"redis_slow"})
    for fault in (
        jitter(proxy, 10, 5),
        slicer(proxy),
        slow_close(proxy, 100),
        limit_data(proxy, 10),
    ):
        fault.inject()
        fault.heal()
    assert proxy.toxics == {}


def test_a_service_handle_fits_every_process_fault() -> None:
    process = Process()
    handle: Controllable = process  # structural: the real RedisServer/AuthService fit too
    faults: list[Fault] = [
        Kill(handle),
        Pause(handle),
        worker_kill(handle),
        worker_pause(handle),
    ]
    for fault in faults:
        with fault_window(fault, History()):
            pass
    assert process.log == ["kill", "restart", "pause", "resume", "kill", "pause", "resume"]
