"""Seeding users: plain passwords hashed once, precomputed hashes taken as they are."""

import asyncio
import os
import sys
import threading
from pathlib import Path

import pytest

from system_under_test import passwords
from system_under_test.config import ConfigError, parse_settings
from system_under_test.users import (
    HASH_NICENESS,
    HASH_POLICY,
    LoginOverloaded,
    UserDirectory,
    load_users,
    yield_to_the_loop,
)

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


POOLED_COST = 2**10  # 1 MiB of scrypt memory: past INLINE_MAX_BYTES, so checked in the pool


def test_the_directory_is_full_while_its_queue_of_pooled_checks_is_taken() -> None:
    async def scenario() -> None:
        stored = passwords.hash_password("alice-pw", POOLED_COST)
        directory = UserDirectory({"alice": stored}, POOLED_COST, threads=1, queue=1)
        try:
            assert not directory.inline("alice")
            assert not directory.full()
            check = asyncio.ensure_future(directory.check("alice", "alice-pw"))
            await asyncio.sleep(0)  # one loop turn: the check is submitted and counted
            assert directory.full()
            with pytest.raises(LoginOverloaded):
                await directory.check("alice", "alice-pw")
            assert await check is True
            assert not directory.full()
        finally:
            directory.close()

    asyncio.run(scenario())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority is Linux's")
def test_a_hashing_thread_runs_at_the_idle_policy_and_nicer_than_the_thread_that_started_it() -> (
    None
):
    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def policy() -> int:
        return os.sched_getscheduler(threading.get_native_id())

    before, policy_before = niceness(), policy()
    seen: list[tuple[int, int]] = []

    def hashing_thread() -> None:
        yield_to_the_loop()
        seen.append((niceness(), policy()))

    thread = threading.Thread(target=hashing_thread)
    thread.start()
    thread.join(timeout=10)
    assert HASH_POLICY == os.SCHED_IDLE
    assert seen == [(max(before, HASH_NICENESS), os.SCHED_IDLE)]
    assert policy() == policy_before  # the loop's thread keeps its policy
    assert niceness() == before  # the loop's thread keeps its priority
