"""Faults, service handles, recorded histories, checkers and reports. Free of pytest.

Imports nothing from ``pytest``, ``fixtures`` or ``system_under_test``.
"""
