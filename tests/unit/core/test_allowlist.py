"""fetch.allow_private entries: what each form allows, and a clear refusal of malformed ones."""

from __future__ import annotations

import ipaddress

import pytest

from wirewatch.core.allowlist import AllowEntry, parse_allow_entry

IP = ipaddress.ip_address


@pytest.mark.parametrize(
    ("entry", "host", "ip", "port", "covered"),
    [
        ("127.0.0.1:8080", "127.0.0.1", "127.0.0.1", 8080, True),
        ("127.0.0.1:8080", "127.0.0.1", "127.0.0.1", 8081, False),
        ("10.0.0.0/8", "intranet", "10.1.2.3", 443, True),
        ("10.0.0.0/8", "intranet", "11.1.2.3", 443, False),
        ("[::1]:8765", "::1", "::1", 8765, True),
        ("[::1]", "::1", "::1", 1, True),
        ("fd00::/8", "x", "fd12::1", 80, True),
        ("Intranet.Local.", "intranet.local", None, 80, True),
        ("intranet.local:8080", "intranet.local", None, 80, False),
        ("bücher.example", "bücher.example", None, 80, True),
    ],
)
def test_each_form_covers_what_it_says(
    entry: str, host: str, ip: str | None, port: int, covered: bool
) -> None:
    allow = parse_allow_entry(entry)
    assert isinstance(allow, AllowEntry)
    assert allow.covers(host, IP(ip) if ip else None, port) is covered


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("127.0.0.1:abc", "port 'abc' is not a number from 1 to 65535"),
        ("127.0.0.1:0", "port '0' is not a number"),
        ("127.0.0.1:65536", "port '65536' is not a number"),
        ("host:", "port '' is not a number"),
        ("[::1]x", "expected ':port' after ']'"),
        ("[::1]:", "port '' is not a number"),
        ("[not-an-ip]:80", "inside [ ] is not an IP address"),
        ("", "is not a host name"),
        ("two words", "is not a host name"),
        ("fe80::zz", "is not a host name"),
        ("a..b", "is not a host name"),
    ],
)
def test_malformed_entries_say_what_is_wrong(entry: str, says: str) -> None:
    with pytest.raises(ValueError) as e:
        parse_allow_entry(entry)
    assert says in str(e.value)
    assert repr(entry) in str(e.value)
