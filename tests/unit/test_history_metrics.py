"""The /metrics parse: the design's series, labels, sums per worker, deltas, bad lines."""

import pytest

from chaos.workload.metrics import MetricsSnapshot, delta, parse_labels, parse_metrics

TEXT = """\
# HELP auth_requests_total Requests.
# TYPE auth_requests_total counter
auth_requests_total{route="verify",status="200",worker="w0"} 10.0
auth_requests_total{route="verify",status="503",worker="w0"} 2.0
auth_requests_total{route="login",status="200",worker="w1"} 4.0
auth_requests_total_created{route="verify",status="200",worker="w0"} 1.7e9
auth_revocation_degraded_total{worker="w0"} 3
auth_breaker_state{worker="w1"} 1
auth_redis_pool_in_use{worker="w0"} 0
python_gc_objects_collected_total{generation="0"} 99
auth_revocations_local{worker="w\\"odd"} 7 1700000000000
"""


def test_parse_keeps_the_watched_series() -> None:
    parsed = parse_metrics(TEXT)
    assert set(parsed) == {
        "auth_requests_total",
        "auth_revocation_degraded_total",
        "auth_breaker_state",
        "auth_redis_pool_in_use",
        "auth_revocations_local",
    }
    assert parsed["auth_requests_total"]["route=verify,status=200,worker=w0"] == 10.0
    assert parsed["auth_revocations_local"] == {'worker=w"odd': 7.0}


def test_snapshot_sums_per_worker_with_label_match() -> None:
    snap = MetricsSnapshot.from_text(TEXT)
    assert snap.per_worker("auth_requests_total") == {"w0": 12.0, "w1": 4.0}
    assert snap.per_worker("auth_requests_total", status="503") == {"w0": 2.0}
    assert snap.total("auth_requests_total", route="verify") == 12.0
    assert snap.per_worker("auth_breaker_opened_total") == {}


def test_delta_per_worker() -> None:
    before = MetricsSnapshot.from_text('auth_revocation_degraded_total{worker="w0"} 3\n')
    after = MetricsSnapshot.from_text(
        'auth_revocation_degraded_total{worker="w0"} 5\n'
        'auth_revocation_degraded_total{worker="w1"} 1\n'
    )
    assert delta(before, after, "auth_revocation_degraded_total") == {"w0": 2.0, "w1": 1.0}


def test_labels_with_escapes() -> None:
    assert parse_labels('a="x",b="y\\"z",c="back\\\\slash"') == {
        "a": "x",
        "b": 'y"z',
        "c": "back\\slash",
    }


def test_a_malformed_watched_line_names_its_number() -> None:
    with pytest.raises(ValueError, match="metrics line 2"):
        parse_metrics('auth_breaker_state{worker="w0"} 0\nauth_breaker_state{worker="w0" oops\n')


def test_lines_of_other_shapes_are_ignored() -> None:
    assert parse_metrics('{x="1"} 1\n   \nother 2\n') == {}
