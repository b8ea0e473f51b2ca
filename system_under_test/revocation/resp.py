"""RESP request encoding for the lookup connection (replies are parsed by hiredis).

encode_command("MGET", "revoked:a", "revoked:b")  # b"*3\r\n$4\r\nMGET\r\n$9\r\nrevoked:a..."
"""

from __future__ import annotations


def encode_command(*args: str | bytes) -> bytes:
    """One command as a RESP array of bulk strings (str is sent as UTF-8)."""
    if not args:
        raise ValueError("encode_command needs a command name")
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg.encode() if isinstance(arg, str) else arg
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)
