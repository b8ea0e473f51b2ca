"""I9, only documented statuses: every answer's status is in its route's table of the
contract (no 500, nothing else), no call hangs (a timeout is a hang), and a verify 200 names
the token that was sent (a crossed reply, as after a cancelled Redis command corrupted a
connection, answers for another token)."""

from __future__ import annotations

from collections.abc import Mapping

from chaos.checkers.verdict import UNKNOWN, Verdict, capped
from chaos.history import Call, History

INVARIANT = "I9"
UNIT = "calls"

# the contract's API table, with refresh's 503 as docs/service.md documents it: rotation
# writes a revocation, so without Redis it answers like logout does
DOCUMENTED_STATUSES: Mapping[str, frozenset[int]] = {
    "login": frozenset({200, 401, 422, 429}),
    "verify": frozenset({200, 401, 503}),
    "logout": frozenset({200, 401, 503}),
    "refresh": frozenset({200, 401, 422, 503}),
}


def documented_statuses(
    history: History,
    allowed: Mapping[str, frozenset[int]] = DOCUMENTED_STATUSES,
) -> Verdict:
    undocumented: list[tuple[str, Call]] = []
    answered = hangs = 0
    for call in history.calls():
        if call.f not in allowed:
            continue
        done = call.completion
        if done is None or (done.status is None and "timeout" in (done.error or "")):
            hangs += 1
            undocumented.append(("hang (no answer before the client deadline)", call))
            continue
        if done.status is None:
            continue  # refused or dropped connection: the worker was not there to answer
        answered += 1
        if done.status not in allowed[call.f]:
            undocumented.append((f"status {done.status} not documented for {call.f}", call))
        elif call.f == "verify" and done.status == 200 and _crossed(call):
            undocumented.append(("verify 200 answered for another token", call))
    figures = {"answered": answered, "hangs": hangs, "undocumented": len(undocumented) - hangs}
    if undocumented:
        reason, call = undocumented[0]
        return Verdict(
            INVARIANT,
            False,
            figures,
            capped(c.op for _, c in undocumented),
            (
                f"I9 violated: {len(undocumented)} call(s) outside the contract; first: {reason}: "
                f"token jti {call.jti or '-'}, worker {call.worker}, at {call.op.wall_time}"
            ),
            answered + hangs,
            UNIT,
        )
    if answered == 0:
        return Verdict(
            INVARIANT, UNKNOWN, figures, message="I9 unknown: no call was answered", evidence=0,
            unit=UNIT,
        )  # fmt: skip
    return Verdict(
        INVARIANT, True, figures, message=f"I9 holds: all {answered} answers documented, no hang",
        evidence=answered, unit=UNIT,
    )  # fmt: skip


def _crossed(call: Call) -> bool:
    """The answer's sub/jti (when given) differ from the token's."""
    answered = call.op.value
    for claim, sent in (("answered_jti", call.invoke.jti), ("answered_sub", call.invoke.sub)):
        got = answered.get(claim)
        if got is not None and sent is not None and got != sent:
            return True
    return False
