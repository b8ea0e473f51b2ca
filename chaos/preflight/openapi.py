"""A service's OpenAPI document: which methods a path has (the preflight's hints), and a
draft profile guessed from it (``python -m chaos.preflight --suggest``).

The guess reads paths and request bodies: login is the POST whose body has a username and a
password (a form, as FastAPI's ``OAuth2PasswordRequestForm``, or JSON); logout a path
named logout, revoke or signout; refresh a path named refresh; verify a GET that needs a
bearer token (``/me``, ``/verify``, ``/introspect`` first). Every guess is marked for the
user to check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

__all__ = ["DRAFT_ACCOUNTS", "draft_profile", "methods_of", "openapi_document"]

METHODS = ("get", "post", "put", "patch", "delete")
# the draft's accounts, also written to {users_file} while --suggest runs the service
DRAFT_ACCOUNTS = (("alice", "alice-pw"), ("bob", "bob-pw"))
OPENAPI_PATHS = ("/openapi.json", "/docs/openapi.json", "/api/openapi.json")


async def openapi_document(http: httpx.AsyncClient, base_url: str) -> dict[str, Any] | None:
    """The service's OpenAPI document, from the usual places (None: it serves none)."""
    for path in OPENAPI_PATHS:
        try:
            answer = await http.get(base_url + path)
        except httpx.HTTPError:
            continue
        if answer.status_code == 200:
            try:
                data = answer.json()
            except ValueError:
                continue
            if isinstance(data, dict) and isinstance(data.get("paths"), dict):
                return data
    return None


def methods_of(document: Mapping[str, Any], path: str) -> list[str]:
    """The methods the document lists for ``path`` (upper case, in a fixed order)."""
    item = document.get("paths", {}).get(path)
    if not isinstance(item, dict):
        return []
    return [m.upper() for m in METHODS if m in item]


def _body_fields(operation: Mapping[str, Any], document: Mapping[str, Any]) -> tuple[str, set[str]]:
    """(``form`` or ``json`` or "", the body's property names)."""
    content = operation.get("requestBody", {}).get("content", {})
    kinds = (
        ("application/x-www-form-urlencoded", "form"), ("multipart/form-data", "form"),
        ("application/json", "json"),
    )  # fmt: skip
    for media, kind in kinds:
        schema = content.get(media, {}).get("schema", {})
        if schema:
            return kind, set(_properties(schema, document))
    return "", set()


def _properties(schema: Mapping[str, Any], document: Mapping[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = document
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return _properties(target, document) if isinstance(target, dict) else {}
    props = schema.get("properties", {})
    return props if isinstance(props, dict) else {}


def _operations(document: Mapping[str, Any]) -> list[tuple[str, str, Mapping[str, Any]]]:
    out: list[tuple[str, str, Mapping[str, Any]]] = []
    for path, item in document.get("paths", {}).items():
        if isinstance(item, dict):
            out += [(path, m.upper(), item[m]) for m in METHODS if isinstance(item.get(m), dict)]
    return out


def _named(ops: list[tuple[str, str, Mapping[str, Any]]], words: tuple[str, ...],
           methods: tuple[str, ...]) -> tuple[str, str] | None:  # fmt: skip
    for word in words:
        for path, method, _ in ops:
            if method in methods and _has(path.lower(), word):
                return path, method
    return None


def _has(path: str, word: str) -> bool:
    """``word`` in ``path``; a word with a leading / is a whole segment (/me, not /metrics)."""
    if word.startswith("/"):
        return word[1:] in path.split("/")
    return word in path


def draft_profile(document: Mapping[str, Any], command: str) -> str:
    """A draft profile (TOML text) for the service ``document`` describes."""
    ops = _operations(document)
    login = next(
        ((p, m, k, f) for p, m, op in ops if m == "POST"
         for k, f in [_body_fields(op, document)] if {"username", "password"} <= f),
        None,
    )  # fmt: skip
    verify = _named(ops, ("/me", "verify", "introspect", "whoami", "user", "protected"), ("GET",))
    logout = _named(ops, ("logout", "revoke", "signout", "sign-out"), ("POST", "DELETE"))
    refresh = _named(ops, ("refresh",), ("POST",))
    title = str(document.get("info", {}).get("title", "my-service"))
    name = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-") or "my-service"
    lines = [
        "# Draft profile written by python -m chaos.preflight --suggest from the service's",
        "# OpenAPI document. Every line marked CHECK is a guess: fix it, then run",
        "# python -m chaos.preflight --sut-profile THIS_FILE",
        "",
        "[service]",
        f'name = "{name}"',
        f"command = {_toml(command)}",
        "workers = 2",
        'ready = "/health"  # CHECK: a route that answers 200 once the service is up',
        "",
        "[accounts]",
        f"users = {_accounts()}  # CHECK: accounts that exist",
        "",
        "[routes.login]",
    ]
    if login:
        lines += [f'method = "{login[1]}"', f'path = "{login[0]}"', f'body = "{login[2]}"']
    else:
        lines += ['path = "/login"  # CHECK: no POST with username and password found']
    lines += ['access_token = "access_token"  # CHECK', 'refresh_token = "refresh_token"  # CHECK']
    for table, found, default in (("verify", verify, ("/me", "GET")), ("logout", logout,
                                   ("/logout", "POST"))):  # fmt: skip
        path, method = found or default
        mark = "" if found else "  # CHECK: not found in the document"
        lines += ["", f"[routes.{table}]", f'method = "{method}"', f'path = "{path}"{mark}']
    if refresh:
        lines += [
            "", "[routes.refresh]", f'method = "{refresh[1]}"', f'path = "{refresh[0]}"',
            'send = "body"  # CHECK: body, header or cookie', 'field = "refresh_token"',
        ]  # fmt: skip
    lines += [
        "", "[policy]", 'failure = "open"  # CHECK: open, closed or open-bounded (bound_s)',
        "", "[redis]", "timeout_s = 5.0  # CHECK: your Redis client's socket timeout",
        "retries = 1  # CHECK", "",
    ]  # fmt: skip
    return "\n".join(lines)


def _accounts() -> str:
    return "[" + ", ".join(f'["{name}", "{password}"]' for name, password in DRAFT_ACCOUNTS) + "]"


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
