"""Benchmarks of the reference service (and of any profiled service, ``--sut-profile``): they
print figures, they do not gate.

- ``python -m benchmarks.verify_vs_health``: wrk, ``/auth/verify`` against ``/health``.
- ``python -m benchmarks.load --preset 1k|5k|10k``: closed-loop virtual users, the source's mix.
- ``python -m benchmarks.login_capacity``: logins per second per core at a given hash cost.
- ``python -m benchmarks.soak --minutes 10``: memory and pool use over time, with a verdict.
- ``python -m benchmarks.locust_run``: the same mix with Locust (``locustfile.py``).
- ``python -m benchmarks.profile_verify``: py-spy over every worker under wrk.
- ``python -m benchmarks.compare``: the naive design and the reference (with and without its
  revocation check, and the /health ceiling) side by side under the same crowd.
- ``python -m benchmarks.pool_exhaustion``: the Redis pool driven to its limit.

Figures and findings: ``docs/performance.md``.
"""
