"""Readiness over HTTP: every URL answers the health path with 200."""

from __future__ import annotations

import httpx

__all__ = ["first_unhealthy"]

PROBE_TIMEOUT = 1.0  # seconds per probe; readiness polls again until its own deadline


def first_unhealthy(urls: list[str], path: str) -> str | None:
    """None when every ``url + path`` answers 200; otherwise what the first other one saw."""
    for url in urls:
        target = url.rstrip("/") + path
        try:
            response = httpx.get(target, timeout=PROBE_TIMEOUT)
        except httpx.HTTPError as exc:
            return f"{target}: {type(exc).__name__}: {exc}"
        if response.status_code != 200:
            return f"{target}: HTTP {response.status_code} {response.text[:200]!r}"
    return None
