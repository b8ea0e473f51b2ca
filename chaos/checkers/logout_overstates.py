"""I4, logout never overstates: every logout answered 200 has its ``revoked:<jti>`` key in
Redis afterwards (read at the end of the run)."""

from __future__ import annotations

from collections.abc import Collection

from chaos.checkers.acknowledged_logouts import acknowledged_logouts, missing_revocations
from chaos.checkers.verdict import UNKNOWN, Verdict, capped
from chaos.history import History

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
