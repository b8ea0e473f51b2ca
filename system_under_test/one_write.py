"""One send() per answer: the response head is held until the body's first write joins it,
and the front's own answers skip ASGI's two send messages altogether.

    held = HeldHead(transport, cycle)  # the request's cycle writes to it (http_protocol.py)
    # cycle.send(start) holds the head, cycle.send(body) sends both in one write
    held.flush()                       # when the request's task ends (a HEAD answer has no body)

uvicorn writes a response's head and its body with two ``transport.write`` calls, so two
``send()`` system calls, each of which on loopback runs the receiver's TCP path too and may
wake it twice. Holding the head costs a few attribute lookups; only the first write made after
the response started is held (a ``100 Continue`` goes out at once), and anything else asked of
the transport (close, is_closing, ...) sends what is held first.

The front layer's answers (verify, /health, login, logout, refresh: status, body and a few
headers it built itself) go further: the protocol puts ``answer_now(status, body, headers)``
in the request's ASGI scope under ANSWER_NOW, and the front calls it instead of sending
``http.response.start`` and ``http.response.body`` through uvicorn's ``send`` (two awaits,
two message dicts, a regular expression per header, and the held head). Under another ASGI
server the key is absent and the front sends as usual.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

ANSWER_NOW = "auth_chaos.answer_now"  # the scope["extensions"] key of the protocol's writer


class _Cycle(Protocol):
    response_started: bool


class _Done:
    response_started = True


_DONE = _Done()


class HeldHead:
    """A transport proxy for one request's cycle."""

    __slots__ = ("_cycle", "_head", "_started", "_transport")

    def __init__(self, transport: asyncio.Transport, cycle: _Cycle) -> None:
        self._transport = transport
        self._cycle = cycle
        self._head: bytes | None = None
        self._started = False  # the head was seen (held, then sent)

    def write(self, data: bytes) -> None:
        head = self._head
        if head is not None:
            self._head = None
            self._transport.write(head + data)
        elif not self._started and self._cycle.response_started:
            self._started = True
            self._head = data
        else:
            self._transport.write(data)

    def flush(self, _: object = None) -> None:
        """Send a held head (also a task's done callback)."""
        head = self._head
        if head is not None:
            self._head = None
            self._transport.write(head)

    def release(self) -> None:
        """Forget the request's cycle (it holds this proxy: a reference cycle)."""
        self._cycle = _DONE

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        self.flush()
        return getattr(self._transport, name)
