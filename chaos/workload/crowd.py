"""One virtual user of the crowd, with the source report's mix, in a closed loop.

Log in; then, after a think time of 0.5-1.5 s each: verify its token (8 in 9), or log out,
verify the dead token (expect 401) and log in again (1 in 9). A failed login is retried
after the next think time. With one connection per worker, a user sends each request to the
next worker in turn: the dead token is verified on another worker than the one that logged
it out (revocation must cross workers), and every connection stays warm (a server closes a
connection idle past its keep-alive timeout, and reopening costs an accept on a busy worker).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chaos.profile import AuthApi, Check, HttpCall
from chaos.workload.http1 import Answer, Connection, TransportError
from chaos.workload.tally import SHED_SUFFIX, Tally

__all__ = [
    "REVOKED_ACCEPTED",
    "SHED_SUFFIX",
    "CrowdCall",
    "CrowdMix",
    "Judge",
    "VirtualUser",
    "judge_answer",
    "shed_mark",
]

REVOKED_ACCEPTED = "verify_revoked: 200 (REVOKED TOKEN ACCEPTED)"


@dataclass(frozen=True)
class CrowdMix:
    """Think time and how often a user logs out."""

    think_min_s: float = 0.5
    think_max_s: float = 1.5
    logout_share: float = 1 / 9


@dataclass(frozen=True)
class CrowdCall:
    """One finished call as the history wants it (picklable; monotonic ns, shared by the
    processes of one machine). ``status`` is None when no answer came (``error`` says why)."""

    user: int
    route: str  # login, verify, logout, verify_revoked
    slot: int  # the connection (worker URL) it went to
    start_ns: int
    end_ns: int
    status: int | None
    worker: str | None
    check: str | None  # X-Revocation-Check
    error: str | None  # the tally's error kind, None when answered as expected
    token: str | None  # the token sent, or the one a login obtained


# what a user hands each finished call to (the generator keeps some for the history)
Journal = Callable[[CrowdCall], None]
# route, answer, what its degraded signal said -> None when as expected, else the error kind
Judge = Callable[[str, Answer, str | None], str | None]


class VirtualUser:
    """Drives one connection per worker, in turn; records every request into the process's
    ``Tally`` and, with a ``journal``, hands it each finished call. The requests and how
    answers are read come from the service's profile (``api``)."""

    def __init__(
        self,
        connections: Sequence[Connection],
        credentials: tuple[str, str],
        tally: Tally,
        rng: random.Random,
        api: AuthApi,
        *,
        number: int = 0,
        journal: Journal | None = None,
        judge: Judge | None = None,
    ) -> None:
        self._connections = connections
        self._judge: Judge = judge or judge_answer
        self._turn = number  # the next request's connection: turn % len(connections)
        self._api = api
        self._login = api.login(credentials)
        self._tally = tally
        self._rng = rng
        self._number = number
        self._journal = journal
        header = api.profile.worker_header
        self._worker_header = header.lower().encode() if header else None
        signal = api.profile.degraded
        self._check_header = signal.header.lower().encode() if signal else None

    async def run(self, mix: CrowdMix, stop_at: float) -> None:
        """Act until ``stop_at`` (monotonic seconds); no new action starts after it."""
        try:
            token = await self._log_in()
            while True:
                think = self._rng.uniform(mix.think_min_s, mix.think_max_s)
                if time.monotonic() + think >= stop_at:
                    return
                await asyncio.sleep(think)
                if token is None:
                    token = await self._log_in()
                elif self._rng.random() < mix.logout_share:
                    if await self._logout(token):
                        await self._call("verify_revoked", self._api.verify(token), token)
                    token = await self._log_in()
                else:
                    await self._call("verify", self._api.verify(token), token)
        finally:
            for connection in self._connections:
                connection.close()

    def _check(self, answer: Answer) -> Check | None:
        if self._check_header is None:
            return None
        return self._api.check_of(_header(answer, self._check_header))

    async def _call(self, route: str, call: HttpCall, token: str | None) -> Answer | None:
        slot = self._turn % len(self._connections)
        self._turn += 1
        started_ns = time.monotonic_ns()
        answer: Answer | None = None
        try:
            answer = await self._connections[slot].request(call)
        except TransportError as exc:
            error: str | None = f"{route}: {exc.kind}"
        else:
            error = self._judge(route, answer, self._check(answer))
        ended_ns = time.monotonic_ns()
        if answer is not None and started_ns <= answer.received_ns <= ended_ns:
            ended_ns = answer.received_ns  # when it came, not when this loop got to it
        self._tally.record(route, (ended_ns - started_ns) / 1e3, error)
        if self._journal is not None:
            span = (slot, started_ns, ended_ns)
            self._journal(self._finished(route, span, answer, error=error, token=token))
        return answer

    def _finished(
        self, route: str, span: tuple[int, int, int], answer: Answer | None,
        *, error: str | None, token: str | None,
    ) -> CrowdCall:  # fmt: skip
        """``span``: the slot the call went to, when it started and ended (monotonic ns)."""
        status = worker = check = None
        if answer is not None:
            status = answer.status
            worker = _header(answer, self._worker_header) if self._worker_header else None
            check = self._check(answer)
            if route == "login" and status == 200:
                token = self._token(answer)
        return CrowdCall(self._number, route, *span, status, worker, check, error, token)

    def _token(self, answer: Answer) -> str | None:
        try:
            body = json.loads(answer.body) if answer.body else {}
        except ValueError:
            return None
        access, _ = self._api.tokens("login", body if isinstance(body, dict) else {},
                                    answer.cookies)  # fmt: skip
        return access

    async def _log_in(self) -> str | None:
        answer = await self._call("login", self._login, None)
        if answer is None or answer.status != 200:
            return None
        return self._token(answer)

    async def _logout(self, token: str) -> bool:
        answer = await self._call("logout", self._api.logout(token), token)
        return answer is not None and 200 <= answer.status < 300


def _header(answer: Answer, name: bytes) -> str | None:
    value = answer.headers.get(name)
    return value.decode(errors="replace") if value is not None else None


REFUSED = frozenset({401, 403})  # how a service refuses a token (the contract's is 401)


def judge_answer(route: str, answer: Answer, check: str | None = None) -> str | None:
    """None when ``answer`` is what the contract promises for ``route``, else the error kind.
    ``check``: what the answer's degraded signal said (None: the service gives none)."""
    if route == "verify_revoked":
        if answer.status in REFUSED:
            return None
        if answer.status == 200:
            return REVOKED_ACCEPTED
        return f"verify_revoked: {answer.status}{shed_mark(answer)}"
    if not 200 <= answer.status < 300:
        return f"{route}: {answer.status}{shed_mark(answer)}"
    if route == "verify" and check is not None and check != "enforced":
        return f"verify: 200 {check}"
    return None


def shed_mark(answer: Answer) -> str:
    """SHED_SUFFIX for a documented overload answer (429 or 503 with Retry-After), else ""."""
    if answer.status in (429, 503) and b"retry-after" in answer.headers:
        return SHED_SUFFIX
    return ""
