"""redis+cluster:// URLs: startup nodes parsed, malformed ones refused with the reason."""

import pytest

from system_under_test.config import ConfigError, parse_settings
from system_under_test.revocation.cluster import parse_cluster_url


def test_startup_nodes_are_parsed() -> None:
    url = "redis+cluster://127.0.0.1:7000,127.0.0.1:7001/0"
    assert parse_cluster_url(url) == [("127.0.0.1", 7000), ("127.0.0.1", 7001)]
    assert parse_cluster_url("redis+cluster://h:1") == [("h", 1)]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("redis+cluster://127.0.0.1/0", "is not host:port"),
        ("redis+cluster://127.0.0.1:0/0", "is not host:port"),
        ("redis+cluster://127.0.0.1:7000,/0", "is not host:port"),
        ("redis+cluster://127.0.0.1:7000/3", "only database 0"),
        ("redis://127.0.0.1:7000", "does not start with"),
    ],
)
def test_malformed_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_cluster_url(url)


def test_the_cli_accepts_a_cluster_url_and_names_the_flag_when_it_is_bad() -> None:
    url = "redis+cluster://127.0.0.1:7000,127.0.0.1:7001"
    assert parse_settings(["--redis-url", url], {}).redis_url == url
    with pytest.raises(ConfigError, match=r"--redis-url \(AUTH_REDIS_URL\).*not host:port"):
        parse_settings(["--redis-url", "redis+cluster://nowhere/0"], {})
