"""Is the lock still the lock of pyproject.toml, and is .venv exactly the lock?

    python scripts/lockcheck.py [--root DIR] [--venv] [--uv PATH]

Three checks, one line per problem, exit 1 on any (./dev test runs it before lint):
1. every requirement of ``pyproject.toml`` (dependencies, each extra, each dependency group)
   is the one ``uv.lock`` was resolved for, by name, extras and version range (markers are
   not compared: uv rewrites them);
2. each exported file under ``requirements/`` is what ``uv export`` makes of ``uv.lock`` now
   (with ``--uv``; offline, the export reads only the lock);
3. with ``--venv``: the running interpreter's environment holds exactly the pins of
   ``requirements/dev.txt`` that apply to it, nothing more (the project itself aside).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

# requirements/<name>.txt -> the uv export arguments that make it (also in ./dev lock)
EXPORTS: dict[str, list[str]] = {
    "runtime": [],
    "dev": ["--all-extras", "--group", "tools"],
}
FIX_LOCK = "run ./dev lock"
FIX_VENV = "run ./dev setup"

# (section, canonical name, sorted extras, normalised specifier)
Pin = tuple[str, str, tuple[str, ...], str]


def _spec(text: str) -> str:
    return ",".join(sorted(str(s) for s in SpecifierSet(text)))


def _show(pin: Pin) -> str:
    _, name, extras, spec = pin
    return f"{name}{'[' + ','.join(extras) + ']' if extras else ''}{spec}"


def declared(pyproject: dict[str, Any]) -> set[Pin]:
    """What pyproject.toml asks for, per section (dependencies, extra X, group X)."""
    project = pyproject.get("project", {})
    sections: list[tuple[str, list[str]]] = [("dependencies", project.get("dependencies", []))]
    for extra, reqs in project.get("optional-dependencies", {}).items():
        sections.append((f"extra {extra}", reqs))
    for group, reqs in pyproject.get("dependency-groups", {}).items():
        sections.append((f"group {group}", reqs))
    pins: set[Pin] = set()
    for section, reqs in sections:
        for text in reqs:
            req = Requirement(text)
            pins.add(
                (
                    section,
                    canonicalize_name(req.name),
                    tuple(sorted(req.extras)),
                    _spec(str(req.specifier)),
                )
            )
    return pins


def locked(lock: dict[str, Any]) -> set[Pin]:
    """What uv.lock was resolved for: the editable project's recorded requirements."""
    packages = lock.get("package", [])
    project = next((p for p in packages if p.get("source", {}).get("editable") == "."), None)
    if project is None:
        return set()
    meta = project.get("metadata", {})
    pins: set[Pin] = set()
    for entry in meta.get("requires-dist", []):
        extra = re.search(r"extra == '([^']+)'", entry.get("marker", ""))
        section = f"extra {extra.group(1)}" if extra else "dependencies"
        pins.add(
            (
                section,
                canonicalize_name(entry["name"]),
                tuple(sorted(entry.get("extras", []))),
                _spec(entry.get("specifier", "")),
            )
        )
    for group, entries in meta.get("requires-dev", {}).items():
        for entry in entries:
            pins.add(
                (
                    f"group {group}",
                    canonicalize_name(entry["name"]),
                    tuple(sorted(entry.get("extras", []))),
                    _spec(entry.get("specifier", "")),
                )
            )
    return pins


def lock_drift(want: set[Pin], have: set[Pin]) -> list[str]:
    """One line per requirement that pyproject.toml and uv.lock disagree on."""
    problems: list[str] = []
    have_by_key = {(p[0], p[1]): p for p in have}
    want_by_key = {(p[0], p[1]): p for p in want}
    for key in sorted(want_by_key.keys() | have_by_key.keys()):
        section, _ = key
        mine, theirs = want_by_key.get(key), have_by_key.get(key)
        if mine == theirs:
            continue
        if theirs is None:
            assert mine is not None
            problems.append(
                f"lock: pyproject.toml asks for {_show(mine)} ({section}), "
                f"uv.lock was made without it: {FIX_LOCK}"
            )
        elif mine is None:
            problems.append(
                f"lock: uv.lock still has {_show(theirs)} ({section}), "
                f"pyproject.toml no longer asks for it: {FIX_LOCK}"
            )
        else:
            problems.append(
                f"lock: pyproject.toml asks for {_show(mine)} ({section}), "
                f"uv.lock was made for {_show(theirs)}: {FIX_LOCK}"
            )
    return problems


def pinned(requirements: str) -> dict[str, str]:
    """name -> version of every pin in an exported file that applies to this interpreter."""
    pins: dict[str, str] = {}
    for line in requirements.splitlines():
        match = re.match(
            r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$", line
        )
        if match is None:
            continue
        name, version, marker = match.groups()
        if marker and not Marker(marker).evaluate():
            continue
        pins[canonicalize_name(name)] = version
    return pins


def installed(skip: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = canonicalize_name(dist.metadata["Name"])
        if name != skip:
            found[name] = dist.version
    return found


def venv_drift(want: dict[str, str], have: dict[str, str]) -> list[str]:
    problems: list[str] = []
    for name in sorted(want.keys() | have.keys()):
        mine, theirs = want.get(name), have.get(name)
        if mine == theirs:
            continue
        if theirs is None:
            problems.append(f"venv: the lock pins {name}=={mine}, .venv lacks it: {FIX_VENV}")
        elif mine is None:
            problems.append(f"venv: .venv has {name}=={theirs}, the lock has no {name}: {FIX_VENV}")
        else:
            problems.append(f"venv: .venv has {name}=={theirs}, the lock pins {mine}: {FIX_VENV}")
    return problems


def export_drift(root: Path, uv: str) -> list[str]:
    problems: list[str] = []
    for name, args in EXPORTS.items():
        path = root / "requirements" / f"{name}.txt"
        made = subprocess.run(
            [uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-header", *args],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if made.returncode != 0:
            tail = (made.stderr.strip().splitlines() or ["no output"])[-1]
            problems.append(f"lock: uv export for requirements/{name}.txt failed: {tail}")
            continue
        current = path.read_text() if path.exists() else ""
        body = "\n".join(ln for ln in current.splitlines() if not ln.startswith("#")) + "\n"
        wanted = "\n".join(ln for ln in made.stdout.splitlines() if not ln.startswith("#")) + "\n"
        if body != wanted:
            problems.append(
                f"lock: requirements/{name}.txt is not the export of uv.lock: {FIX_LOCK}"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--uv", help="uv binary: also check the exported requirements files")
    parser.add_argument(
        "--venv",
        action="store_true",
        help="also check that this interpreter's environment is the lock",
    )
    args = parser.parse_args(argv)
    root: Path = args.root
    try:
        pyproject = tomllib.loads((root / "pyproject.toml").read_text())
        lock = tomllib.loads((root / "uv.lock").read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        print(f"lock: cannot read {exc}", file=sys.stderr)
        return 1
    problems = lock_drift(declared(pyproject), locked(lock))
    if args.uv:
        problems += export_drift(root, args.uv)
    if args.venv:
        project = canonicalize_name(str(pyproject.get("project", {}).get("name", "")))
        dev = (root / "requirements" / "dev.txt").read_text()
        problems += venv_drift(pinned(dev), installed(skip=project))
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
