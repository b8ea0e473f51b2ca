"""The overload goals of the reference against the naive design, judged from one comparison.

    for goal in overload_goals(runs): print(goal.users, goal.name, goal.verdict)

At 10,000 users: requests answered as expected per second at least twice the naive
design's and at least as many successful logins; at 5,000 users: answered as expected at
least 1.5 times, and 90% of logins ok; at every load: the shed answers (429/503 +
Retry-After) came within 50 ms at p99. (The p99 at most a tenth of the naive design's and 0
unexpected are ``figures.goals``'s, judged beside these.) A goal whose figures are missing (a
design not run, nothing shed) is ``unknown``, never met.
"""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.compare.figures import Goal, RunFigures, find_run, ratio

__all__ = ["EXPECTED_RATIO", "LOGIN_OK_SHARE", "SHED_P99_MS", "overload_goals"]

EXPECTED_RATIO = {10_000: 2.0, 5_000: 1.5}  # reference answered-as-expected/s over naive's
LOGIN_OK_SHARE = 0.9  # at 5,000 users
SHED_P99_MS = 50.0


def overload_goals(runs: Sequence[RunFigures]) -> list[Goal]:
    """The goals at every load of ``runs``; the naive comparisons at 5,000 and 10,000."""
    out: list[Goal] = []
    for users in sorted({r.users for r in runs}):
        reference = find_run(runs, "reference", users)
        naive = find_run(runs, "naive", users)
        if users in EXPECTED_RATIO:
            out.append(_expected_goal(users, reference, naive))
        if users == 10_000:
            out.append(_logins_goal(users, reference, naive))
        if users == 5_000:
            out.append(_login_ok_goal(users, reference))
        out.append(_shed_goal(users, reference))
    return out


def _expected_goal(users: int, reference: RunFigures | None, naive: RunFigures | None) -> Goal:
    wanted = EXPECTED_RATIO[users]
    name = f"reference answered as expected/s >= {wanted:g} x naive"
    if reference is None or naive is None:
        return Goal(users, name, None, "-", "reference and naive both needed")
    value = ratio(reference.expected_per_s, naive.expected_per_s)
    if value is None:
        return Goal(users, name, None, "-", "the naive design answered nothing as expected")
    figure = f"{reference.expected_per_s:,.0f} / {naive.expected_per_s:,.0f} per s = {value:.2f}"
    return Goal(users, name, value >= wanted, figure)


def _logins_goal(users: int, reference: RunFigures | None, naive: RunFigures | None) -> Goal:
    name = "reference successful logins >= naive's"
    if reference is None or naive is None:
        return Goal(users, name, None, "-", "reference and naive both needed")
    figure = f"{reference.logins_ok:,} / {naive.logins_ok:,}"
    return Goal(users, name, reference.logins_ok >= naive.logins_ok, figure)


def _login_ok_goal(users: int, reference: RunFigures | None) -> Goal:
    name = f"reference login ok >= {LOGIN_OK_SHARE:.0%}"
    if reference is None:
        return Goal(users, name, None, "-", "reference not run")
    share = reference.routes["login"].ok_share
    if share is None:
        return Goal(users, name, None, "-", "no login sent")
    return Goal(users, name, share >= LOGIN_OK_SHARE, f"{share:.1%}")


def _shed_goal(users: int, reference: RunFigures | None) -> Goal:
    name = f"reference shed answers within {SHED_P99_MS:g} ms at p99"
    if reference is None:
        return Goal(users, name, None, "-", "reference not run")
    if not reference.shed or reference.shed_p99_ms is None:
        return Goal(users, name, None, "-", "nothing was shed: no shed answer to time")
    figure = f"p99 {reference.shed_p99_ms:,.1f} ms over {reference.shed:,} shed"
    return Goal(users, name, reference.shed_p99_ms <= SHED_P99_MS, figure)
