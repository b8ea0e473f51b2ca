"""Hostile ``Authorization`` lines around a valid token: scheme variants, duplicates,
non-ASCII bytes, oversized values, tokens smuggled outside the header."""

from __future__ import annotations

from .cases import REFUSED_TOKEN, VERIFY, AttackCase, AttackRequest, Headers

OVERSIZED_HEADER_BYTES = 64 * 1024


def _verify(name: str, headers: Headers, why: str, path: str = VERIFY) -> AttackCase:
    return AttackCase(f"verify/{name}", AttackRequest("GET", path, headers), REFUSED_TOKEN, why)


def authorization_attacks(valid_token: str) -> list[AttackCase]:
    """Each case carries ``valid_token`` somewhere, yet none presents it properly."""
    token = valid_token.encode()
    auth = "Authorization"
    return [
        _verify("scheme/missing-header", (), "no Authorization header"),
        _verify("scheme/no-scheme", ((auth, token),), "the bare token, no scheme"),
        _verify("scheme/basic", ((auth, b"Basic " + token),), "Basic instead of Bearer"),
        _verify("scheme/token", ((auth, b"Token " + token),), "Token instead of Bearer"),
        _verify("scheme/bearer-empty", ((auth, b"Bearer"),), "Bearer and nothing else"),
        _verify("scheme/bearer-no-space", ((auth, b"Bearer" + token),), "no space after Bearer"),
        _verify("scheme/bearer-twice", ((auth, b"Bearer Bearer " + token),), "the scheme repeated"),
        _verify(
            "scheme/two-tokens",
            ((auth, b"Bearer " + token + b" " + token),),
            "two tokens in one header",
        ),
        _verify(
            "scheme/comma-list",
            ((auth, b"Basic dXNlcjpwdw==, Bearer " + token),),
            "credentials list with a Bearer token second",
        ),
        _verify(
            "duplicate/valid-then-garbage",
            ((auth, b"Bearer " + token), (auth, b"Bearer garbage")),
            "two Authorization headers, the valid one first",
        ),
        _verify(
            "duplicate/garbage-then-valid",
            ((auth, b"Bearer garbage"), (auth, b"Bearer " + token)),
            "two Authorization headers, the valid one second",
        ),
        _verify(
            "non-ascii/utf8-appended",
            ((auth, b"Bearer " + token + "é".encode()),),
            "UTF-8 bytes after the token",
        ),
        _verify(
            "non-ascii/latin1-inside",
            ((auth, b"Bearer " + token[:20] + b"\xff" + token[20:]),),
            "a 0xFF byte inside the token",
        ),
        _verify(
            "non-ascii/utf8-scheme", ((auth, "Béarer ".encode() + token),), "a non-ASCII scheme"
        ),
        _verify(
            "oversized/64KiB-header",
            ((auth, b"Bearer " + b"A" * OVERSIZED_HEADER_BYTES),),
            "a 64 KiB Authorization value",
        ),
        _verify(
            "smuggled/query-string",
            (),
            "the token in the query string only",
            path=f"{VERIFY}?access_token={valid_token}",
        ),
        _verify(
            "smuggled/cookie", (("Cookie", b"access_token=" + token),), "the token in a cookie only"
        ),
        _verify(
            "smuggled/x-header", (("X-Access-Token", token),), "the token in a custom header only"
        ),
    ]
