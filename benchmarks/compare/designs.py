"""The four designs the comparison runs, one after the other, under the same crowd:

- ``naive``: the source report's design (``examples/naive/``), from its profile; SHA-256
- ``reference``: the reference service on one shared port, scrypt at ``--hash-cost``
- ``no-revocation``: the reference with ``--bench-skip-revocation-check`` (verify never
  reads the revocation list)
- ``ceiling``: every request of the mix sent to ``GET /health`` of the reference's workers

Same workers, same accounts (written to each service's users file), same generator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from chaos.profile import ServiceProfile, load_profile, reference_profile
from chaos.workload.crowd_table import hash_cost_label

__all__ = [
    "DESIGN_KEYS",
    "NAIVE_PROFILE",
    "REFERENCE_COMMAND",
    "Design",
    "build_designs",
    "reference_for_benchmarks",
]

NAIVE_PROFILE = Path(__file__).resolve().parents[2] / "examples" / "naive" / "profile.toml"
# the reference as the load benchmarks run it: one port shared by the workers (as uvicorn
# --workers N runs the naive design), so each virtual user holds one connection in both
REFERENCE_COMMAND = (
    "{python} -m system_under_test --host 127.0.0.1 --port {port} --workers {workers} "
    "--redis-url {redis_url} --users-file {users_file} {args}"
)
DESIGN_KEYS = ("naive", "reference", "no-revocation", "ceiling")
SKIP_FLAG = "--bench-skip-revocation-check"
CEILING_PATH = "/health"


@dataclass(frozen=True)
class Design:
    """One design: the profile it is started and called with, the flags it gets, how its
    passwords are hashed (printed), and what a revoked token accepted means for it."""

    key: str
    title: str
    profile: ServiceProfile
    args: tuple[str, ...]
    hashing: str
    ceiling_path: str | None = None  # every request to this route (chaos.workload.ceiling)
    checks_revocation: bool = True  # False: a revoked token accepted is the design, counted apart


def reference_for_benchmarks() -> ServiceProfile:
    """``profiles/reference.toml`` on one shared port, hash cost and flags through {args}."""
    return replace(reference_profile(), command=REFERENCE_COMMAND, port_per_worker=False)


def build_designs(
    keys: Sequence[str], *, hash_cost: int, naive_profile: Path = NAIVE_PROFILE
) -> list[Design]:
    """The designs named by ``keys`` (a subset of DESIGN_KEYS), in the order given."""
    unknown = [key for key in keys if key not in DESIGN_KEYS]
    if unknown:
        raise ValueError(f"unknown design {unknown[0]!r}; known: {', '.join(DESIGN_KEYS)}")
    reference = reference_for_benchmarks()
    cost = ("--hash-cost", str(hash_cost))
    scrypt = hash_cost_label(hash_cost).removeprefix("hash cost: ")
    made = {
        "naive": lambda: Design(
            "naive", "naive design (examples/naive)", load_profile(naive_profile), (),
            "unsalted SHA-256 (the naive design's own)",
        ),
        "reference": lambda: Design(
            "reference", "reference service", reference, cost, scrypt,
        ),
        "no-revocation": lambda: Design(
            "no-revocation", "reference, revocation check off", reference, (*cost, SKIP_FLAG),
            scrypt, checks_revocation=False,
        ),
        "ceiling": lambda: Design(
            "ceiling", "ceiling: GET /health on the reference's workers", reference, cost,
            f"none (no login: every request is GET {CEILING_PATH})", ceiling_path=CEILING_PATH,
        ),
    }  # fmt: skip
    return [made[key]() for key in keys]
