"""Go's net address rules as the fault proxy applies them: split, ports, IPs, resolution.

Expected texts are Go's (net.SplitHostPort, net.LookupPort, net.ResolveTCPAddr), checked
against a real Toxiproxy 2.12 server.
"""

from __future__ import annotations

import pytest

from chaos.toxiproxy.netaddr import (
    AddressError,
    is_domain_name,
    join_host_port,
    lookup_port,
    resolve_tcp_addr,
    split_host_port,
)


@pytest.mark.parametrize(
    ("address", "parts"),
    [
        ("127.0.0.1:80", ("127.0.0.1", "80")),
        ("[::1]:6379", ("::1", "6379")),
        (":0", ("", "0")),
        ("localhost:", ("localhost", "")),
        ("[127.0.0.1]:0", ("127.0.0.1", "0")),
    ],
)
def test_split_host_port(address: str, parts: tuple[str, str]) -> None:
    assert split_host_port(address) == parts


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("nocolon", "address nocolon: missing port in address"),
        ("[::1]", "address [::1]: missing port in address"),
        ("::1:80", "address ::1:80: too many colons in address"),
        ("[::1", "address [::1: missing ']' in address"),
        ("[::1]x:80", "address [::1]x:80: missing port in address"),
        ("[::1]:8:0", "address [::1]:8:0: too many colons in address"),
        ("a[b:80", "address a[b:80: unexpected '[' in address"),
        ("ab]:80", "address ab]:80: unexpected ']' in address"),
    ],
)
def test_split_host_port_refuses_with_gos_text(address: str, message: str) -> None:
    with pytest.raises(AddressError) as caught:
        split_host_port(address)
    assert str(caught.value) == message


def test_join_host_port_brackets_ipv6() -> None:
    assert join_host_port("::", 5) == "[::]:5"
    assert join_host_port("127.0.0.1", 5) == "127.0.0.1:5"


@pytest.mark.parametrize(
    ("service", "port"),
    [("80", 80), ("00080", 80), ("+80", 80), ("-0", 0), ("", 0), ("+", 0), ("http", 80)],
)
def test_lookup_port_reads_numbers_and_service_names_as_go(service: str, port: int) -> None:
    assert lookup_port(service) == port


@pytest.mark.parametrize(
    ("service", "message"),
    [
        ("99999", "address 99999: invalid port"),
        ("65536", "address 65536: invalid port"),
        ("-1", "address -1: invalid port"),
        ("99999999999999999999", "address 99999999999999999999: invalid port"),
        ("abc", "lookup tcp/abc: unknown port"),
        ("0x10", "lookup tcp/0x10: unknown port"),
        (" 80", "lookup tcp/ 80: unknown port"),
        ("tcp/abc", "lookup tcp/tcp/abc: unknown port"),
    ],
)
def test_lookup_port_refuses_with_gos_text(service: str, message: str) -> None:
    with pytest.raises(AddressError) as caught:
        lookup_port(service)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("name", "domain"),
    [
        ("localhost", True),
        ("redis-1.internal", True),
        ("256.1.1.1", False),  # all-numeric: Go never asks DNS about it
        ("0", False),
        ("a..b", False),
        ("-a", False),
        ("a-", False),
        ("has space", False),
        ("", False),
    ],
)
def test_is_domain_name(name: str, domain: bool) -> None:
    assert is_domain_name(name) is domain


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("", ":0"),
        (":7070", ":7070"),
        ("127.0.0.1:7070", "127.0.0.1:7070"),
        ("localhost:7070", "127.0.0.1:7070"),
        ("0.0.0.0:7070", "0.0.0.0:7070"),
        ("[::]:7070", "[::]:7070"),
        ("[::ffff:127.0.0.1]:7070", "127.0.0.1:7070"),
        ("[::1]:http", "[::1]:80"),
    ],
)
def test_resolve_tcp_addr_prints_as_go(address: str, shown: str) -> None:
    assert str(resolve_tcp_addr(address)) == shown


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("256.1.1.1:0", "lookup 256.1.1.1: no such host"),
        ("0:0", "lookup 0: no such host"),
        ("127.000.0.1:0", "lookup 127.000.0.1: no such host"),
        ("notanaddress", "address notanaddress: missing port in address"),
    ],
)
def test_resolve_tcp_addr_refuses_without_asking_dns(address: str, message: str) -> None:
    with pytest.raises(AddressError) as caught:
        resolve_tcp_addr(address)
    assert str(caught.value) == message
