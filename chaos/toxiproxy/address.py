"""Listen and upstream addresses: parsing, binding and formatting as Go's net package does."""

from __future__ import annotations

import socket

from .errors import ApiError


class AddressError(ValueError):
    """An address string that cannot be split into host and port."""


def split_host_port(address: str) -> tuple[str, str]:
    """``host:port`` or ``[v6]:port`` into its parts (Go's net.SplitHostPort)."""
    if address.startswith("["):
        end = address.find("]")
        if end < 0 or not address[end + 1 :].startswith(":"):
            raise AddressError(f"address {address}: missing port in address")
        return address[1:end], address[end + 2 :]
    host, sep, port = address.rpartition(":")
    if not sep:
        raise AddressError(f"address {address}: missing port in address")
    if ":" in host:
        raise AddressError(f"address {address}: too many colons in address")
    return host, port


def parse_port(address: str, port: str) -> int:
    if port == "":
        return 0
    if not port.isdigit() or int(port) > 65535:
        raise AddressError(f"address {address}: invalid port")
    return int(port)


def join_host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def bind_listener(listen: str) -> tuple[socket.socket, str]:
    """A listening socket for ``listen`` and its resolved address; 500 with the OS error text."""
    try:
        host, port_text = split_host_port(listen)
        port = parse_port(listen, port_text)
    except AddressError as exc:
        raise ApiError(f"listen tcp {listen}: {exc}", 500) from None
    if host in ("", "::"):
        # Go binds every interface, dual-stack, and reports it as [::]:PORT
        family, addr = socket.AF_INET6, "::"
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise ApiError(f"listen tcp {listen}: lookup {host}: {exc.strerror}", 500) from None
        infos.sort(key=lambda info: info[0] != socket.AF_INET)  # Go prefers IPv4
        family, addr = infos[0][0], str(infos[0][4][0])
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6 and addr == "::":
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind((addr, port))
        sock.listen(1024)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        reason = (exc.strerror or str(exc)).lower()
        raise ApiError(f"listen tcp {join_host_port(addr, port)}: bind: {reason}", 500) from None
    bound = sock.getsockname()
    return sock, join_host_port(str(bound[0]), int(bound[1]))


def upstream_target(upstream: str) -> tuple[str, int]:
    """Host and port to dial for ``upstream`` (raises AddressError when malformed)."""
    host, port_text = split_host_port(upstream)
    return host or "127.0.0.1", parse_port(upstream, port_text)
