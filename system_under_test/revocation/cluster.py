"""Redis Cluster: `redis+cluster://h:p,h:p/0`. Reads go through redis-py's cluster client
(one MGET per slot, pipelined per node); writes go to the key's primary on a plain
connection of that node, so `WAIT` follows the write on the same connection, as without a
cluster. A failed write makes the next one re-read the slot map (a failover moved it).
"""

from __future__ import annotations

from itertools import count
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster

CLUSTER_SCHEME = "redis+cluster://"


def parse_cluster_url(url: str) -> list[tuple[str, int]]:
    """`redis+cluster://h1:p1,h2:p2[/0]` -> startup nodes; ValueError naming what is wrong."""
    if not url.startswith(CLUSTER_SCHEME):
        raise ValueError(f"{url!r} does not start with {CLUSTER_SCHEME}")
    netloc, _, db = url[len(CLUSTER_SCHEME) :].partition("/")
    if db not in ("", "0"):
        raise ValueError(f"{url!r}: a Redis Cluster has only database 0, not {db!r}")
    nodes: list[tuple[str, int]] = []
    for item in netloc.split(","):
        host, _, port = item.strip().rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{url!r}: {item!r} is not host:port")
        nodes.append((host, int(port)))
    return nodes


class ClusterRouting:
    """The cluster client plus one plain, pooled client per node (made on first use)."""

    def __init__(
        self,
        url: str,
        pool_size: int,
        timeout_s: float,
        kwargs: dict[str, Any],
        write_kwargs: dict[str, Any] | None = None,
    ):
        self.startup = parse_cluster_url(url)
        self._pool_size = pool_size
        self._timeout_s = timeout_s
        self._kwargs = kwargs
        self._write_kwargs = kwargs if write_kwargs is None else write_kwargs
        self.cluster = RedisCluster(
            startup_nodes=[ClusterNode(h, p) for h, p in self.startup],
            max_connections=pool_size,
            require_full_coverage=False,  # the other shards keep answering during a failover
            **kwargs,
        )
        self._nodes: dict[tuple[str, int], Redis] = {}
        self._write_nodes: dict[tuple[str, int], Redis] = {}  # writes wait for WAIT: own pools
        self._stale = False
        self._turn = count()

    def node(self, host: str, port: int, *, writes: bool = False) -> Redis:
        nodes = self._write_nodes if writes else self._nodes
        key = (host, port)
        if key not in nodes:
            pool = BlockingConnectionPool(
                host=host,
                port=port,
                max_connections=self._pool_size,
                timeout=self._timeout_s,
                **(self._write_kwargs if writes else self._kwargs),
            )
            nodes[key] = Redis.from_pool(pool)
        return nodes[key]

    def mark_stale(self) -> None:
        """A write failed: re-read the slot map before the next one."""
        self._stale = True

    async def _ready(self) -> None:
        await self.cluster.initialize()
        if self._stale:
            self._stale = False
            await self.cluster.nodes_manager.initialize()

    async def primary_for(self, key: str, *, writes: bool = False) -> Redis:
        """The plain client of the primary that owns `key`'s slot now (``writes``: from the
        pools whose read timeout leaves room for WAIT)."""
        await self._ready()
        node = self.cluster.get_node_from_key(key)
        if node is None:
            raise ConnectionError(f"no primary owns the slot of {key!r}")
        return self.node(node.host, int(node.port), writes=writes)

    async def primaries(self) -> list[Redis]:
        await self._ready()
        return [self.node(n.host, int(n.port)) for n in self.cluster.get_primaries()]

    async def any_node(self) -> Redis:
        """A different node on each call (pub/sub is cluster-wide: any node will do)."""
        await self._ready()
        nodes = self.cluster.get_nodes() or [ClusterNode(h, p) for h, p in self.startup]
        chosen = nodes[next(self._turn) % len(nodes)]
        return self.node(chosen.host, int(chosen.port))

    async def mget(self, names: list[str]) -> list[bytes | str | None]:
        values: list[bytes | str | None] = await self.cluster.mget_nonatomic(names)
        return values

    def capacity(self) -> int:
        """Connections the per-node pools can hold at once (nodes are made on first use)."""
        return self._pool_size * max(1, len(self._nodes))

    def in_use(self) -> int:
        clients = [*self._nodes.values(), *self._write_nodes.values()]
        return sum(len(getattr(c.connection_pool, "_in_use_connections", ())) for c in clients)

    async def aclose(self) -> None:
        await self.cluster.aclose()
        for client in [*self._nodes.values(), *self._write_nodes.values()]:
            await client.aclose()
        self._nodes.clear()
        self._write_nodes.clear()
