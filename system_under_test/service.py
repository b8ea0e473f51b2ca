"""The state of one worker: settings, tokens, users, login limit, store and metrics.

service = Service.build(settings, users, slot=0)
await service.start(); ...; await service.close()
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass

from .admission import Admission
from .config import Settings
from .login_limit import LoginLimit
from .metrics import FLUSH_S, WorkerMetrics
from .revocation import RevocationStore, StoreSettings
from .tokens import TokenKeys, Tokens
from .users import UserDirectory

LOCAL_COPY_SAMPLE_S = 1.0


def store_settings(settings: Settings) -> StoreSettings:
    return StoreSettings(
        redis_url=settings.redis_url,
        sentinels=list(settings.sentinels),
        sentinel_service=settings.sentinel_service,
        failure_mode=settings.failure_mode,
        degraded_bound_s=settings.degraded_bound_s,
        redis_timeout_s=settings.redis_timeout_s,
        retries=settings.redis_retries,
        breaker_failures=settings.breaker_failures,
        breaker_reset_s=settings.breaker_reset_s,
        min_replicas=settings.min_replicas,
        replica_wait=settings.replica_wait,
        wait_timeout_ms=settings.wait_timeout_ms,
        leeway_s=settings.leeway_s,
        pool_size=settings.redis_pool_size,
    )


def token_keys(settings: Settings, secret: bytes) -> TokenKeys:
    if settings.jwt_alg == "HS256":
        return TokenKeys.hs256(secret)
    assert settings.jwt_private_key is not None
    assert settings.jwt_public_key is not None
    return TokenKeys.from_files(settings.jwt_alg, settings.jwt_private_key, settings.jwt_public_key)


@dataclass
class Service:
    settings: Settings
    worker_id: str
    tokens: Tokens
    users: UserDirectory
    store: RevocationStore
    login_limit: LoginLimit
    metrics: WorkerMetrics
    admission: Admission
    _gauges: asyncio.Task[None] | None = None
    _flusher: asyncio.Task[None] | None = None

    @classmethod
    def build(cls, settings: Settings, users: dict[str, str], slot: int, secret: bytes) -> Service:
        worker_id = f"w{slot}-{os.getpid()}"
        metrics = WorkerMetrics(worker_id)
        store = RevocationStore(store_settings(settings), worker_id, metrics)
        tokens = Tokens(
            token_keys(settings, secret),
            issuer=settings.issuer,
            audience=settings.audience,
            leeway_s=settings.leeway_s,
            access_ttl_s=settings.access_ttl_s,
            refresh_ttl_s=settings.refresh_ttl_s,
            cache_size=settings.verify_cache_size,
        )
        directory = UserDirectory(users, settings.hash_cost, queue=settings.login_queue)
        return cls(
            settings=settings,
            worker_id=worker_id,
            tokens=tokens,
            users=directory,
            store=store,
            login_limit=LoginLimit(
                store.incr_window, limit=settings.login_limit, window_s=settings.login_window_s
            ),
            metrics=metrics,
            admission=Admission(
                settings.max_in_flight, settings.max_queue_wait_s, login_full=directory.full
            ),
        )

    def family_exp(self) -> int:
        """A family revocation outlives every refresh token the family can still hold."""
        return int(time.time()) + self.settings.refresh_ttl_s

    async def start(self) -> None:
        self.metrics.worker_started()
        open_mode = self.settings.failure_mode == "open"
        self.metrics.degraded_bound(self.settings.degraded_bound_s if open_mode else 0.0)
        await self.store.start()
        self._gauges = asyncio.create_task(self._report_local_copy())
        self._flusher = asyncio.create_task(self._flush_metrics())

    async def _flush_metrics(self) -> None:
        """In-process request and check counts (and the pool gauge) to the metric files, every
        FLUSH_S."""
        while True:
            await asyncio.sleep(FLUSH_S)
            self.flush_metrics()

    def flush_metrics(self) -> None:
        self.store.report_pool()
        self.store.report_contact()
        admission = self.admission
        waiting = admission.waiting(0) + admission.waiting(1)
        self.metrics.admission(waiting, admission.read_longest_wait())
        self.metrics.flush()

    async def _report_local_copy(self) -> None:
        """auth_revocations_local: the store's local copy size, sampled once a second."""
        while True:
            self.metrics.revocations_local(len(self.store.local))
            await asyncio.sleep(LOCAL_COPY_SAMPLE_S)

    async def close(self) -> None:
        for task in (self._gauges, self._flusher):
            if task is not None:
                task.cancel()
        await self.store.close()
        self.metrics.flush()  # the last counts of a worker that stops
        self.users.close()
