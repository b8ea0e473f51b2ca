"""One HTTP call recorded as invoke + completion, and what its answer carries into the
history (shared by the workload clients and the gate probes).

``answer_fields`` are the fields of every completed call; ``subject_fields`` re-aim the op at
the token a login/refresh obtained, or record what a 200 verify answered about.
"""

from __future__ import annotations

from typing import Any

import httpx

from chaos.history import History, Op
from chaos.workload.outcome import outcome_of_error, outcome_of_status
from chaos.workload.tokens import token_fields


def json_body(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of an answer; {} when the body is no JSON object."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def answer_fields(response: httpx.Response, body: dict[str, Any]) -> dict[str, Any]:
    """Status, answering worker, revocation-check header and the error kind, if any."""
    done: dict[str, Any] = {
        "status": response.status_code,
        "worker": response.headers.get("x-worker-id"),
        "revocation_check": response.headers.get("x-revocation-check"),
    }
    if isinstance(body.get("error"), str):
        done["error"] = body["error"]
    retry_after = response.headers.get("retry-after")
    if retry_after is not None:
        done["value"] = {"retry_after": retry_after}
    return done


def subject_fields(
    f: str, fields: dict[str, Any], status: int, body: dict[str, Any]
) -> dict[str, Any]:
    """The new token of a login/refresh, or the subject a 200 verify answered for."""
    obtained = body.get("access_token")
    if isinstance(obtained, str):
        return token_fields(obtained)  # login/refresh: the op is about the new token
    if f == "verify" and status == 200:
        return {
            "value": {
                **fields.get("value", {}),
                "answered_sub": body.get("sub"),
                "answered_jti": body.get("jti"),
            }
        }
    return {}


async def recorded_call(
    http: httpx.AsyncClient,
    history: History,
    process: int,
    f: str,
    method: str,
    *,
    url: str,
    path: str,
    token: str | None = None,
    json: Any = None,
    about: str | None = None,
    subject: bool = True,
) -> tuple[Op, dict[str, Any]]:
    """The completion and the JSON body ({} on an error). ``about`` names the token the op is
    about when none is sent; ``subject=False`` leaves out ``subject_fields``."""
    who = token or about
    fields: dict[str, Any] = token_fields(who) if who else {}
    invoke = history.invoke(process, f, target=url, **fields)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = await http.request(method, url + path, headers=headers, json=json)
    except httpx.HTTPError as exc:
        kind, error = outcome_of_error(exc)
        return history.complete(invoke, kind, error=error), {}
    body = json_body(response)
    done = answer_fields(response, body)
    if subject:
        subject_of = subject_fields(f, fields, response.status_code, body)
        value = {**done.get("value", {}), **subject_of.pop("value", {})}
        done.update(subject_of)
        if value:
            done["value"] = value
    return history.complete(invoke, outcome_of_status(response.status_code), **done), body
