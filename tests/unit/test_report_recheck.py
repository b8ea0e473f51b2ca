"""python -m chaos.recheck DIR: the declared checks re-run from a folder alone, compared with
the recorded verdicts; exit 1 on a false invariant, 3 on a verdict that differs, 2 on bad
input in one line."""

import json
import subprocess
import sys
from pathlib import Path

from chaos.checkers import CheckInputs, run_checks
from chaos.checkers.crafted import CraftedHistory
from chaos.report import write_scenario

CHECKS = ("I1", "I4", "I9")


def _recheck(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chaos.recheck", *args],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def _folder(root: Path, name: str, verify_status: int) -> Path:
    """A scenario folder as the runner writes it: history, verdicts, inputs."""
    crafted = CraftedHistory()
    crafted.call(0, "logout", at=1.0, took=0.01, status=200, worker="w0-1", jti="tok")
    crafted.call(0, "verify", at=1.1, took=0.01, status=verify_status, worker="w1-2", jti="tok")
    history = crafted.history()
    inputs = CheckInputs(revoked_jtis={"tok"}, checks=CHECKS, workers=("http://a", "http://b"))
    folder = root / name
    write_scenario(folder, name, history, run_checks(CHECKS, history, inputs), seed=5)
    inputs.save(folder)
    return folder


def test_a_run_folder_is_reproduced_verdict_by_verdict(tmp_path: Path) -> None:
    _folder(tmp_path, "one", 401)
    _folder(tmp_path, "two", 401)
    result = _recheck(str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "== one" in result.stdout
    assert "I1         pass" in result.stdout
    assert "2 scenario(s), 6 verdict(s); 6 of 6 recorded verdicts reproduced; 0 false" in (
        result.stdout
    )


def test_a_false_invariant_exits_1_and_names_it(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "stale", 200)
    result = _recheck(str(folder))
    assert result.returncode == 1, result.stderr
    assert "I1         FAIL" in result.stdout
    assert "tok" in result.stdout
    assert "3 of 3 recorded verdicts reproduced; 1 false" in result.stdout


def test_a_verdict_that_differs_from_the_recorded_one_exits_3(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "tampered", 401)
    saved = json.loads((folder / "verdicts.json").read_text())
    saved["verdicts"][0]["valid"] = False  # the run said I1 failed; the history says it holds
    (folder / "verdicts.json").write_text(json.dumps(saved))
    result = _recheck(str(folder), "--quiet")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "DIFFERS tampered: I1: valid differ" in result.stdout
    assert "2 of 3 recorded verdicts reproduced" in result.stdout


def test_the_inputs_decide_what_is_judged(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "keys", 401)
    (folder / "revoked_keys.txt").write_text("")  # the store lost the acknowledged revocation
    result = _recheck(str(folder), "--quiet")
    assert result.returncode == 3
    assert "DIFFERS keys: I4:" in result.stdout


def test_a_folder_without_inputs_is_one_line(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "old", 401)
    (folder / "inputs.json").unlink()
    result = _recheck(str(folder))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no inputs.json" in result.stderr


def test_bad_path_is_one_line(tmp_path: Path) -> None:
    result = _recheck(str(tmp_path / "missing"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no such folder" in result.stderr


def test_bad_history_line_is_one_line(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "bad", 401)
    (folder / "history.jsonl").write_text("not json\n")
    result = _recheck(str(folder))
    assert result.returncode == 2
    assert "history.jsonl:1" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_an_undeclarable_check_is_one_line(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "typo", 401)
    data = json.loads((folder / "inputs.json").read_text())
    data["checks"] = ["I1", "I99"]
    (folder / "inputs.json").write_text(json.dumps(data))
    result = _recheck(str(folder))
    assert result.returncode == 2
    assert "I99" in result.stderr


def test_help() -> None:
    result = _recheck("--help")
    assert result.returncode == 0
    assert "scenario folder" in result.stdout
