"""``FaultProxy``: the embedded Toxiproxy-compatible server, ``python -m chaos.toxiproxy``.

proxy = FaultProxy(workdir).start()
proxy.url  # http://127.0.0.1:PORT, the Toxiproxy HTTP API
FaultProxy(workdir, metrics=True)  # also Prometheus /metrics (byte counters per proxy)
"""

from __future__ import annotations

import sys
from pathlib import Path

from chaos.ports import PortClaim, claim_port
from chaos.services.http_probe import first_unhealthy
from chaos.services.process import ServiceProcess

__all__ = ["FaultProxy"]


class FaultProxy(ServiceProcess):
    """The fault proxy's API server; proxies it creates listen on ports the caller claims."""

    module = "chaos.toxiproxy"

    def __init__(
        self,
        workdir: Path,
        port: int | None = None,
        env: dict[str, str] | None = None,
        *,
        metrics: bool = False,
    ) -> None:
        self.metrics = metrics
        self._claim: PortClaim | None = None
        if port is None:
            self._claim = claim_port()
            port = self._claim.port
        self.port = port
        super().__init__(f"toxiproxy-{port}", Path(workdir) / f"toxiproxy-{port}", env)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        argv = [sys.executable, "-m", self.module, "--host", "127.0.0.1", "--port", str(self.port)]
        return [*argv, "--metrics"] if self.metrics else argv

    def probe(self) -> str | None:
        return first_unhealthy([self.url], "/version")

    def release_ports(self) -> None:
        if self._claim is not None:
            self._claim.release()
