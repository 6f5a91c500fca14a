"""Scrape a role's /metrics, /healthz, /readyz as Prometheus and a probe would, and check
the exposition against Prometheus' naming rules."""

from __future__ import annotations

import json
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from prometheus_client.parser import text_string_to_metric_families

from wirewatch.core.metrics import CATALOGUE

NAME = re.compile(r"^wirewatch_[a-z][a-z0-9_]*$")
UNITS = ("_seconds", "_bytes", "_records", "_items", "_total")
DECLARED = {m.name for m in CATALOGUE}


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # loopback only
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, keyed by name and sorted labels; checks the names."""
    out = {}
    for family in text_string_to_metric_families(text):
        if not family.name.startswith("wirewatch_"):
            continue
        # the parser names a counter's family without `_total`; its samples carry it
        name = family.name + "_total" if family.type == "counter" else family.name
        assert NAME.match(name), name
        assert name in DECLARED, f"{name}: not in the catalogue"
        assert name.endswith(UNITS), f"{name}: no unit suffix"
        assert (family.type == "counter") == name.endswith("_total"), name
        for s in family.samples:
            assert not any(v.startswith(("http:", "https:")) for v in s.labels.values()), s
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def total(
    values: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    """The sum of `name`'s samples whose labels include `labels`."""
    return sum(v for (n, ls), v in values.items() if n == name and set(labels.items()) <= set(ls))


def wait_for(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        time.sleep(0.5)


def health(base: str, path: str) -> tuple[int, dict[str, object]]:
    status, body = get(base + path)
    return status, json.loads(body)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def metrics_env(port: int) -> dict[str, str]:
    """A role's environment to serve its metrics on `port` and log JSON lines."""
    return {
        "WIREWATCH_METRICS__ENABLED": "true",
        "WIREWATCH_METRICS__PORT": str(port),
        "WIREWATCH_LOG_FORMAT": "json",
    }
