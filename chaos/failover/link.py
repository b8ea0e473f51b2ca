"""A replica's replication link: found on the replica, cut on the primary.

address = link_address(replica)   # asked while the replica answers (before a pause)
cut_link(primary, address)        # CLIENT KILL of exactly that connection
"""

from __future__ import annotations

from chaos.services import RedisServer, ServiceError

__all__ = ["cut_link", "link_address"]


def link_address(replica: RedisServer) -> str:
    """The replica's end of its link to the primary (``laddr`` of its ``M`` client): the
    address the primary lists that replica connection under."""
    listing = str(replica.command_reply("CLIENT", "LIST"))
    for line in listing.splitlines():
        fields = dict(item.partition("=")[::2] for item in line.split())
        if "M" in fields.get("flags", ""):
            return fields["laddr"]
    raise ServiceError(f"{replica.name} has no link to a primary (no M client in CLIENT LIST)")


def cut_link(primary: RedisServer, address: str) -> None:
    """``CLIENT KILL ADDR`` on the primary; with one replica the same as ``CLIENT KILL TYPE
    replica``, with more only that replica's link."""
    killed = primary.command_reply("CLIENT", "KILL", "ADDR", address, "SKIPME", "yes")
    if int(killed) != 1:
        raise ServiceError(f"{primary.name}: CLIENT KILL ADDR {address} closed {killed} clients")
