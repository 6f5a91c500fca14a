"""Canonical article URLs: the basis of the article id, so the same story found
through different links (tracking parameters, fragments, host case) is one article.

A fragment usually only points into the page (`#comments`, `#more-12`) and is
dropped — except where it is what tells a feed's entries apart: several entries
on one page (`now.html#2026-01-02`, `now.html#2026-01-03`), or an entry whose guid
carries the same fragment. `entry_links` decides that over one feed's entries."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

_TRACKING_EXACT = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ref_src",
        "oly_enc_id",
        "oly_anon_id",
        "vero_id",
        "rb_clickid",
        "s_cid",
        "cmpid",
        "ocid",
        "smid",
        "sr_share",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
    }
)
_TRACKING_PREFIXES = ("utm_", "ga_", "pk_", "mtm_", "hsa_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEMES = frozenset({"http", "https"})
_WS = re.compile(r"\s+")


def is_tracking_param(name: str) -> bool:
    n = name.lower()
    return n in _TRACKING_EXACT or n.startswith(_TRACKING_PREFIXES)


def canonical_url(
    url: str | None, base: str | None = None, *, keep_fragment: bool = False
) -> str | None:
    """Absolute http(s) URL with lower-case host, no default port, tracking or (unless
    `keep_fragment`) fragment.

    None for what cannot be an article link (javascript:, mailto:, empty, garbage).
    """
    if not url:
        return None
    url = _WS.sub("", url)
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    netloc = host if ":" not in host else f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    if parts.username:
        netloc = f"{parts.username}{':' + parts.password if parts.password else ''}@{netloc}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    ]
    path = parts.path or "/"
    fragment = parts.fragment if keep_fragment else ""
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), fragment))


def entry_links(entries: Sequence[tuple[str | None, str | None]]) -> list[str | None]:
    """Each entry's link without its fragment, unless the fragment tells entries apart.

    `entries` are one feed's (canonical link with fragment, guid) pairs. A fragment is
    kept when another entry links to the same page with another fragment (or none),
    or when the entry's guid ends with it; dropping it would merge distinct entries.
    """
    variants: dict[str, set[str]] = {}
    for link, _ in entries:
        if link:
            variants.setdefault(urldefrag(link).url, set()).add(link)
    out: list[str | None] = []
    for link, guid in entries:
        if not link or "#" not in link:
            out.append(link)
            continue
        page, fragment = urldefrag(link)
        apart = len(variants[page]) > 1 or (guid or "").endswith(f"#{fragment}")
        out.append(link if apart else page)
    return out


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower() if host else None
