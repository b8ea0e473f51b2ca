"""The dependency direction between packages holds, and its checker catches a breach."""

from pathlib import Path

import pytest

from chaos.import_rules import violations, violations_in_source

ROOT = Path(__file__).resolve().parents[2]


def test_no_package_imports_against_the_direction() -> None:
    found = violations(ROOT)
    assert not found, "imports against the dependency direction:\n" + "\n".join(map(str, found))


@pytest.mark.parametrize(
    ("package", "source"),
    [
        ("system_under_test", "import chaos.history\n"),
        ("system_under_test", "from fixtures.plugin import x\n"),
        ("system_under_test", "from tests.unit import y\n"),
        ("chaos", "import pytest\n"),
        ("chaos", "from system_under_test.app import create_app\n"),
        ("chaos", "def f():\n    from fixtures import plugin\n"),
        ("fixtures", "import system_under_test\n"),
        ("chaos", "from examples.careful.careful_auth import app\n"),
        ("fixtures", "import examples\n"),
        ("system_under_test", "import examples.naive.main\n"),
    ],
)
def test_a_forbidden_import_is_caught(package: str, source: str) -> None:
    # negative control: the checker must see a forbidden import wherever it hides
    found = violations_in_source(package, f"{package}/bad.py", source)
    assert len(found) == 1
    assert found[0].package == package


@pytest.mark.parametrize(
    ("package", "source"),
    [
        ("chaos", "import redis\nfrom . import history\n"),
        ("fixtures", "import pytest\nimport chaos.history\n"),
        ("system_under_test", "import jwt\nfrom .tokens import TokenCodec\n"),
    ],
)
def test_allowed_imports_pass(package: str, source: str) -> None:
    assert violations_in_source(package, f"{package}/ok.py", source) == []
