"""uvicorn's httptools protocol, with its own 400 (unparsable HTTP) answered as a JSON error,
and bounds on the time a request head, then its body, may take to arrive (slowloris).

    protocol = with_header_timeout(5.0, body_s=10.0)   # uvicorn.Config(app, http=protocol, ...)

The X-Worker-Id header rides on uvicorn's default headers, so these answers carry it too.
uvicorn times out only the idle gap between requests (``timeout_keep_alive``); a head that
trickles in a byte at a time, or stops half-way, would hold its connection forever; so would
a body that stops after a complete head.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .errors import error_body

DEFAULT_HEADER_TIMEOUT_S = 5.0  # the worker sets --header-timeout
DEFAULT_BODY_TIMEOUT_S = 10.0  # the worker sets --body-timeout


class JsonErrorsProtocol(HttpToolsProtocol):
    """Closes a connection whose request head is not complete ``header_timeout_s`` after the
    connection was made (or after the request's first byte, on a kept-alive connection), or
    whose body is not complete ``body_timeout_s`` after its head."""

    header_timeout_s = DEFAULT_HEADER_TIMEOUT_S
    body_timeout_s = DEFAULT_BODY_TIMEOUT_S
    _head_timer: asyncio.TimerHandle | None = None
    _body_timer: asyncio.TimerHandle | None = None

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
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        self._arm_head_timer()
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._disarm_head_timer()
        super().on_headers_complete()
        if not self.transport.is_closing():  # the rest of the message may still come slowly
            self._body_timer = self.loop.call_later(self.body_timeout_s, self._body_timed_out)

    def on_message_complete(self) -> None:
        self._disarm_body_timer()
        super().on_message_complete()

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


def with_header_timeout(
    seconds: float, body_s: float = DEFAULT_BODY_TIMEOUT_S
) -> type[JsonErrorsProtocol]:
    """The protocol class with its head-read bound set to ``seconds``, its body bound to
    ``body_s``."""
    bounds = {"header_timeout_s": seconds, "body_timeout_s": body_s}
    return type("JsonErrorsProtocol", (JsonErrorsProtocol,), bounds)
