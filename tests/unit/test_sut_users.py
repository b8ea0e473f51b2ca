"""Seeding users: plain passwords hashed once, precomputed hashes taken as they are."""

from pathlib import Path

import pytest

from system_under_test import passwords
from system_under_test.config import ConfigError, parse_settings
from system_under_test.users import load_users

COST = 2**10


def test_a_users_file_mixes_plain_and_precomputed_and_flags_add_to_it(tmp_path: Path) -> None:
    precomputed = passwords.hash_password("carol-pw", COST)
    users_file = tmp_path / "users.txt"
    users_file.write_text(f"# comment\n\nalice:alice-pw\ncarol:{precomputed}\n")
    settings = parse_settings(
        ["--users-file", str(users_file), "--user", "bob:b:o:b", "--hash-cost", str(COST)], {}
    )
    users = load_users(settings)
    assert set(users) == {"alice", "bob", "carol"}
    assert users["carol"] == precomputed
    assert "alice-pw" not in users["alice"]
    assert passwords.verify_password("alice-pw", users["alice"])
    assert passwords.verify_password("b:o:b", users["bob"])  # only the first colon splits


@pytest.mark.parametrize("line", ["no-colon", "bad name:pw", "dave:$scrypt$n=3,r=8,p=1$x$y"])
def test_a_bad_line_is_refused_with_its_place(tmp_path: Path, line: str) -> None:
    users_file = tmp_path / "users.txt"
    users_file.write_text(f"alice:pw\n{line}\n")
    settings = parse_settings(["--users-file", str(users_file)], {})
    with pytest.raises(ConfigError, match=r"users\.txt:2"):
        load_users(settings)
