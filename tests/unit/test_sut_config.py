"""Settings parsing: defaults, flags over AUTH_* variables, and refusals that name the setting."""

import pytest

from system_under_test.config import ConfigError, jwt_secret, parse_settings

SECRET = {"AUTH_JWT_SECRET": "s" * 32}


def test_defaults_are_the_documented_ones() -> None:
    settings = parse_settings([], {})
    assert settings.failure_mode == "open"
    assert settings.degraded_bound_s == 60.0
    assert settings.redis_timeout_s == 0.1
    assert settings.redis_retries == 1
    assert settings.leeway_s == 5
    assert settings.access_ttl_s == 900
    assert settings.workers == 1
    assert not settings.port_per_worker
    assert settings.header_timeout_s == 5.0
    assert settings.body_timeout_s == 10.0
    assert settings.worker_timeout_s == 30.0
    assert settings.replica_wait == "all"
    assert settings.min_replicas is None


def test_the_older_replica_policy_is_one_flag_away() -> None:
    assert parse_settings(["--replica-wait", "auto"], {}).replica_wait == "auto"
    assert parse_settings([], {"AUTH_REPLICA_WAIT": "auto"}).replica_wait == "auto"


def test_a_flag_wins_over_its_environment_twin() -> None:
    env = {"AUTH_FAILURE_MODE": "closed", "AUTH_WORKERS": "3", "AUTH_PORT_PER_WORKER": "1"}
    assert parse_settings([], env).failure_mode == "closed"
    assert parse_settings(["--failure-mode", "open"], env).failure_mode == "open"
    assert parse_settings([], env).workers == 3
    assert parse_settings([], env).port_per_worker


def test_sentinels_replace_the_redis_url() -> None:
    settings = parse_settings(
        ["--sentinel", "127.0.0.1:26379,127.0.0.1:26380", "--sentinel-service", "m"], {}
    )
    assert settings.redis_url is None
    assert settings.sentinels == [("127.0.0.1", 26379), ("127.0.0.1", 26380)]


@pytest.mark.parametrize(
    ("argv", "env", "named"),
    [
        (["--failure-mode", "sometimes"], {}, "--failure-mode"),
        ([], {"AUTH_FAILURE_MODE": "sometimes"}, "AUTH_FAILURE_MODE"),
        (["--redis-url", "http://127.0.0.1:6379"], {}, "--redis-url"),
        (["--redis-url", "redis://127.0.0.1:notaport/0"], {}, "--redis-url"),
        (["--redis-url", "redis://:6379/0"], {}, "--redis-url"),
        (["--redis-url", "redis://127.0.0.1:6379/zero"], {}, "--redis-url"),
        (["--port", "70000"], {}, "--port"),
        (["--port", "0"], {}, "--port"),
        (["--port", "http"], {}, "--port"),
        (["--port", "65535", "--workers", "2", "--port-per-worker"], {}, "--port"),
        (["--workers", "0"], {}, "--workers"),
        (["--login-queue", "0"], {}, "--login-queue"),
        (["--hash-cost", "1000"], {}, "--hash-cost"),
        (["--degraded-bound", "-1"], {}, "--degraded-bound"),
        (["--header-timeout", "0"], {}, "--header-timeout"),
        ([], {"AUTH_HEADER_TIMEOUT": "soon"}, "AUTH_HEADER_TIMEOUT"),
        (["--body-timeout", "-1"], {}, "--body-timeout"),
        (["--worker-timeout", "-1"], {}, "--worker-timeout"),
        ([], {"AUTH_WORKER_TIMEOUT": "never"}, "AUTH_WORKER_TIMEOUT"),
        ([], {"AUTH_BODY_TIMEOUT": "later"}, "AUTH_BODY_TIMEOUT"),
        (["--accept-batch", "0"], {}, "--accept-batch"),
        ([], {"AUTH_ACCEPT_BATCH": "many"}, "AUTH_ACCEPT_BATCH"),
        (["--accept-fair", "0"], {}, "--accept-fair"),
        (["--sentinel", "127.0.0.1"], {}, "--sentinel"),
        (["--sentinel", "127.0.0.1:26379"], {}, "--sentinel-service"),
        (["--jwt-alg", "none"], {}, "--jwt-alg"),
        (["--jwt-alg", "RS256"], {}, "--jwt-private-key"),
        (["--user", "no-colon"], {}, "--user"),
        (["--users-file", "/nonexistent/users.txt"], {}, "--users-file"),
        (["--wait-timeout-ms", "100", "--redis-timeout", "0.1"], {}, "--wait-timeout-ms"),
        (["--no-such-flag"], {}, "--no-such-flag"),
        (["--replica-wait", "some"], {}, "--replica-wait"),
        ([], {"AUTH_REPLICA_WAIT": "1"}, "AUTH_REPLICA_WAIT"),
        (["--min-replicas", "-1"], {}, "--min-replicas"),
        ([], {"AUTH_PORT_PER_WORKER": "maybe"}, "AUTH_PORT_PER_WORKER"),
    ],
)
def test_a_bad_value_is_refused_naming_it(argv: list[str], env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_settings(argv, env)
    message = str(refused.value)
    assert named in message
    assert "\n" not in message


def test_the_secret_is_required_and_long_enough() -> None:
    assert jwt_secret(SECRET) == b"s" * 32
    with pytest.raises(ConfigError, match="AUTH_JWT_SECRET: required"):
        jwt_secret({})
    with pytest.raises(ConfigError, match="AUTH_JWT_SECRET: 31 bytes is too short"):
        jwt_secret({"AUTH_JWT_SECRET": "s" * 31})
