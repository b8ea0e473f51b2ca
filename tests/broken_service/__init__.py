"""A deliberately broken auth service: the gate's negative control. NEVER part of
``system_under_test``. Same CLI subset and routes as the reference service, two bugs:

- verify trusts a per-process "not revoked" cache for 2 s (stale accepts: I1; and during a
  Redis loss it answers ``enforced`` from the cache: I2);
- logout answers 200 even when the Redis write failed (logout overstates: I4).

    python -m tests.broken_service --port 8000 --redis-url redis://127.0.0.1:6379/0
"""
