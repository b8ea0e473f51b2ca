"""What starting and driving a service can raise.

ServiceError
 +-- ServiceNotReady     readiness not reached before the deadline (or the process exited)
 +-- ServiceNotRunning   an action that needs a live process found none
"""

from __future__ import annotations

__all__ = ["ServiceError", "ServiceNotReady", "ServiceNotRunning"]


class ServiceError(RuntimeError):
    """Base of every service handle error."""


class ServiceNotReady(ServiceError):
    """The service did not become ready; the message carries what was seen and the log tail."""

    def __init__(self, service: str, timeout: float, seen: str, log_tail: str = "") -> None:
        message = f"{service} not ready after {timeout:.1f} s; last seen: {seen}"
        if log_tail:
            message += f"\n--- log tail of {service} ---\n{log_tail}"
        super().__init__(message)
        self.service = service
        self.timeout = timeout
        self.seen = seen
        self.log_tail = log_tail


class ServiceNotRunning(ServiceError):
    """The handle has no live process for the requested action."""

    def __init__(self, service: str, action: str) -> None:
        super().__init__(f"{service}: cannot {action}, the process is not running")
        self.service = service
        self.action = action
