"""Entries of `fetch.allow_private`: the private addresses a fetch may still reach.

Parsed here, in the kernel, so that loading the settings refuses a malformed
entry at once (every command says what is wrong, not only `run` when the fetcher
starts), and the SSRF guard in `ingest.ssrf` applies the very same parse.
An entry is 'host', 'host:port', an IP or a CIDR network, with an optional
':port' (IPv6 with a port in brackets: '[::1]:8080').
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_PORT = re.compile(r"[0-9]{1,5}")
_HOST_LABEL = re.compile(r"\w([\w-]{0,61}\w)?")  # \w: IDN labels too


@dataclass(frozen=True)
class AllowEntry:
    """One exemption: a host name or a network, on any port or on one."""

    host: str | None = None
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    port: int | None = None

    def covers(self, host: str, ip: IPAddress | None, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.host is not None:
            return host.lower() == self.host
        return ip is not None and self.network is not None and ip in self.network


def parse_allow_entry(entry: str) -> AllowEntry:
    """Parse one entry; a ValueError says what is wrong with it and how to write it."""
    text = entry.strip().lower()
    port: int | None = None
    if text.startswith("["):  # [v6]:port
        text, _, rest = text[1:].partition("]")
        if rest and not rest.startswith(":"):
            raise ValueError(f"{entry!r}: expected ':port' after ']', as in '[::1]:8080'")
        port = _port(entry, rest[1:]) if rest else None
        return AllowEntry(network=_network(entry, text), port=port)
    if text.count(":") == 1:
        text, _, p = text.partition(":")
        port = _port(entry, p)
    try:
        return AllowEntry(network=ipaddress.ip_network(text, strict=False), port=port)
    except ValueError:
        pass
    host = text.rstrip(".")
    if ":" in host or not _is_host_name(host):
        raise ValueError(
            f"{entry!r} is not a host name, an IP address or a network "
            "(write 'host', 'host:port', '10.0.0.0/8' or '[::1]:8080')"
        )
    return AllowEntry(host=host, port=port)


def _port(entry: str, text: str) -> int:
    if not _PORT.fullmatch(text) or not 1 <= int(text) <= 65535:
        raise ValueError(f"{entry!r}: port {text!r} is not a number from 1 to 65535")
    return int(text)


def _network(entry: str, text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueError(f"{entry!r}: {text!r} inside [ ] is not an IP address") from None


def _is_host_name(host: str) -> bool:
    return 0 < len(host) <= 253 and all(_HOST_LABEL.fullmatch(p) for p in host.split("."))
