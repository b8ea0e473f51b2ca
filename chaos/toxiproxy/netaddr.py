"""TCP addresses as Go's net package reads, resolves and prints them.

The real server hands ``listen`` to ``net.Listen`` and compares listen addresses with
``net.ResolveTCPAddr``; these functions give the same results and the same error texts
(``address X: missing port in address``, ``lookup tcp/abc: unknown port``, ...).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path

RESOLV_CONF = Path("/etc/resolv.conf")
MAX_SERVICE_NAME = len("mobility-header") + 10  # Go's maxPortBufSize


class AddressError(ValueError):
    """An address Go's net package refuses; ``str()`` is Go's error text."""


@dataclass(frozen=True)
class TcpAddr:
    """A resolved address: ``ip`` None is the wildcard (``:PORT``, every interface)."""

    ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None
    port: int
    zone: str = ""

    @property
    def wildcard(self) -> bool:
        return self.ip is None or self.ip.is_unspecified

    def __str__(self) -> str:
        # Go's TCPAddr.String: an IPv4-mapped IPv6 address prints as IPv4
        if self.ip is None:
            host = ""
        elif isinstance(self.ip, ipaddress.IPv6Address) and self.ip.ipv4_mapped is not None:
            host = str(self.ip.ipv4_mapped)
        else:
            host = str(self.ip)
        if self.zone:
            host += "%" + self.zone
        return join_host_port(host, self.port)


def join_host_port(host: str, port: int | str) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def split_host_port(address: str) -> tuple[str, str]:
    """``host:port`` or ``[v6]:port`` into its parts (Go's net.SplitHostPort)."""

    def refuse(why: str) -> AddressError:
        return AddressError(f"address {address}: {why}")

    colon = address.rfind(":")
    if colon < 0:
        raise refuse("missing port in address")
    start, end_of_host = 0, 0
    if address.startswith("["):
        end = address.find("]")
        if end < 0:
            raise refuse("missing ']' in address")
        if end + 1 == len(address):
            raise refuse("missing port in address")
        if end + 1 != colon:
            if address[end + 1] == ":":
                raise refuse("too many colons in address")
            raise refuse("missing port in address")
        host = address[1:end]
        start, end_of_host = 1, end + 1
    else:
        host = address[:colon]
        if ":" in host:
            raise refuse("too many colons in address")
    if "[" in address[start:]:
        raise refuse("unexpected '[' in address")
    if "]" in address[end_of_host:]:
        raise refuse("unexpected ']' in address")
    return host, address[colon + 1 :]


def _decimal_port(service: str) -> int | None:
    """Go's parsePort: optional sign, decimal digits, clamped past 2**30; None: not a number."""
    if service == "":
        return 0
    negative = service[0] == "-"
    digits = service[1:] if service[0] in "+-" else service
    if not digits.isascii() or not digits.isdigit():
        return None if digits else 0
    value = min(int(digits), 1 << 30)
    if not negative and value >= 1 << 30:
        value = (1 << 30) - 1
    return -value if negative else value


def lookup_port(service: str) -> int:
    """A port number or service name as Go's net.LookupPort("tcp", ...) reads it."""
    port = _decimal_port(service)
    if port is None:
        try:
            if len(service) > MAX_SERVICE_NAME:
                raise OSError
            port = socket.getservbyname(service.lower(), "tcp")
        except OSError:
            raise AddressError(f"lookup tcp/{service}: unknown port") from None
    if not 0 <= port <= 65535:
        raise AddressError(f"address {service}: invalid port")
    return port


def is_domain_name(name: str) -> bool:
    """Go's isDomainName: what its resolver would ask DNS about (not all-numeric, RFC 1035)."""
    if name == ".":
        return True
    if not name or len(name) > 254 or (len(name) == 254 and not name.endswith(".")):
        return False
    last, non_numeric, part = ".", False, 0
    for char in name:
        if char.isascii() and (char.isalpha() or char == "_"):
            non_numeric = True
            part += 1
        elif char.isascii() and char.isdigit():
            part += 1
        elif char == "-":
            if last == ".":
                return False
            part += 1
            non_numeric = True
        elif char == ".":
            if last in ".-" or part > 63 or part == 0:
                return False
            part = 0
        else:
            return False
        last = char
    return last != "-" and part <= 63 and non_numeric


def _first_nameserver() -> str:
    """The DNS server Go names in a lookup error (Go's default when resolv.conf has none)."""
    try:
        lines = RESOLV_CONF.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            return join_host_port(fields[1], 53)
    return "127.0.0.1:53"


def lookup_host(host: str) -> list[TcpAddr]:
    """Addresses for a host name (port 0): hosts file and DNS, as the system resolves them."""
    if not is_domain_name(host):
        raise AddressError(f"lookup {host}: no such host")
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
            raise AddressError(f"lookup {host} on {_first_nameserver()}: no such host") from None
        raise AddressError(f"lookup {host}: {exc.strerror}") from None
    found: list[TcpAddr] = []
    for family, _, _, _, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6):
            found.append(TcpAddr(ipaddress.ip_address(str(sockaddr[0]).split("%")[0]), 0))
    if not found:
        raise AddressError(f"lookup {host}: no such host")
    return found


def parse_ip(host: str) -> TcpAddr | None:
    """A literal IP (IPv6 may carry a ``%zone``), as Go's netip.ParseAddr; None if not one."""
    try:
        parsed = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.scope_id:
        return TcpAddr(ipaddress.IPv6Address(host.split("%", maxsplit=1)[0]), 0, parsed.scope_id)
    return TcpAddr(parsed, 0)


def resolve_tcp_addr(address: str, *, listen: bool = False) -> TcpAddr:
    """Go's net.ResolveTCPAddr("tcp", address): an empty address is the wildcard port 0.

    A host name resolves to its first IPv4 address, else its first address; ResolveTCPAddr
    (not Listen) prefers IPv6 when the address is bracketed (``[name]:port``), as Go does.
    """
    if address == "":
        return TcpAddr(None, 0)
    host, service = split_host_port(address)
    port = lookup_port(service)
    if host == "":
        return TcpAddr(None, port)
    literal = parse_ip(host)
    if literal is not None:
        return TcpAddr(literal.ip, port, literal.zone)
    found = lookup_host(host)
    want6 = not listen and "[" in address
    chosen = next((a for a in found if (a.ip is not None and a.ip.version == 4) != want6), found[0])
    return TcpAddr(chosen.ip, port)
