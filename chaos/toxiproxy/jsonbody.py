"""Request bodies decoded the way Go's encoding/json does it for Toxiproxy.

The first JSON value is read and the rest ignored; field names match case-insensitively;
``null`` leaves a field at its default; a wrong type is a 400 ``bad request body``.
"""

from __future__ import annotations

import json

from .errors import bad_body

_decoder = json.JSONDecoder()


def decode_first(body: bytes) -> object:
    """The first JSON value of ``body`` (an empty body is ``bad request body: EOF``)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_body("invalid UTF-8") from None
    text = text.lstrip(" \t\r\n")
    if not text:
        raise bad_body("EOF")
    try:
        value, _ = _decoder.raw_decode(text)
    except json.JSONDecodeError as exc:
        raise bad_body(exc.msg) from None
    return value


def decode_object(body: bytes, what: str) -> dict[str, object]:
    value = decode_first(body)
    if not isinstance(value, dict):
        raise bad_body(f"json: cannot unmarshal {_kind(value)} into Go value of type {what}")
    return value


def decode_array(body: bytes, what: str) -> list[object]:
    value = decode_first(body)
    if not isinstance(value, list):
        raise bad_body(f"json: cannot unmarshal {_kind(value)} into Go value of type {what}")
    return value


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if value is None:
        return "null"
    return "object"


def field(obj: dict[str, object], name: str) -> object:
    """A field by name, exact match first, then case-insensitive (None when absent)."""
    if name in obj:
        return obj[name]
    for key, value in obj.items():
        if key.lower() == name:
            return value
    return None


def get_str(obj: dict[str, object], name: str, default: str) -> str:
    value = field(obj, name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise bad_body(f"json: cannot unmarshal {_kind(value)} into field {name} of type string")
    return value


def get_bool(obj: dict[str, object], name: str, default: bool) -> bool:
    value = field(obj, name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise bad_body(f"json: cannot unmarshal {_kind(value)} into field {name} of type bool")
    return value


def get_float(obj: dict[str, object], name: str, default: float) -> float:
    value = field(obj, name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad_body(f"json: cannot unmarshal {_kind(value)} into field {name} of type float32")
    return float(value)
