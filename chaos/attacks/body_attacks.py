"""Malformed request bodies for login and refresh: broken JSON, wrong shapes and types,
wrong content types, invalid UTF-8, deep nesting and huge bodies."""

from __future__ import annotations

import json

from .cases import LOGIN, REFRESH, AttackCase, AttackRequest, Headers

MALFORMED = frozenset({422})
"""What the contract documents for a malformed body."""
TOO_LARGE = frozenset({413, 422})
"""A body beyond the service's bound: refused as too large or as malformed, never 500."""
UNSUPPORTED_TYPE = frozenset({415, 422})
HUGE_BODY_BYTES = 8 * 1024 * 1024
NESTING_DEPTH = 100_000

JSON: Headers = (("Content-Type", b"application/json"),)


def _post(
    name: str,
    path: str,
    body: bytes,
    why: str,
    *,
    headers: Headers = JSON,
    expected: frozenset[int] = MALFORMED,
) -> AttackCase:
    route = path.rsplit("/", 1)[1]
    return AttackCase(f"{route}/{name}", AttackRequest("POST", path, headers, body), expected, why)


def _shapes(path: str, fields: dict[str, object]) -> list[AttackCase]:
    """Bodies that are JSON but not the object the route wants."""
    first = next(iter(fields))
    cases = [
        _post("json/truncated", path, json.dumps(fields).encode()[:-3], "JSON cut short"),
        _post("json/not-json", path, b"username=a&password=b", "not JSON at all"),
        _post("json/empty-body", path, b"", "an empty body"),
        _post("json/array", path, json.dumps([fields]).encode(), "a JSON array"),
        _post("json/string", path, b'"text"', "a JSON string"),
        _post("json/null", path, b"null", "JSON null"),
        _post("json/number", path, b"12", "a JSON number"),
        _post("json/empty-object", path, b"{}", "no fields"),
        _post(
            "json/trailing-data",
            path,
            json.dumps(fields).encode() + b"{}",
            "a second JSON value after the object",
        ),
        _post(
            "json/nan",
            path,
            json.dumps({**fields, first: float("nan")}).encode(),
            "NaN where a string is expected",
        ),
        _post(
            "json/deep-nesting",
            path,
            b"[" * NESTING_DEPTH + b"]" * NESTING_DEPTH,
            f"arrays nested {NESTING_DEPTH} deep",
        ),
        _post(
            "json/deep-nesting-in-field",
            path,
            b'{"' + first.encode() + b'":' + b"[" * NESTING_DEPTH + b"]" * NESTING_DEPTH + b"}",
            f"a field nested {NESTING_DEPTH} deep",
        ),
        _post(
            "utf8/invalid-bytes",
            path,
            b'{"' + first.encode() + b'":"\xff\xfe\xfd"' + json.dumps(fields).encode()[1:],
            "invalid UTF-8 inside a string",
        ),
        _post(
            "utf8/lone-surrogate",
            path,
            json.dumps({**fields, first: "\ud800"}).encode(),
            "a lone UTF-16 surrogate escape",
            expected=MALFORMED | {401},
        ),
        _post(
            "size/huge-field",
            path,
            json.dumps({**fields, first: "A" * HUGE_BODY_BYTES}).encode(),
            f"a {HUGE_BODY_BYTES // 2**20} MiB field",
            expected=TOO_LARGE,
        ),
        _post(
            "size/huge-body",
            path,
            b" " * HUGE_BODY_BYTES + json.dumps(fields).encode(),
            f"{HUGE_BODY_BYTES // 2**20} MiB of whitespace before the object",
            expected=TOO_LARGE,
        ),
        _post(
            "content-type/text-plain",
            path,
            json.dumps(fields).encode(),
            "text/plain",
            headers=(("Content-Type", b"text/plain"),),
            expected=UNSUPPORTED_TYPE,
        ),
        _post(
            "content-type/form",
            path,
            b"username=a&password=b&refresh_token=c",
            "a form",
            headers=(("Content-Type", b"application/x-www-form-urlencoded"),),
            expected=UNSUPPORTED_TYPE,
        ),
        _post(
            "content-type/multipart",
            path,
            b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n--b--\r\n',
            "multipart",
            headers=(("Content-Type", b"multipart/form-data; boundary=b"),),
            expected=UNSUPPORTED_TYPE,
        ),
    ]
    for name in fields:
        others = {k: v for k, v in fields.items() if k != name}
        cases.append(
            _post(f"field/{name}-missing", path, json.dumps(others).encode(), f"no {name}")
        )
        for label, value in (("null", None), ("int", 7), ("list", ["x"]), ("object", {"x": 1})):
            cases.append(
                _post(
                    f"field/{name}-{label}",
                    path,
                    json.dumps({**fields, name: value}).encode(),
                    f"{name} is {label}",
                )
            )
    return cases


def body_attacks() -> list[AttackCase]:
    """Malformed bodies for ``POST /auth/login`` and ``POST /auth/refresh``."""
    return [
        *_shapes(LOGIN, {"username": "alice", "password": "not-the-password"}),
        *_shapes(REFRESH, {"refresh_token": "not.a.token"}),
    ]
