"""One HTTP call recorded as invoke + completion, and what its answer carries into the
history (shared by the workload clients and the gate's probes).

The request comes from the service profile (``chaos.profile.AuthApi``), and the answer is
read with it: the worker that answered (its header, or else the process holding the
connection, ``ConnectionOwners``), whether the revocation list was checked (the degraded
signal), the tokens a login or refresh obtained, and a ``Retry-After``.

    reply = await recorded_call(http, history, process, "verify", api.verify(token), api=api,
                                url=url, token=token)
    reply.op, reply.access, reply.refresh
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from chaos.history import History, Op
from chaos.profile import AuthApi, HttpCall
from chaos.services.process_tree import ProcessTree
from chaos.workload.outcome import outcome_of_error, outcome_of_status
from chaos.workload.tokens import token_fields

__all__ = ["AuthAnswer", "ConnectionOwners", "json_body", "recorded_call"]

TOKEN_ROUTES = ("login", "refresh")


@dataclass(frozen=True)
class AuthAnswer:
    """What a call got back: the recorded completion, the JSON body ({} if none), and the
    tokens a login or refresh answer carried."""

    op: Op
    body: dict[str, Any]
    access: str | None = None
    refresh: str | None = None


class ConnectionOwners:
    """Names the worker of a call by the process holding its connection's server side, for
    a service that does not name it in a header (``pid-<pid>``; None when unknown)."""

    def __init__(self, tree: ProcessTree) -> None:
        self.tree = tree
        self._known: dict[tuple[int, int], str] = {}  # (id(stream), client port) -> name

    def name(self, stream: Any) -> str | None:
        port = _client_port(stream)
        if port is None:
            return None
        key = (id(stream), port)
        if key not in self._known:
            owner = self.tree.owner_of(port)
            if owner is None:
                return None
            self._known[key] = f"pid-{owner}"
        return self._known[key]


def _client_port(stream: Any) -> int | None:
    if stream is None:
        return None
    try:
        address = stream.get_extra_info("client_addr")
    except OSError:  # the connection was closed after the answer
        return None
    return int(address[1]) if isinstance(address, tuple) and len(address) >= 2 else None


def json_body(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of an answer; {} when the body is no JSON object."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def answer_fields(
    response: httpx.Response, body: Mapping[str, Any], api: AuthApi
) -> dict[str, Any]:
    """Status, answering worker, revocation check, error kind, Retry-After."""
    headers = response.headers
    done: dict[str, Any] = {
        "status": response.status_code,
        "worker": api.worker(headers),
        "revocation_check": api.check(headers),
    }
    if isinstance(body.get("error"), str):
        done["error"] = body["error"]
    retry_after = headers.get("retry-after")
    if retry_after is not None:
        done["value"] = {"retry_after": retry_after}
    return done


def _subject(f: str, status: int, body: Mapping[str, Any], access: str | None) -> dict[str, Any]:
    """The new token of a login/refresh, or the subject a 200 verify answered for."""
    if access is not None:
        return token_fields(access)  # login/refresh: the op is about the new token
    if f == "verify" and status == 200:
        return {"value": {"answered_sub": body.get("sub"), "answered_jti": body.get("jti")}}
    return {}


async def recorded_call(
    http: httpx.AsyncClient, history: History, process: int, f: str, call: HttpCall, *,
    api: AuthApi, url: str, token: str | None = None, about: str | None = None,
    subject: bool = True, owners: ConnectionOwners | None = None,
) -> AuthAnswer:  # fmt: skip
    """One recorded call of ``call`` on ``url``; ``token`` (or ``about``) names the token
    the op is about; ``subject=False`` leaves out what the answer says of its subject."""
    who = token or about
    fields: dict[str, Any] = token_fields(who) if who else {}
    invoke = history.invoke(process, f, target=url, **fields)
    opened: dict[str, Any] = {}

    async def trace(event: str, info: dict[str, Any]) -> None:
        if event == "connection.connect_tcp.complete":
            opened["stream"] = info.get("return_value")
        elif event == "http11.receive_response_headers.complete" and owners is not None:
            # while the connection is surely open: a client that keeps no connection alive
            # has closed it by the time the answer is read
            opened["worker"] = owners.name(opened.get("stream"))

    extensions = {"trace": trace} if owners is not None else {}
    try:
        response = await http.request(
            call.method, url + call.path, extensions=extensions, **call.httpx_args()
        )
    except httpx.HTTPError as exc:
        kind, error = outcome_of_error(exc)
        return AuthAnswer(history.complete(invoke, kind, error=error), {})
    body = json_body(response)
    done = answer_fields(response, body, api)
    if done["worker"] is None and owners is not None:
        stream = response.extensions.get("network_stream")
        done["worker"] = opened.get("worker") or owners.name(stream)
    access = refresh = None
    if f in TOKEN_ROUTES and response.status_code == 200:
        access, refresh = api.tokens("login" if f == "login" else "refresh", body,
                                     dict(response.cookies))  # fmt: skip
    if subject:
        about_answer = _subject(f, response.status_code, body, access)
        value = {
            **fields.get("value", {}),
            **done.get("value", {}),
            **about_answer.pop("value", {}),
        }
        done.update(about_answer)
        if value:
            done["value"] = value
    op = history.complete(invoke, outcome_of_status(response.status_code), **done)
    return AuthAnswer(op, body, access, refresh)
