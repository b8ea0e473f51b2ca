"""Listen and upstream addresses: binding a listener as Go's net.Listen does, with its errors."""

from __future__ import annotations

import ipaddress
import socket

from .errors import ApiError
from .netaddr import (
    AddressError,
    TcpAddr,
    join_host_port,
    lookup_port,
    resolve_tcp_addr,
    split_host_port,
)


def listen_error(detail: str) -> ApiError:
    """A listener that cannot be made: 500 with Go's ``listen tcp...`` text."""
    return ApiError(f"listen tcp{detail}", 500)


def _socket_for(addr: TcpAddr) -> tuple[socket.socket, tuple[object, ...]]:
    """A socket of Go's family for ``addr`` and the address to bind it to.

    Every interface (no host, ``0.0.0.0`` or ``::``) is one dual-stack IPv6 socket, shown
    as ``[::]:PORT``; an IPv4 or IPv4-mapped address is IPv4; anything else is IPv6.
    """
    ip = addr.ip
    if addr.wildcard and socket.has_ipv6:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        except OSError:
            sock.close()
            raise
        return sock, ("::", addr.port)
    if ip is None or ip.version == 4:
        host = "0.0.0.0" if ip is None else str(ip)
        return socket.socket(socket.AF_INET, socket.SOCK_STREAM), (host, addr.port)
    assert isinstance(ip, ipaddress.IPv6Address)
    if ip.ipv4_mapped is not None:
        return socket.socket(socket.AF_INET, socket.SOCK_STREAM), (str(ip.ipv4_mapped), addr.port)
    scope = 0
    if addr.zone:
        try:
            scope = socket.if_nametoindex(addr.zone)
        except OSError:
            scope = int(addr.zone) if addr.zone.isdigit() else 0
    return socket.socket(socket.AF_INET6, socket.SOCK_STREAM), (str(ip), addr.port, 0, scope)


def _shown(sock: socket.socket) -> str:
    """The listener's address as Go prints it (``127.0.0.1:PORT``, ``[::]:PORT``)."""
    bound = sock.getsockname()
    host = str(bound[0])
    if sock.family == socket.AF_INET6 and len(bound) > 3 and bound[3]:
        try:
            host = f"{host.split('%', maxsplit=1)[0]}%{socket.if_indextoname(bound[3])}"
        except OSError:
            host = f"{host.split('%')[0]}%{bound[3]}"
    return join_host_port(host, int(bound[1]))


def bind_listener(listen: str) -> tuple[socket.socket, str]:
    """A listening socket for ``listen`` and its address; ApiError 500 with Go's text."""
    try:
        addr = resolve_tcp_addr(listen, listen=True)
    except AddressError as exc:
        raise listen_error(f": {exc}") from None
    sock, target = _socket_for(addr)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(target)
        sock.listen(1024)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        reason = (exc.strerror or str(exc)).lower()
        raise listen_error(f" {addr}: bind: {reason}") from None
    return sock, _shown(sock)


def same_listen(current: str, requested: str) -> bool:
    """Whether ``requested`` names the address ``current`` shows (Go's Proxy.Differs).

    Raises ApiError 500 with Go's text when ``requested`` cannot be resolved.
    """
    try:
        return str(resolve_tcp_addr(requested)) == current
    except AddressError as exc:
        raise ApiError(str(exc), 500) from None


def upstream_target(upstream: str) -> tuple[str, int]:
    """Host and port to dial for ``upstream`` (raises AddressError when malformed)."""
    host, service = split_host_port(upstream)
    return host or "127.0.0.1", lookup_port(service)
