"""The SSRF guard refuses every address that is not globally reachable (IANA's special-purpose
registries) and says exactly what to add to allow one. No socket is opened: names resolve
through an injected resolver."""

from __future__ import annotations

import ipaddress
import re

import pytest

from ingest.ssrf import AddressPolicy, BlockedAddress, blocked_reason


class Resolver:
    def __init__(self, answer: str) -> None:
        self.answer = answer

    async def resolve(self, host: str, port: int) -> list[str]:
        return [self.answer]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "169.254.169.254",
        "100.64.0.1",
        "0.1.2.3",
        "192.0.0.170",
        "192.88.99.1",  # 6to4 relay anycast (deprecated)
        "198.18.0.1",
        "203.0.113.9",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::ffff:127.0.0.1",
        "fe80::1",
        "fc00::1",
        "fec0::1",  # site-local (deprecated)
        "2002:c058:6301::1",  # 6to4 of the relay anycast address
        "2002:a9fe:a9fe::1",  # 6to4 of the metadata address
        "64:ff9b::a9fe:a9fe",  # NAT64 of the metadata address
        "64:ff9b:1::1",  # local-use NAT64
        "2001:db8::1",
        "3fff::1",  # documentation (2024)
        "2001::1",  # Teredo
        "100::1",
        "ff02::1",
    ],
)
def test_addresses_that_are_not_globally_reachable_are_refused(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "151.101.1.140", "2606:4700::1111", "64:ff9b::808:808"]
)
def test_public_addresses_pass(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("address", "entry"),
    [("::1", "[::1]:8765"), ("fec0::7", "[fec0::7]:8765"), ("127.0.0.2", "127.0.0.2:8765")],
)
async def test_the_hint_names_an_entry_that_allows_exactly_that_address(
    address: str, entry: str
) -> None:
    with pytest.raises(BlockedAddress) as refused:
        await AddressPolicy().vet("feeds.internal", 8765, Resolver(address))
    hint = re.search(r"add '([^']+)' to fetch.allow_private", str(refused.value))
    assert hint is not None and hint[1] == entry
    allowed = AddressPolicy.from_allow_list([hint[1]])
    assert await allowed.vet("feeds.internal", 8765, Resolver(address)) == address
    with pytest.raises(BlockedAddress):
        await allowed.vet("feeds.internal", 8766, Resolver(address))  # that port only
