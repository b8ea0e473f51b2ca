"""Toxic types by name, one per module as in Toxiproxy."""

from __future__ import annotations

from .bandwidth import BandwidthToxic
from .base import Toxic, ToxicWrapper
from .latency import LatencyToxic
from .limit_data import LimitDataToxic
from .noop import NoopToxic
from .reset_peer import ResetPeerToxic
from .slicer import SlicerToxic
from .slow_close import SlowCloseToxic
from .timeout import TimeoutToxic

TOXICS: dict[str, type[Toxic]] = {
    cls.type_name: cls
    for cls in (
        LatencyToxic,
        BandwidthToxic,
        SlowCloseToxic,
        TimeoutToxic,
        ResetPeerToxic,
        SlicerToxic,
        LimitDataToxic,
        NoopToxic,
    )
}

__all__ = ["TOXICS", "Toxic", "ToxicWrapper"]
