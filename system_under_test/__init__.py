"""The reference auth service: FastAPI, PyJWT and a Redis revocation list shared by workers.

Imports nothing from ``chaos``, ``fixtures`` or ``tests``
(enforced by tests/unit/test_import_direction.py).
"""
