"""Request bodies decoded the way Go's encoding/json decodes them into Toxiproxy's structs.

The first JSON value is read and the rest ignored; field names match case-insensitively;
``null`` leaves a field (or the whole body) at its default; a value of the wrong type is a
400 ``bad request body: json: cannot unmarshal ...`` with Go's own text, naming the first
wrong field in document order (``... into Go struct field LatencyToxic.attributes.latency
of type int64``).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import bad_body

INT_RANGE = {"int64": 63, "int": 63}  # bits of magnitude: Go's int is 64-bit here


class JsonFloat(float):
    """A JSON number written with a fraction or exponent, keeping its text for Go's errors."""

    literal: str

    @classmethod
    def parse(cls, text: str) -> JsonFloat:
        value = cls(text)
        value.literal = text
        return value


def _reject_constant(name: str) -> object:
    raise ValueError(f"invalid character '{name[0]}' looking for beginning of value")


_decoder = json.JSONDecoder(parse_float=JsonFloat.parse, parse_constant=_reject_constant)


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
    except ValueError as exc:
        raise bad_body(str(exc)) from None
    return value


def decode_object(body: bytes, what: str) -> dict[str, object]:
    """A JSON object body; ``null`` is an empty one (Go leaves the struct at its defaults)."""
    value = decode_first(body)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_body(f"json: cannot unmarshal {kind(value)} into Go value of type {what}")
    return value


def decode_array(body: bytes, what: str) -> list[object]:
    """A JSON array body; ``null`` is an empty one."""
    value = decode_first(body)
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad_body(f"json: cannot unmarshal {kind(value)} into Go value of type {what}")
    return value


def kind(value: object) -> str:
    """How Go's errors name a JSON value's type."""
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


@dataclass(frozen=True)
class GoField:
    """One field of a Go struct a body is decoded into.

    ``go_type`` is ``string``, ``bool``, ``int``, ``int64``, ``float32`` or a struct type
    (then ``fields`` are its own fields); ``path`` is how Go's error names the field
    (``Proxy.name``, ``.Proxy.listen``, ``LatencyToxic.attributes.latency``).
    """

    name: str
    go_type: str
    path: str
    fields: tuple[GoField, ...] = ()

    @property
    def is_struct(self) -> bool:
        return "." in self.go_type


class _Mismatch(Exception):
    """A value Go cannot store in a field; ``str()`` is Go's UnmarshalTypeError text."""

    def __init__(self, value_text: str, field: GoField) -> None:
        super().__init__(
            f"json: cannot unmarshal {value_text} into Go struct field {field.path} "
            f"of type {field.go_type}"
        )


def _number_text(value: int | float) -> str:
    return value.literal if isinstance(value, JsonFloat) else str(value)


def _convert(value: object, field: GoField) -> tuple[object, _Mismatch | None]:
    """The value as the field holds it, and the first mismatch met (nested ones included)."""
    go_type = field.go_type
    if field.is_struct:
        if not isinstance(value, dict):
            return None, _Mismatch(kind(value), field)
        return _decode(value, field.fields)
    if go_type == "string":
        return (value, None) if isinstance(value, str) else (None, _Mismatch(kind(value), field))
    if go_type == "bool":
        return (value, None) if isinstance(value, bool) else (None, _Mismatch(kind(value), field))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, _Mismatch(kind(value), field)
    if go_type == "float32":
        try:
            struct.pack("<f", float(value))  # standard size: overflow raises
        except OverflowError:
            return None, _Mismatch(f"number {_number_text(value)}", field)
        return float(value), None
    bits = INT_RANGE[go_type]
    if isinstance(value, float) or not -(1 << bits) <= value < 1 << bits:
        return None, _Mismatch(f"number {_number_text(value)}", field)
    return value, None


def _decode(
    obj: dict[str, object], fields: Sequence[GoField]
) -> tuple[dict[str, object], _Mismatch | None]:
    by_name = {field.name: field for field in fields}
    values: dict[str, object] = {}
    first: _Mismatch | None = None
    for key, value in obj.items():
        field = by_name.get(key) or by_name.get(key.lower())
        if field is None or value is None:
            continue  # unknown fields are ignored; null keeps the default
        converted, mismatch = _convert(value, field)
        if mismatch is None:
            values[field.name] = converted
        elif first is None:
            first = mismatch
    return values, first


def decode_fields(obj: dict[str, object], fields: Sequence[GoField]) -> dict[str, object]:
    """The known fields present in ``obj`` (not null), typed as Go would store them.

    A struct field's value is the dict of its own fields. Raises ApiError 400 with Go's
    text for the first wrong type in document order, as encoding/json reports it.
    """
    values, mismatch = _decode(obj, fields)
    if mismatch is not None:
        raise bad_body(str(mismatch))
    return values
