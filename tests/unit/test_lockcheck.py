"""scripts/lockcheck.py: pyproject.toml vs uv.lock, the exports, and .venv, on scratch copies."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "lockcheck.py"
UV = Path(sys.executable).with_name("uv")


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A copy of the files the check reads, to break on purpose."""
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "requirements", tmp_path / "requirements")
    return tmp_path


def check(root: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(root), *flags],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def test_the_repository_lock_matches_pyproject_its_exports_and_this_venv() -> None:
    done = check(ROOT, "--venv", "--uv", str(UV))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_a_dependency_added_without_relocking_is_named_in_one_line(scratch: Path) -> None:
    edit(
        scratch / "pyproject.toml",
        '"pytest>=8.2,<10",',
        '"pytest>=8.2,<10",\n    "sortedcontainers>=2",',
    )
    done = check(scratch)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "lock: pyproject.toml asks for sortedcontainers>=2 (extra test), "
        "uv.lock was made without it: run ./dev lock"
    ]


def test_a_changed_range_names_both_ranges(scratch: Path) -> None:
    edit(scratch / "pyproject.toml", '"httpx>=0.27,<1"', '"httpx>=0.28,<1"')
    done = check(scratch)
    assert done.returncode == 1
    assert "asks for httpx<1,>=0.28 (dependencies), uv.lock was made for httpx<1,>=0.27" in (
        done.stderr
    )


def test_a_removed_dependency_is_named(scratch: Path) -> None:
    edit(scratch / "pyproject.toml", '    "py-spy>=0.3.14,<1",\n', "")
    done = check(scratch)
    assert done.returncode == 1
    assert "uv.lock still has py-spy<1,>=0.3.14 (extra bench)" in done.stderr


def test_a_tools_group_change_is_seen(scratch: Path) -> None:
    edit(scratch / "pyproject.toml", '"uv>=0.9,<1"', '"uv>=0.9,<2"')
    done = check(scratch)
    assert done.returncode == 1
    assert "(group tools)" in done.stderr


def test_an_export_edited_by_hand_is_caught(scratch: Path) -> None:
    runtime = scratch / "requirements" / "runtime.txt"
    pin = re.search(r"^httpx==(\S+)", runtime.read_text(), re.MULTILINE)
    assert pin is not None
    edit(runtime, pin.group(0), "httpx==0.27.0")
    done = check(scratch, "--uv", str(UV))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "lock: requirements/runtime.txt is not the export of uv.lock: run ./dev lock"
    ]


def test_a_venv_that_is_not_the_lock_is_caught(scratch: Path) -> None:
    dev = scratch / "requirements" / "dev.txt"
    pin = re.search(r"^pytest==(\S+)", dev.read_text(), re.MULTILINE)
    assert pin is not None
    edit(dev, pin.group(0), "pytest==0.0.1")
    done = check(scratch, "--venv")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"venv: .venv has pytest=={pin.group(1)}, the lock pins 0.0.1: run ./dev setup"
    ]


def test_an_unreadable_lock_is_one_line(scratch: Path) -> None:
    (scratch / "uv.lock").write_text("not = [toml")
    done = check(scratch)
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("lock: cannot read")
