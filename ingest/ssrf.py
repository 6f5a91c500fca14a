"""The SSRF guard: which addresses a feed, article page or webhook may reach.

A feed URL is user input and so is every redirect a server sends. By default
Wirewatch refuses every address that is not globally reachable — loopback,
private, link-local (including the cloud metadata address 169.254.169.254),
multicast, reserved, carrier-grade NAT, documentation and benchmarking ranges,
the deprecated site-local `fec0::/10` and 6to4 relay anycast `192.88.99.0/24`:
the IANA IPv4 and IPv6 special-purpose registries, through `ipaddress` plus the
entries it misses — and well-known metadata host names, checked on the
*resolved* addresses of every hop, before any socket opens. Addresses that embed
an IPv4 address (IPv4-mapped, 6to4, NAT64 `64:ff9b::/96`) are judged by it.
The fetcher then connects to exactly the address that was checked, so a DNS
answer that changes between check and connect (rebinding) cannot slip through.
`fetch.allow_private` lists exemptions: 'host', 'host:port', '[v6]:port', an IP
or a CIDR network (optionally ':port').
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from wirewatch.core.allowlist import AllowEntry, IPAddress, parse_allow_entry

_METADATA_HOSTS = frozenset(
    {
        "metadata.google.internal",
        "metadata.goog",
        "metadata",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.azure.internal",
        "metadata.internal",
    }
)
# Not globally reachable, yet not flagged by `ipaddress` (Python 3.11).
_EXTRA_BLOCKED = tuple(
    ipaddress.ip_network(n)
    for n in (
        "100.64.0.0/10",  # carrier-grade NAT
        "192.0.0.0/24",  # IETF protocol assignments
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated, RFC 7526)
        "198.18.0.0/15",  # benchmarking
        "fec0::/10",  # site-local (deprecated, RFC 3879)
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215)
        "3fff::/20",  # documentation (RFC 9637)
        "fd00:ec2::254/128",  # AWS IMDS over IPv6
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # well-known prefix: an IPv4 address inside


class Resolver(Protocol):
    async def resolve(self, host: str, port: int) -> list[str]:
        """The IP addresses `host` resolves to."""
        ...


class SystemResolver:
    """getaddrinfo through the event loop (no blocking of other fetches)."""

    async def resolve(self, host: str, port: int) -> list[str]:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return list(dict.fromkeys(str(info[4][0]) for info in infos))


def blocked_reason(ip: IPAddress) -> str | None:
    """Why this address is not public, or None if it is."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return blocked_reason(ip.ipv4_mapped)
    if isinstance(ip, ipaddress.IPv6Address) and ip.sixtofour is not None:
        return blocked_reason(ip.sixtofour)
    if isinstance(ip, ipaddress.IPv6Address) and ip in _NAT64:
        return blocked_reason(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    checks = (
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local (cloud metadata lives here)"),
        (ip.is_multicast, "multicast"),
        (ip.is_unspecified, "unspecified"),
        (ip.is_private, "private"),
        (ip.is_reserved, "reserved"),
        (any(ip in n for n in _EXTRA_BLOCKED if n.version == ip.version), "non-public"),
        (not ip.is_global, "not globally reachable"),
    )
    for hit, why in checks:
        if hit:
            return why
    return None


class BlockedAddress(Exception):
    """A hop's address is not allowed; the message says which and how to allow it."""


@dataclass
class AddressPolicy:
    allow: Sequence[AllowEntry] = field(default_factory=tuple)

    @classmethod
    def from_allow_list(cls, entries: Sequence[str]) -> AddressPolicy:
        try:
            return cls(tuple(parse_allow_entry(e) for e in entries))
        except ValueError as e:
            raise ValueError(f"bad fetch.allow_private entry: {e}") from None

    def _allowed(self, host: str, ip: IPAddress | None, port: int) -> bool:
        return any(a.covers(host, ip, port) for a in self.allow)

    def check_host(self, host: str, port: int) -> None:
        """Refuse metadata host names before resolving them."""
        h = host.lower().rstrip(".")
        if h in _METADATA_HOSTS and not self._allowed(h, None, port):
            raise BlockedAddress(f"{host} is a cloud metadata host name")

    def check_ip(self, host: str, ip_text: str, port: int) -> None:
        ip = ipaddress.ip_address(ip_text.split("%", 1)[0])
        why = blocked_reason(ip)
        if why and not self._allowed(host, ip, port):
            entry = f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"
            raise BlockedAddress(
                f"{host} resolves to {ip} ({why}); refused to prevent SSRF. To allow it, add "
                f"'{entry}' to fetch.allow_private"
            )

    async def vet(self, host: str, port: int, resolver: Resolver) -> str:
        """Resolve `host` and return the address to connect to, or raise BlockedAddress."""
        self.check_host(host, port)
        try:
            literal = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        addresses = [str(literal)] if literal is not None else await resolver.resolve(host, port)
        if not addresses:
            raise OSError(f"{host} did not resolve")
        for ip in addresses:  # every answer must be acceptable, not just the first
            self.check_ip(host, ip, port)
        return addresses[0]
