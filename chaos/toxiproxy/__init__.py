"""Embedded Toxiproxy-compatible fault proxy: ``python -m chaos.toxiproxy`` (see docs)."""

from __future__ import annotations

from .api import VERSION
from .server import ToxiproxyServer

__all__ = ["VERSION", "ToxiproxyServer"]
