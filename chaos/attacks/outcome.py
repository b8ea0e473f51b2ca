"""Send an attack case and judge the answer against the documented statuses."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import httpx

from .cases import VERIFY, AttackCase


@dataclass(frozen=True)
class Outcome:
    """What came back for one case. ``status`` is None when the exchange failed
    (connection closed, timeout): ``transport_error`` then says how."""

    case: AttackCase
    status: int | None
    headers: tuple[tuple[str, str], ...]
    body: bytes
    elapsed_s: float
    transport_error: str | None = None

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def send(client: httpx.Client, case: AttackCase) -> Outcome:
    """One request, exactly as the case describes it (duplicate headers kept)."""
    request = case.request
    started = time.monotonic()
    try:
        response = client.request(
            request.method,
            request.path,
            headers=[(k.encode(), v) for k, v in request.headers],
            content=request.body,
        )
    except httpx.HTTPError as exc:
        return Outcome(
            case, None, (), b"", time.monotonic() - started, f"{type(exc).__name__}: {exc}"
        )
    return Outcome(
        case,
        response.status_code,
        tuple(response.headers.multi_items()),
        response.content,
        time.monotonic() - started,
    )


def error_code(body: bytes) -> str | None:
    """The ``error`` code of a JSON error body, or None when the body is not one."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    code = parsed.get("error") if isinstance(parsed, dict) else None
    return code if isinstance(code, str) and code else None


def problems(outcome: Outcome) -> list[str]:
    """Every way the answer departs from the contract; empty when refused as documented."""
    case = outcome.case
    if outcome.status is None:
        return [f"no answer: {outcome.transport_error}"]
    found: list[str] = []
    if outcome.status >= 500:
        found.append(f"server error {outcome.status}")
    if outcome.status not in case.expected:
        found.append(f"status {outcome.status}, documented {sorted(case.expected)}")
    if outcome.status >= 400 and error_code(outcome.body) is None:
        found.append(f"error body is not JSON with an 'error' code: {outcome.body[:120]!r}")
    if case.request.path.startswith(VERIFY) and outcome.status == 401:
        challenge = outcome.header("www-authenticate") or ""
        if not challenge.startswith("Bearer"):
            found.append(f"401 without a Bearer challenge (WWW-Authenticate: {challenge!r})")
    return found


def describe(outcome: Outcome) -> str:
    """One line for a report: case, status, time and what is wrong, if anything."""
    issues = problems(outcome)
    verdict = "ok" if not issues else "; ".join(issues)
    return f"{outcome.case.name}: {outcome.status} in {outcome.elapsed_s * 1000:.0f} ms: {verdict}"
