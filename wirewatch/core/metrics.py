"""The metrics port: what the runtimes count, and the one catalogue of what it means.

Stages and runtimes record through `Metrics` (three calls: count, observe, set) and never
import a metrics library; `wirewatch.runtime.observe.prom` is the Prometheus adapter,
and `NO_METRICS` the null one when metrics are off. The catalogue below is the only
place a metric is declared, so the adapter, the docs (docs/observability.md) and the
tests that check names and labels all read the same list.

Labels are bounded: stages, kinds, outcomes and channels are fixed words; a source is a
feed's host name, and past `SourceLabels.cap` distinct hosts the rest count as "other",
so a deployment with 10,000 feeds does not grow 10,000 series per histogram bucket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol
from urllib.parse import urlsplit

Kind = Literal["counter", "gauge", "histogram"]

# seconds: from a millisecond stage to a day-old article found late
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
FRESHNESS_BUCKETS = (10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 10800.0, 86400.0)
OTHER_SOURCE = "other"


@dataclass(frozen=True)
class MetricSpec:
    name: str
    kind: Kind
    help: str
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] = ()


CATALOGUE: tuple[MetricSpec, ...] = (
    MetricSpec(
        "wirewatch_articles_in_total",
        "counter",
        "Articles a stage took in.",
        ("stage",),
    ),
    MetricSpec(
        "wirewatch_articles_out_total",
        "counter",
        "Articles a stage passed on (stored, for the last stage).",
        ("stage",),
    ),
    MetricSpec(
        "wirewatch_errors_total",
        "counter",
        "Problems by stage and kind (a failed feed, a dead letter, a failed batch).",
        ("stage", "kind"),
    ),
    MetricSpec(
        "wirewatch_feed_polls_total",
        "counter",
        "Feed polls by outcome: ok, not_modified or failed.",
        ("outcome",),
    ),
    MetricSpec(
        "wirewatch_freshness_seconds",
        "histogram",
        "Seconds from an article's published time to its being searchable, per source.",
        ("source",),
        FRESHNESS_BUCKETS,
    ),
    MetricSpec(
        "wirewatch_stage_duration_seconds",
        "histogram",
        "Seconds a stage spent on one batch.",
        ("stage",),
        LATENCY_BUCKETS,
    ),
    MetricSpec(
        "wirewatch_queue_items",
        "gauge",
        "Items waiting in an in-process queue between two stages.",
        ("queue",),
    ),
    MetricSpec(
        "wirewatch_consumer_lag_records",
        "gauge",
        "Records of a topic partition not yet read by this process.",
        ("topic", "partition"),
    ),
    MetricSpec(
        "wirewatch_alert_deliveries_total",
        "counter",
        "Alert deliveries by channel and outcome: delivered, retrying or dead_lettered.",
        ("channel", "outcome"),
    ),
)
SPECS = {s.name: s for s in CATALOGUE}


class Metrics(Protocol):
    """Where the runtimes record; labels are keyword arguments named as in the catalogue."""

    def count(self, name: str, amount: float = 1, **labels: str) -> None: ...

    def observe(self, name: str, value: float, **labels: str) -> None: ...

    def set(self, name: str, value: float, **labels: str) -> None: ...


class _NoMetrics:
    """Metrics off: every call is a no-op."""

    def count(self, name: str, amount: float = 1, **labels: str) -> None:
        return None

    def observe(self, name: str, value: float, **labels: str) -> None:
        return None

    def set(self, name: str, value: float, **labels: str) -> None:
        return None


NO_METRICS: Metrics = _NoMetrics()


@dataclass
class SourceLabels:
    """A feed's host name as a label, the first `cap` distinct hosts only (then "other")."""

    cap: int = 200
    _seen: set[str] = field(default_factory=set)

    def label(self, feed_url: str) -> str:
        host = (urlsplit(feed_url).hostname or "").removeprefix("www.") or "local"
        if host in self._seen:
            return host
        if len(self._seen) >= self.cap:
            return OTHER_SOURCE
        self._seen.add(host)
        return host
