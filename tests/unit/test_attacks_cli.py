"""``python -m chaos.attacks`` refuses bad input with one line naming the flag, exit 2."""

from __future__ import annotations

import pytest

from chaos.attacks.__main__ import main, parse

GOOD = ["--url", "http://127.0.0.1:1", "--username", "alice"]
ENV = {"AUTH_ATTACK_PASSWORD": "pw-123456789", "AUTH_JWT_SECRET": "s" * 40}


@pytest.mark.parametrize(
    ("argv", "env", "named"),
    [
        (["--username", "alice"], ENV, "--url"),
        (["--url", "ftp://x", "--username", "alice"], ENV, "--url"),
        (GOOD, {}, "AUTH_ATTACK_PASSWORD"),
        ([*GOOD, "--leeway", "-1"], ENV, "--leeway"),
        ([*GOOD, "--leeway", "soon"], ENV, "--leeway"),
    ],
)
def test_bad_input_is_one_line_naming_the_flag(
    argv: list[str], env: dict[str, str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse(argv, env)
    assert exited.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert named in err


def test_good_input_makes_a_campaign() -> None:
    url, campaign = parse([*GOOD, "--fresh-id", "jti", "--fresh-id", "fam"], ENV)
    assert url == "http://127.0.0.1:1"
    assert campaign.secret == b"s" * 40
    assert campaign.fresh_ids == ("jti", "fam")


def test_an_unreachable_service_is_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AUTH_ATTACK_PASSWORD", "pw-123456789")
    # port 1 on loopback: nothing listens, the connection is refused at once
    assert main(GOOD) == 2
    assert "chaos.attacks:" in capsys.readouterr().err
