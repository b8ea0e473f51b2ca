"""History: recording, pairing invoke -> completion, JSONL round trip, thread safety."""

import threading
from pathlib import Path

import pytest

from chaos.history import History, Op


def test_invoke_and_complete_pair_by_process() -> None:
    history = History()
    a = history.invoke(1, "verify", target="http://127.0.0.1:1", jti="j1")
    b = history.invoke(2, "logout", target="http://127.0.0.1:2", jti="j2")
    history.complete(b, "ok", status=200, worker="w1-9")
    history.complete(a, "info", error="timeout:ReadTimeout")
    calls = history.calls()
    assert [(c.f, c.outcome, c.jti) for c in calls] == [
        ("verify", "info", "j1"),
        ("logout", "ok", "j2"),
    ]
    assert calls[1].worker == "w1-9"
    assert calls[0].worker == "http://127.0.0.1:1"  # no answer: the target it was aimed at
    assert calls[1].completion is not None
    assert calls[1].completion.latency_ms is not None
    assert calls[1].completion.latency_ms >= 0


def test_a_call_without_completion_is_info() -> None:
    history = History()
    history.invoke(1, "verify")
    (call,) = history.calls()
    assert call.completion is None
    assert call.outcome == "info"


def test_completion_type_is_checked() -> None:
    history = History()
    op = history.invoke(1, "verify")
    with pytest.raises(ValueError, match="ok, fail or info"):
        history.complete(op, "invoke")


def test_jsonl_round_trip(tmp_path: Path) -> None:
    history = History()
    op = history.invoke(3, "login", target="http://x", value={"exp": 12})
    history.complete(op, "ok", status=200, jti="j", sub="alice", revocation_check="enforced")
    history.append(Op(-1, -1, "info", "fault", 5, "t", value={"name": "n", "phase": "inject"}))
    path = tmp_path / "history.jsonl"
    history.save(path)
    first_line = path.read_text().splitlines()[0]
    assert '"time":' in first_line  # docs/design.md's key for the monotonic time
    loaded = History.load(path)
    assert loaded.ops == history.ops


def test_load_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text('{"process": 1, "type": "ok", "f": "verify", "time": 1}\n{"type": "nope"}\n')
    with pytest.raises(ValueError, match=r"h.jsonl:2: bad op"):
        History.load(path)


def test_appends_from_many_threads_keep_every_op_and_unique_indexes() -> None:
    history = History()

    def record(process: int) -> None:
        for _ in range(500):
            history.complete(history.invoke(process, "verify"), "ok", status=200)

    threads = [threading.Thread(target=record, args=(p,)) for p in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ops = history.ops
    assert len(ops) == 8 * 500 * 2
    assert [op.index for op in ops] == list(range(len(ops)))
    assert len(history.calls()) == 8 * 500
    assert all(c.completion is not None for c in history.calls())
