"""Every proxy of the server by name, with create, update, populate and reset."""

from __future__ import annotations

from dataclasses import dataclass

from . import errors
from .jsonbody import get_bool, get_str
from .proxy import Proxy


@dataclass
class ProxySpec:
    """A proxy as a request describes it."""

    name: str
    listen: str
    upstream: str
    enabled: bool


def parse_spec(body: dict[str, object], index: int | None = None) -> ProxySpec:
    """Fields of a create/populate request; ``index`` (1-based) names the populate entry."""
    where = "" if index is None else f" at proxy {index}"
    spec = ProxySpec(
        name=get_str(body, "name", ""),
        listen=get_str(body, "listen", ""),
        upstream=get_str(body, "upstream", ""),
        enabled=get_bool(body, "enabled", True),
    )
    if not spec.name:
        raise errors.missing_field("name" + where)
    if not spec.upstream:
        raise errors.missing_field("upstream" + where)
    return spec


class PopulateError(Exception):
    """A populate that failed midway, with the proxies done so far."""

    def __init__(self, error: errors.ApiError, done: list[Proxy]) -> None:
        super().__init__(error.message)
        self.error = error
        self.done = done


class ProxyCollection:
    """The server's proxies."""

    def __init__(self, *, count_bytes: bool = False) -> None:
        self.proxies: dict[str, Proxy] = {}
        self.count_bytes = count_bytes

    def get(self, name: str) -> Proxy:
        proxy = self.proxies.get(name)
        if proxy is None:
            raise errors.PROXY_NOT_FOUND
        return proxy

    async def create(self, spec: ProxySpec) -> Proxy:
        if spec.name in self.proxies:
            raise errors.PROXY_EXISTS
        proxy = Proxy(spec.name, spec.listen, spec.upstream, count_bytes=self.count_bytes)
        if spec.enabled:
            await proxy.start()  # a bind failure raises: the proxy is not added
        self.proxies[spec.name] = proxy
        return proxy

    async def update(self, proxy: Proxy, body: dict[str, object]) -> None:
        """PATCH: a new listen or upstream restarts the proxy; enabled starts or stops it."""
        listen = get_str(body, "listen", proxy.listen)
        upstream = get_str(body, "upstream", proxy.upstream)
        enabled = get_bool(body, "enabled", proxy.enabled)
        if listen != proxy.listen or upstream != proxy.upstream:
            proxy.stop()
            proxy.listen, proxy.upstream = listen, upstream
        if enabled and not proxy.enabled:
            await proxy.start()
        elif not enabled and proxy.enabled:
            proxy.stop()

    def delete(self, name: str) -> None:
        self.get(name).stop()
        del self.proxies[name]

    async def populate(self, entries: list[object]) -> list[Proxy]:
        """Create or replace proxies; an identical one (name, listen, upstream) is untouched."""
        specs: list[ProxySpec] = []
        for i, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                raise errors.bad_body(
                    "json: cannot unmarshal non-object into Go value of type toxiproxy.Proxy"
                )
            specs.append(parse_spec(entry, i))
        done: list[Proxy] = []
        for spec in specs:
            existing = self.proxies.get(spec.name)
            if existing is not None:
                if existing.listen == spec.listen and existing.upstream == spec.upstream:
                    done.append(existing)
                    continue
                existing.stop()
                del self.proxies[spec.name]
            try:
                done.append(await self.create(spec))
            except errors.ApiError as exc:
                raise PopulateError(exc, done) from None
        return done

    async def reset(self) -> None:
        """Enable every proxy and remove every toxic; connections stay."""
        for proxy in list(self.proxies.values()):
            await proxy.start()
            proxy.toxics.reset()

    def close(self) -> None:
        for proxy in self.proxies.values():
            proxy.stop()
