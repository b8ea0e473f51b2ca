"""Every proxy of the server by name, with create, update, populate and reset."""

from __future__ import annotations

from dataclasses import dataclass

from . import errors
from .address import same_listen
from .jsonbody import GoField, decode_fields, kind
from .proxy import Proxy

# Go's reflect text of the element type the real server decodes /populate into
POPULATE_ENTRY = r'struct { toxiproxy.Proxy; Enabled *bool "json:\"enabled\"" }'


def proxy_fields(struct: str, enabled_path: str) -> tuple[GoField, ...]:
    return (
        GoField("name", "string", f"{struct}.name"),
        GoField("listen", "string", f"{struct}.listen"),
        GoField("upstream", "string", f"{struct}.upstream"),
        GoField("enabled", "bool", enabled_path),
    )


PROXY_FIELDS = proxy_fields("Proxy", "Proxy.enabled")  # POST /proxies, PATCH /proxies/{p}
POPULATE_FIELDS = proxy_fields(".Proxy", ".enabled")  # one /populate entry


@dataclass
class ProxySpec:
    """A proxy as a request describes it (an empty listen: every interface, any port)."""

    name: str
    listen: str
    upstream: str
    enabled: bool


def parse_spec(values: dict[str, object], index: int | None = None) -> ProxySpec:
    """Decoded fields of a create/populate request; ``index`` (1-based) names the entry."""
    where = "" if index is None else f" at proxy {index}"
    spec = ProxySpec(
        name=str(values.get("name", "")),
        listen=str(values.get("listen", "")),
        upstream=str(values.get("upstream", "")),
        enabled=bool(values.get("enabled", True)),
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
        proxy = await self._started(spec)  # a bind failure raises: the proxy is not added
        self.proxies[spec.name] = proxy
        return proxy

    async def _started(self, spec: ProxySpec) -> Proxy:
        proxy = Proxy(spec.name, spec.listen, spec.upstream, count_bytes=self.count_bytes)
        if spec.enabled:
            await proxy.start()
        return proxy

    async def update(self, proxy: Proxy, body: dict[str, object]) -> None:
        """PATCH: another listen address or upstream restarts the proxy; enabled starts or
        stops it. ``localhost:P`` for a proxy on ``127.0.0.1:P`` is the same address."""
        values = decode_fields(body, PROXY_FIELDS)
        listen = str(values.get("listen", proxy.listen))
        upstream = str(values.get("upstream", proxy.upstream))
        enabled = bool(values.get("enabled", proxy.enabled))
        if not same_listen(proxy.listen, listen) or upstream != proxy.upstream:
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
        """Create or replace proxies; one with the same name, upstream and listen address
        (compared resolved, as Go does) is kept with its toxics and connections. A
        replacement that cannot bind leaves the old proxy in place, stopped (as Go does)."""
        decoded: list[dict[str, object]] = []
        for entry in entries:
            if entry is not None and not isinstance(entry, dict):
                raise errors.bad_body(
                    f"json: cannot unmarshal {kind(entry)} into Go value of type {POPULATE_ENTRY}"
                )
            decoded.append(decode_fields(entry or {}, POPULATE_FIELDS))
        specs = [parse_spec(values, i) for i, values in enumerate(decoded, start=1)]
        done: list[Proxy] = []
        for spec in specs:
            try:
                existing = self.proxies.get(spec.name)
                if existing is not None:
                    # the listen address is resolved first: an unusable one is a 500 here
                    if same_listen(existing.listen, spec.listen) and (
                        existing.upstream == spec.upstream
                    ):
                        done.append(existing)
                        continue
                    existing.stop()
                    replacement = await self._started(spec)
                    self.proxies[spec.name] = replacement
                    done.append(replacement)
                    continue
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
