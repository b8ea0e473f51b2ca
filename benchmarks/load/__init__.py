"""Closed-loop load runs: virtual users with the source report's mix, in generator processes.

``python -m benchmarks.load --preset 1k|5k|10k`` or ``--users N --ramp R --duration S``.
"""
