"""The revocation store: Redis-backed, fenced by timeouts and a breaker, with a local copy."""

from system_under_test.revocation.answer import (
    RevocationAnswer,
    RevocationCheck,
    RevocationUnavailable,
)
from system_under_test.revocation.metrics import NoStoreMetrics, StoreMetrics
from system_under_test.revocation.settings import StoreSettings
from system_under_test.revocation.store import READY_WARNING, RevocationStore

__all__ = [
    "READY_WARNING",
    "NoStoreMetrics",
    "RevocationAnswer",
    "RevocationCheck",
    "RevocationStore",
    "RevocationUnavailable",
    "StoreMetrics",
    "StoreSettings",
]
