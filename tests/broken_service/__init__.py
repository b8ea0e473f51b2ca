"""A deliberately broken auth service: the gate's negative control. NEVER part of
``system_under_test``. Same CLI subset and routes as the reference service, two bugs:

- verify trusts a per-process "not revoked" cache for 2 s (stale accepts: I1; and during a
  Redis loss it answers ``enforced`` from the cache: I2);
- logout answers 200 even when the Redis write failed (logout overstates: I4).

With ``--undercount-degraded`` a third: ``/metrics`` serves ``auth_revocation_degraded_total``
but counts only every second ``degraded`` answer (the I2-counter check's negative control);
without it ``/metrics`` answers 404.

    python -m tests.broken_service --port 8000 --redis-url redis://127.0.0.1:6379/0
"""
