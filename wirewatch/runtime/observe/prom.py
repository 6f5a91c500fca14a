"""The Prometheus adapter of the metrics port, on a registry of its own.

Every metric of `wirewatch.core.metrics.CATALOGUE` is created up front, so a scrape
lists them all (at zero) before the first article flows; a name or a label the
catalogue does not have is a bug and raises.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.metrics import MetricWrapperBase

from wirewatch.core.metrics import CATALOGUE, MetricSpec

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class PrometheusMetrics:
    def __init__(self) -> None:
        # no `_created` series beside each counter and histogram: they double the series
        # and the text format shows them as metrics of their own (process-wide setting)
        disable_created_metrics()
        self.registry = CollectorRegistry()
        self._metrics = {s.name: _create(s, self.registry) for s in CATALOGUE}

    def count(self, name: str, amount: float = 1, **labels: str) -> None:
        self._child(name, labels).inc(amount)

    def observe(self, name: str, value: float, **labels: str) -> None:
        self._child(name, labels).observe(value)

    def set(self, name: str, value: float, **labels: str) -> None:
        self._child(name, labels).set(value)

    def exposition(self) -> bytes:
        """The text format a Prometheus server scrapes."""
        return generate_latest(self.registry)

    def _child(self, name: str, labels: dict[str, str]) -> Any:  # a Counter, Gauge or Histogram
        metric = self._metrics[name]
        return metric.labels(**labels) if labels else metric


def _create(spec: MetricSpec, registry: CollectorRegistry) -> MetricWrapperBase:
    if spec.kind == "counter":
        return Counter(spec.name, spec.help, spec.labels, registry=registry)
    if spec.kind == "gauge":
        return Gauge(spec.name, spec.help, spec.labels, registry=registry)
    return Histogram(spec.name, spec.help, spec.labels, registry=registry, buckets=spec.buckets)
