"""Password hashes: scrypt, self-describing, and refusals of malformed stored hashes."""

import pytest

from system_under_test import passwords

COST = 2**10  # the cheapest cost the tests can use; the format is the same at any cost


def test_a_password_verifies_against_its_hash_and_nothing_else() -> None:
    stored = passwords.hash_password("correct horse", COST)
    assert stored.startswith(f"$scrypt$n={COST},r=8,p=1$")
    assert passwords.verify_password("correct horse", stored)
    assert not passwords.verify_password("correct horsf", stored)
    assert not passwords.verify_password("", stored)


def test_two_hashes_of_one_password_differ_by_salt() -> None:
    assert passwords.hash_password("pw", COST) != passwords.hash_password("pw", COST)


@pytest.mark.parametrize(
    "stored",
    [
        "plain",
        "$scrypt$",
        "$scrypt$n=1000,r=8,p=1$c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5",
        "$scrypt$n=1024,r=8$c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5",
        "$scrypt$n=1024,r=8,p=1$c2FsdA$a2V5",
        "$scrypt$n=1024,r=8,p=1$c2FsdA",
    ],
)
def test_a_malformed_hash_is_refused(stored: str) -> None:
    with pytest.raises(passwords.MalformedHash):
        passwords.verify_password("pw", stored)


@pytest.mark.parametrize(
    ("cost", "valid"), [(2**15, True), (2**4, True), (1000, False), (8, False)]
)
def test_cost_must_be_a_power_of_two_in_range(cost: int, valid: bool) -> None:
    assert passwords.is_valid_cost(cost) is valid


def test_the_cli_prints_a_hash_usable_in_a_users_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert passwords.main(["pw", str(COST)]) == 0
    stored = capsys.readouterr().out.strip()
    assert passwords.verify_password("pw", stored)
    assert passwords.main(["pw", "1000"]) == 2
