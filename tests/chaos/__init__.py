"""The resilience gate: pytest -m chaos (docs/gate.md)."""
