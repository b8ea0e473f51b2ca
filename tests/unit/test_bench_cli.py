"""Bad flags of the benchmark commands: one line naming the flag, exit 2, nothing started."""

from __future__ import annotations

import pytest

from benchmarks import soak, verify_vs_health
from benchmarks.load.__main__ import parse as parse_load


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--users", "0", "--ramp", "1", "--duration", "5"], "--users"),
        (["--preset", "1k", "--ramp", "0"], "--ramp"),
        (["--preset", "1k", "--duration", "0"], "--duration"),
        (["--users", "10"], "--preset"),
        (["--preset", "1k", "--hash-cost", "1000"], "--hash-cost"),
        (["--preset", "1k", "--base-url", "http://127.0.0.1:1"], "--base-url"),
        (["--preset", "1k", "--processes", "0"], "--processes"),
        (["--preset", "1k", "--probe-every", "-1"], "--probe-every"),
        (["--preset", "1k", "--probe-every", "soon"], "--probe-every"),
    ],
)
def test_load_refuses_bad_flags(
    argv: list[str], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_load(argv)
    assert exited.value.code == 2
    assert flag in capsys.readouterr().err.splitlines()[-1]


def test_load_presets_are_the_replicas_runs() -> None:
    _, shape = parse_load(["--preset", "10k"])
    assert (shape.users, shape.ramp_per_s, shape.duration_s) == (10_000, 100, 150)


@pytest.mark.parametrize(
    ("main", "argv", "flag"),
    [
        (verify_vs_health.main, ["--duration", "0"], "--duration"),
        (verify_vs_health.main, ["--threads", "8", "--connections", "4"], "--threads"),
        (soak.main, ["--minutes", "0"], "--minutes"),
        (soak.main, ["--minutes", "1", "--sample-every", "30"], "--sample-every"),
    ],
)
def test_other_commands_refuse_bad_flags(
    main: object, argv: list[str], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert callable(main)
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert flag in capsys.readouterr().err.splitlines()[-1]
