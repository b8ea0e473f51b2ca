"""With --sut-command, auth_factory starts the user's command on a claimed port."""

import httpx

from chaos.services import CommandService, RedisServer
from fixtures.services import AuthFactory


def test_auth_factory_runs_the_command(
    redis_server: RedisServer, auth_factory: AuthFactory
) -> None:
    service = auth_factory(redis_server.url)
    assert isinstance(service, CommandService)
    assert f"REDIS_URL={redis_server.url}" in service.command()
    assert httpx.get(service.base_url).status_code == 200


def test_reference_only_options_are_left_out(
    redis_server: RedisServer, auth_factory: AuthFactory
) -> None:
    service = auth_factory(redis_server.url, extra_args=["--degraded-bound", "1"])
    assert isinstance(service, CommandService)
    assert service.ignored == ["extra_args"]
