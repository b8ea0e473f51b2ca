"""uvicorn's httptools protocol, with its own 400 (unparsable HTTP) answered as a JSON error,
bounds on the time a request head, then its body, may take to arrive (slowloris), and each
parsed request handed to the worker's admission (admission.py) instead of started at once.

    protocol = with_header_timeout(
        5.0, body_s=10.0, admission=admission, shed_answer=front.shed, direct=front.direct
    )
    uvicorn.Config(app, http=protocol, ...)

``direct(scope, answer)`` (the front's) may take a request without an ASGI task: it returns
True and calls ``answer((status, body, headers))`` once, now or from a callback (a verify's
answer comes from the Redis batch that read its keys, with no task to resume per request).

The X-Worker-Id header rides on uvicorn's default headers, so these answers carry it too.
uvicorn times out only the idle gap between requests (``timeout_keep_alive``); a head that
trickles in a byte at a time, or stops half-way, would hold its connection forever; so would
a body that stops after a complete head.

A kept-alive connection between two requests holds nothing of the last one. uvicorn keeps the
finished request's cycle, scope and headers until the next request replaces them, and arms a
timer per answer for the idle gap: about 25 objects per connection that the cyclic collector
walks at its every young collection (at 10,000 connections a worker, 75,000-100,000 objects,
pauses growing to 90 ms of CPU in a run; docs/performance.md "Fourth round"). Here the answer
lets them go, and the idle gap is a time stamp that the worker's tick reads once a second
(``close_idle``), so a connection is closed 5-6 s after its last answer instead of at 5 s.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from uvicorn.protocols.http.httptools_impl import (
    STATUS_LINE,
    HttpToolsProtocol,
    RequestResponseCycle,
)

from .admission import LOGIN, SESSION, Admission
from .errors import error_body
from .one_write import ANSWER_NOW, HeldHead

Answer = tuple[int, bytes, list[tuple[bytes, bytes]]]  # status, body, extra headers
# never queued nor shed: liveness, readiness and the metrics scrape must answer in overload
UNMETERED = frozenset({"/health", "/ready", "/metrics"})
# how long a connection is not read after its second shed answer in a row within this time:
# long enough that a client retrying in a loop costs at most two parses a half second, short
# enough that a user's next action (a think time of half a second or more) is read at once.
# One shed holds nothing: a client's next request right after it (a login after a refused
# logout) is read at once, not answered half a second late (docs/performance.md "Fourth round")
HOLD_AFTER_SHED_S = 0.5

NOTHING, HEAD, BODY = 0, 1, 2  # what of a request is still to come
DEFAULT_HEADER_TIMEOUT_S = 5.0  # the worker sets --header-timeout
DEFAULT_BODY_TIMEOUT_S = 10.0  # the worker sets --body-timeout


class JsonErrorsProtocol(HttpToolsProtocol):
    """Closes a connection whose request head is not complete ``header_timeout_s`` after the
    connection was made (or after the request's first byte, on a kept-alive connection), or
    whose body is not complete ``body_timeout_s`` after its head."""

    header_timeout_s = DEFAULT_HEADER_TIMEOUT_S
    body_timeout_s = DEFAULT_BODY_TIMEOUT_S
    admission: Admission | None = None
    # (path, Retry-After seconds) -> the answer to a shed request, written at once
    shed_answer: Callable[[str, int], Answer] | None = None
    # (scope, answer) -> whether it took the request, to answer it without a task
    direct: Callable[[dict[str, Any], Callable[[Answer], None]], bool] | None = None
    _head_timer: asyncio.TimerHandle | None = None
    _body_timer: asyncio.TimerHandle | None = None
    _held: asyncio.TimerHandle | None = None  # reading paused after a shed, until this fires
    _last_shed = float("-inf")  # loop time of this connection's last shed answer
    _awaiting = 0  # NOTHING, HEAD or BODY: what of the current request has not come yet
    _idle_since = 0.0  # loop time of the last answer, while nothing more was asked; 0: busy

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout_s, self._head_timed_out)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            # debug, not info: one line per slow client would let them flood the log
            self.logger.debug("request head late after %.1f s: closed", self.header_timeout_s)
            self.transport.close()  # no answer: the client has not finished asking

    def _disarm_body_timer(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _body_timed_out(self) -> None:
        self._body_timer = None
        if not self.transport.is_closing():
            self.logger.debug("request body late after %.1f s: closed", self.body_timeout_s)
            self.transport.close()  # the app's receive() sees http.disconnect; no answer

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()  # a client that connects and sends nothing is bounded too

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        self._disarm_body_timer()
        if self._held is not None:
            self._held.cancel()
            self._held = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # the bounds are armed only for a head or a body still incomplete once the parser has
        # run over what came (a request in one segment arms no timer at all)
        if self._awaiting == NOTHING or self.transport.is_closing():
            return
        if self._awaiting == HEAD:
            self._arm_head_timer()
        elif self._body_timer is None:  # the rest of the message may still come slowly
            self._body_timer = self.loop.call_later(self.body_timeout_s, self._body_timed_out)

    def _unset_keepalive_if_required(self) -> None:  # uvicorn calls it when data comes
        self._idle_since = 0.0
        super()._unset_keepalive_if_required()

    def on_response_complete(self) -> None:
        """uvicorn's, except for what an idle connection keeps: a time stamp instead of a
        timer, and none of the finished request's objects (its task or the front may still
        hold the cycle; this connection no longer does)."""
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
            return
        self._idle_since = self.loop.time()
        if self._awaiting == NOTHING:  # else the next request's head or body is coming in
            self.cycle = None  # type: ignore[assignment]
            self.scope = None  # type: ignore[assignment]
            self.headers = None  # type: ignore[assignment]

    def on_message_begin(self) -> None:
        self._awaiting = HEAD
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._disarm_head_timer()
        self._awaiting = BODY
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._awaiting = NOTHING
        self._disarm_body_timer()
        super().on_message_complete()

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        admission = self.admission
        scope = cycle.scope
        if admission is None or not admission.enabled or scope["path"] in UNMETERED:
            self._run(cycle, app, None)
            return
        login = scope["path"] == "/auth/login" and scope["method"] == "POST"
        admission.arrive(_Admitted(self, cycle, app), LOGIN if login else SESSION)

    def _run(self, cycle: RequestResponseCycle, app: Any, admission: Admission | None) -> None:
        """The front's direct answer when it takes the request, else uvicorn's own start of
        the request's task, with its answer sent in one write (one_write.py); the admission
        is told when either is done."""
        direct = self.direct
        if direct is not None and direct(cycle.scope, _Direct(self, cycle, admission).answer):  # type: ignore[arg-type]
            return
        held = HeldHead(self.transport, cycle)
        cycle.transport = held  # type: ignore[assignment]
        # an ASGI scope extension (uvicorn types its values as dicts; the front calls this one)
        cycle.scope["extensions"] = {ANSWER_NOW: partial(self.answer_now, cycle)}  # type: ignore[dict-item]
        coroutine = cycle.run_asgi(app)
        if self.config.reset_contextvars:
            task = self.loop.create_task(coroutine, context=contextvars.Context())
        else:
            task = self.loop.create_task(coroutine)
        task.add_done_callback(partial(_finished, held, cycle))
        task.add_done_callback(self.tasks.discard)
        if admission is not None:
            task.add_done_callback(admission.task_done)
        self.tasks.add(task)

    def answer_now(
        self,
        cycle: RequestResponseCycle,
        status: int,
        body: bytes,
        headers: list[tuple[bytes, bytes]],
    ) -> None:
        """Answer ``cycle`` in one write, without ASGI's send (a shed request, or an answer
        the front built itself), then carry on as uvicorn does after a response."""
        if cycle.disconnected or cycle.response_started:
            return  # nobody to answer, or uvicorn's own send already began one
        content = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.append(b"content-type: application/json\r\ncontent-length: %d\r\n" % len(body))
        for name, value in headers:
            content.extend([name, b": ", value, b"\r\n"])
        if not cycle.keep_alive:
            content.append(b"connection: close\r\n")
        content.extend([b"\r\n", body])
        cycle.response_started = cycle.response_complete = True
        cycle.message_event.set()  # nothing will read the body: a receive() returns at once
        self.transport.write(b"".join(content))
        if not cycle.keep_alive:
            self.transport.close()
        cycle.on_response()

    def shed_answered(self, retry_after_s: int) -> None:
        """A shed answer was written: the second in a row within HOLD_AFTER_SHED_S (a retry
        loop) holds the connection; one alone holds nothing."""
        now = self.loop.time()
        if now - self._last_shed < HOLD_AFTER_SHED_S:
            self.hold(min(retry_after_s, HOLD_AFTER_SHED_S))
        self._last_shed = now

    def hold(self, seconds: float) -> None:
        """Read nothing more from this connection for ``seconds`` (after its second shed answer
        in a row): a client that retries at once waits in the kernel's buffer, at no cost here,
        instead of being read, parsed and shed again (a retry storm)."""
        if self.transport.is_closing() or self._held is not None:
            return
        self.flow.pause_reading()  # uvicorn's own flow control, so both agree on the state
        self._held = self.loop.call_later(seconds, self._release)

    def _release(self) -> None:
        self._held = None
        if not self.transport.is_closing():
            self.flow.resume_reading()

    def send_400_response(self, msg: str) -> None:
        body = error_body("invalid_request", msg)
        content = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: application/json\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()


class _Direct:
    """The one answer to a request the front took without a task."""

    __slots__ = ("admission", "cycle", "protocol")

    def __init__(
        self, protocol: JsonErrorsProtocol, cycle: RequestResponseCycle, admission: Admission | None
    ) -> None:
        self.protocol: JsonErrorsProtocol | None = protocol
        self.cycle = cycle
        self.admission = admission

    def answer(self, answer: Answer) -> None:
        protocol = self.protocol
        if protocol is None:
            return  # answered already
        self.protocol = None
        try:
            protocol.answer_now(self.cycle, *answer)
        finally:
            if self.admission is not None:
                self.admission.finished()


class _Admitted:
    """One parsed request as the admission sees it (admission.Pending)."""

    __slots__ = ("app", "cycle", "protocol")

    def __init__(self, protocol: JsonErrorsProtocol, cycle: RequestResponseCycle, app: Any):
        self.protocol = protocol
        self.cycle = cycle
        self.app = app

    def start(self) -> None:
        protocol = self.protocol
        assert protocol.admission is not None
        protocol._run(self.cycle, self.app, protocol.admission)

    def shed(self, retry_after_s: int) -> None:
        protocol = self.protocol
        assert protocol.shed_answer is not None
        answer = protocol.shed_answer(self.cycle.scope["path"], retry_after_s)
        protocol.answer_now(self.cycle, *answer)
        protocol.shed_answered(retry_after_s)

    def gone(self) -> bool:
        return self.cycle.disconnected or self.protocol.transport.is_closing()


def with_header_timeout(
    seconds: float,
    body_s: float = DEFAULT_BODY_TIMEOUT_S,
    *,
    admission: Admission | None = None,
    shed_answer: Callable[[str, int], Answer] | None = None,
    direct: Callable[[dict[str, Any], Callable[[Answer], None]], bool] | None = None,
) -> type[JsonErrorsProtocol]:
    """The protocol class with its head-read bound set to ``seconds``, its body bound to
    ``body_s``, (optionally) the worker's admission with what answers its sheds, and what
    answers requests without a task."""
    if admission is not None and shed_answer is None:
        raise ValueError("an admission needs the shed_answer that answers its shed requests")
    attributes = {
        "header_timeout_s": seconds,
        "body_timeout_s": body_s,
        "admission": admission,
        "shed_answer": shed_answer,
        "direct": direct,
    }
    return type("JsonErrorsProtocol", (JsonErrorsProtocol,), attributes)


def close_idle(connections: Iterable[object], now: float, idle_s: float) -> int:
    """Close every connection of ours idle for ``idle_s`` or longer (uvicorn's keep-alive
    timeout, read once a second by the worker's tick); how many were closed."""
    cutoff = now - idle_s  # a loop over every connection: 1 ms a second at 10,000 of them
    idle = [
        connection
        for connection in connections
        if isinstance(connection, JsonErrorsProtocol) and 0 < connection._idle_since <= cutoff
    ]
    for connection in idle:
        connection.timeout_keep_alive_handler()  # closes its transport unless closing already
    return len(idle)


def _finished(held: HeldHead, cycle: RequestResponseCycle, _: object) -> None:
    """Send a head still held and break the request's reference cycles (cycle -> held ->
    cycle, cycle -> scope -> answer_now -> cycle), so that its memory goes back at once
    rather than at the cyclic collector's next full pass, a pause of tens of ms."""
    held.flush()
    held.release()
    cycle.scope.pop("extensions", None)
