"""The dependency direction between the project's top-level packages, checked from source.

``system_under_test`` imports none of the others; ``chaos`` never imports pytest, ``fixtures``
or ``system_under_test``; ``fixtures`` never imports ``system_under_test``. No package imports
the services in ``examples/`` (they are started as processes).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

FORBIDDEN: dict[str, frozenset[str]] = {
    "system_under_test": frozenset({"chaos", "fixtures", "tests", "pytest", "examples"}),
    "chaos": frozenset({"pytest", "_pytest", "fixtures", "system_under_test", "tests", "examples"}),
    "fixtures": frozenset({"system_under_test", "tests", "examples"}),
}


@dataclass(frozen=True)
class ForbiddenImport:
    """One import that breaks the dependency direction."""

    path: str
    line: int
    package: str
    imported: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.package} must not import {self.imported}"


def imported_modules(source: str) -> list[tuple[int, str]]:
    """Every absolute module named by an import statement in ``source``, with its line."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def violations_in_source(package: str, path: str, source: str) -> list[ForbiddenImport]:
    """The forbidden imports of one file of ``package``."""
    banned = FORBIDDEN.get(package, frozenset())
    return [
        ForbiddenImport(path, line, package, name)
        for line, name in imported_modules(source)
        if name.split(".")[0] in banned
    ]


def violations(root: Path) -> list[ForbiddenImport]:
    """The forbidden imports of every package under ``root``."""
    found: list[ForbiddenImport] = []
    for package in FORBIDDEN:
        for path in sorted((root / package).rglob("*.py")):
            rel = str(path.relative_to(root))
            found.extend(violations_in_source(package, rel, path.read_text(encoding="utf-8")))
    return found
