"""I4, logout never overstates: every logout answered 200 has its revocation in Redis
afterwards (the service's revocation keys, read at the end of the run), or, for a service
whose key scheme is unknown, its token is refused after the load and after a restart of
the service (``logouts_refused_after``)."""

from __future__ import annotations

from collections.abc import Collection

from chaos.checkers.acknowledged_logouts import acknowledged_logouts, missing_revocations
from chaos.checkers.verdict import UNKNOWN, Verdict, capped
from chaos.history import CHECKER, RESTART_CHECKER, Call, History

INVARIANT = "I4"
UNIT = "acknowledged logouts"


def logout_overstates(
    history: History,
    revoked_jtis: Collection[str] | None,
    *,
    read_at_epoch_s: float | None = None,
) -> Verdict:
    """``revoked_jtis``: the jtis of the ``revoked:*`` keys read from Redis at the end (None
    if Redis could not be read). With ``read_at_epoch_s``, a logout whose token expired
    (``value["exp"]``) before the read is skipped: its key may rightly have expired."""
    acknowledged, expired = acknowledged_logouts(history, read_at_epoch_s)
    figures: dict[str, object] = {
        "logouts_acknowledged": len(acknowledged),
        "skipped_expired": expired,
        "revoked_keys_read": None if revoked_jtis is None else len(revoked_jtis),
    }
    if revoked_jtis is None:
        return Verdict(
            INVARIANT,
            UNKNOWN,
            figures,
            message="I4 unknown: the revoked keys could not be read from Redis after the run",
            evidence=0,
            unit=UNIT,
        )
    missing = missing_revocations(acknowledged, revoked_jtis)
    figures["missing"] = len(missing)
    if missing:
        first = missing[0]
        return Verdict(
            INVARIANT,
            False,
            figures,
            capped(c.op for c in missing),
            (
                f"I4 violated: {len(missing)} of {len(acknowledged)} logouts answered 200 but "
                f"their revocation is missing from Redis; first: token jti {first.jti or '-'}, "
                f"worker {first.worker}, at {first.op.wall_time}"
            ),
            len(acknowledged),
            UNIT,
        )
    if not acknowledged:
        return Verdict(
            INVARIANT, UNKNOWN, figures, message="I4 unknown: no logout answered 200",
            evidence=0, unit=UNIT,
        )  # fmt: skip
    return Verdict(
        INVARIANT,
        True,
        figures,
        message=f"I4 holds: all {len(acknowledged)} acknowledged revocations are in Redis",
        evidence=len(acknowledged),
        unit=UNIT,
    )


def logouts_refused_after(history: History, *, read_at_epoch_s: float | None = None) -> Verdict:
    """I4 by behaviour, for a service whose revocation keys the gate cannot read: every
    acknowledged logout's token, verified after the load (process ``CHECKER``) and again
    after a restart of the service (``RESTART_CHECKER``), is refused each time. A token
    accepted then is a logout that overstated: nothing durable kept it revoked."""
    acknowledged, expired = acknowledged_logouts(history, read_at_epoch_s)
    rechecks: dict[tuple[str, int], list[Call]] = {}
    for call in history.calls():
        if call.f == "verify" and call.jti and call.invoke.process in (CHECKER, RESTART_CHECKER):
            rechecks.setdefault((call.jti, call.invoke.process), []).append(call)
    accepted: list[Call] = []
    judged = unchecked = 0
    for logout in acknowledged:
        after = [rechecks.get((str(logout.jti), p), []) for p in (CHECKER, RESTART_CHECKER)]
        answered = [c for phase in after for c in phase if c.status is not None]
        if not all(any(c.status is not None for c in phase) for phase in after):
            unchecked += 1
            continue
        judged += 1
        accepted += [c for c in answered if c.status == 200]
    figures: dict[str, object] = {
        "logouts_acknowledged": len(acknowledged), "skipped_expired": expired,
        "rechecked_after_heal_and_restart": judged, "not_rechecked": unchecked,
        "accepted_after": len(accepted),
    }  # fmt: skip
    if accepted:
        first = accepted[0]
        when = "after the restart" if first.invoke.process == RESTART_CHECKER else "after the load"
        return Verdict(
            INVARIANT, False, figures, capped(c.op for c in accepted),
            f"I4 violated: {len(accepted)} verify(s) accepted a token whose logout was "
            f"acknowledged; first: token jti {first.jti or '-'}, worker {first.worker}, "
            f"{when}, at {first.op.wall_time}", judged, UNIT,
        )  # fmt: skip
    if judged == 0:
        why = (
            "no logout answered 200" if not acknowledged
            else "no acknowledged logout was re-checked after the load and after a restart"
        )  # fmt: skip
        return Verdict(
            INVARIANT, UNKNOWN, figures, message=f"I4 unknown: {why}", evidence=0, unit=UNIT
        )
    return Verdict(
        INVARIANT, True, figures,
        message=f"I4 holds: all {judged} acknowledged logouts refused after the load and after "
        "a restart of the service (revocation keys not read: their scheme is unknown)"
        + (f"; {unchecked} not re-checked" if unchecked else ""),
        evidence=judged, unit=UNIT,
    )  # fmt: skip
