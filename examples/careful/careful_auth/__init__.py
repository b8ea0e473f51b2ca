"""careful-auth: a JWT login service whose revocations hold across workers and Redis faults.

Start it with ``python serve.py --port 8000 --workers 2`` (see ../README.md).
"""
