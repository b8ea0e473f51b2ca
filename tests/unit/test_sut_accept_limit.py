"""How many connections one readiness of a shared listening socket may accept (acceptor.py)."""

from __future__ import annotations

from system_under_test.acceptor import accept_limit
from system_under_test.config import Settings
from system_under_test.worker import fair_share


def test_an_on_time_worker_takes_a_fair_share_and_a_late_one_the_batch() -> None:
    assert accept_limit(batch=256, fair=8, loop_late=False) == 8
    assert accept_limit(batch=256, fair=8, loop_late=True) == 256  # connections wait on it
    assert accept_limit(batch=4, fair=8, loop_late=False) == 4  # never above the batch
    assert accept_limit(batch=1, fair=8, loop_late=True) == 1  # libuv's own, the control


def test_only_workers_sharing_one_socket_take_fair_shares() -> None:
    assert fair_share(Settings(workers=2, accept_fair=8)) == 8
    assert fair_share(Settings(workers=1, accept_fair=8)) is None  # nobody to leave them to
    assert fair_share(Settings(workers=2, port_per_worker=True, accept_fair=8)) is None
