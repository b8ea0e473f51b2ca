"""python -m chaos.recheck: verdicts printed, exit 1 on a false invariant, bad input in one line."""

import subprocess
import sys
from pathlib import Path

from chaos.checkers.crafted import CraftedHistory
from chaos.recheck import parse_budgets, parse_revoked


def _recheck(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chaos.recheck", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _save(tmp_path: Path, verify_status: int) -> Path:
    crafted = CraftedHistory()
    crafted.call(0, "logout", at=1.0, took=0.01, status=200, worker="w0-1", jti="tok")
    crafted.call(0, "verify", at=1.1, took=0.01, status=verify_status, worker="w1-2", jti="tok")
    path = tmp_path / "scenario" / "history.jsonl"
    path.parent.mkdir()
    crafted.history().save(path)
    return path


def test_a_false_invariant_exits_1_and_names_it(tmp_path: Path) -> None:
    result = _recheck(str(_save(tmp_path, 200)), "--report", str(tmp_path / "out"))
    assert result.returncode == 1, result.stderr
    assert "I1   FAIL" in result.stdout
    assert "tok" in result.stdout
    assert "gate: FAIL" in result.stdout
    assert (tmp_path / "out" / "scenario" / "timeline.svg").is_file()
    assert "I1" in (tmp_path / "out" / "index.md").read_text()


def test_holding_invariants_exit_0(tmp_path: Path) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text("revoked:tok\n")
    result = _recheck(
        str(_save(tmp_path, 401)), "--revoked-keys", str(keys), "--failure-mode", "closed"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "I1   pass" in result.stdout
    assert "I4   pass" in result.stdout
    assert "I3   unknown" in result.stdout  # no loss window: no evidence, printed, not failed


def test_bad_path_is_one_line(tmp_path: Path) -> None:
    result = _recheck(str(tmp_path / "missing.jsonl"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no such file" in result.stderr


def test_bad_history_line_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_text("not json\n")
    result = _recheck(str(path))
    assert result.returncode == 2
    assert "h.jsonl:1" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_bad_budget_names_the_flag(tmp_path: Path) -> None:
    result = _recheck(str(_save(tmp_path, 401)), "--budgets", "verify=fast")
    assert result.returncode == 2
    assert result.stderr.startswith("recheck: --budgets")


def test_help() -> None:
    result = _recheck("--help")
    assert result.returncode == 0
    assert "--budgets" in result.stdout


def test_budget_and_key_parsing(tmp_path: Path) -> None:
    budgets = parse_budgets("verify=200:900,login=1500")
    assert budgets["verify"].p99_ms == 200
    assert budgets["verify"].max_ms == 900
    assert budgets["login"].max_ms is None
    path = tmp_path / "b.json"
    path.write_text('{"verify": {"p99_ms": 100}}')
    assert parse_budgets(str(path))["verify"].p99_ms == 100
    assert parse_revoked("revoked:a\nb\n\n") == {"a", "b"}
