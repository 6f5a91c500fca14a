"""The metrics port's Prometheus adapter, the HTTP endpoint, source labels, JSON logs."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from tests.support.scrape import samples, total
from wirewatch.core.metrics import CATALOGUE, OTHER_SOURCE, SourceLabels
from wirewatch.core.redact import JsonFormatter
from wirewatch.core.settings import MetricsSettings
from wirewatch.runtime.observe.prom import PrometheusMetrics
from wirewatch.runtime.observe.server import metrics_for, respond, serving


def test_every_catalogued_metric_is_exposed_with_valid_names_before_anything_flows() -> None:
    text = PrometheusMetrics().exposition().decode()
    for spec in CATALOGUE:
        assert f"# TYPE {spec.name} {spec.kind}" in text
    samples(text)  # parses with Prometheus' own parser; names checked there


def test_recorded_values_show_in_the_exposition() -> None:
    m = PrometheusMetrics()
    m.count("wirewatch_articles_in_total", 3, stage="enrich")
    m.count("wirewatch_alert_deliveries_total", channel="slack", outcome="delivered")
    m.observe("wirewatch_freshness_seconds", 42.0, source="example.org")
    m.set("wirewatch_queue_items", 7, queue="raw")
    values = samples(m.exposition().decode())
    assert total(values, "wirewatch_articles_in_total", stage="enrich") == 3
    assert total(values, "wirewatch_alert_deliveries_total", channel="slack") == 1
    assert total(values, "wirewatch_freshness_seconds_count", source="example.org") == 1
    assert total(values, "wirewatch_freshness_seconds_bucket", source="example.org", le="60.0") == 1
    assert total(values, "wirewatch_freshness_seconds_bucket", source="example.org", le="30.0") == 0
    assert total(values, "wirewatch_queue_items", queue="raw") == 7


def test_a_label_the_catalogue_does_not_declare_is_a_bug() -> None:
    with pytest.raises(ValueError):
        PrometheusMetrics().count("wirewatch_articles_in_total", url="https://x.example/a")


def test_source_labels_are_host_names_capped_with_other() -> None:
    sources = SourceLabels(cap=2)
    assert sources.label("https://user:secret@www.a.example/feed?token=x") == "a.example"
    assert sources.label("https://b.example/rss") == "b.example"
    assert sources.label("https://c.example/rss") == OTHER_SOURCE
    assert sources.label("https://a.example/other") == "a.example"


def test_readiness_lists_every_check_and_answers_503_with_the_reasons() -> None:
    m = PrometheusMetrics()
    ready = respond("GET", "/readyz", m, {"models": lambda: None, "kafka": lambda: "no broker"})
    assert ready.status == 503
    assert json.loads(ready.body) == {
        "ready": False,
        "checks": {"models": "ok", "kafka": "no broker"},
    }
    assert respond("GET", "/readyz", m, {"models": lambda: None}).status == 200
    assert respond("GET", "/healthz", m, {"kafka": lambda: "down"}).status == 200
    assert respond("GET", "/nope", m, {}).status == 404
    assert respond("POST", "/metrics", m, {}).status == 405


def test_a_broken_check_is_a_reason_not_a_crash() -> None:
    def broken() -> str | None:
        raise RuntimeError("boom")

    reply = respond("GET", "/readyz", PrometheusMetrics(), {"engine": broken})
    assert reply.status == 503
    assert "boom" in json.loads(reply.body)["checks"]["engine"]


async def test_the_endpoint_answers_over_a_socket() -> None:
    settings = MetricsSettings(enabled=True, port=0)
    metrics = metrics_for(settings)
    metrics.count("wirewatch_feed_polls_total", outcome="ok")
    async with serving(settings, metrics, {"pipeline": lambda: None}) as port:
        assert port
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = (await reader.read()).decode()
        writer.close()
    head, _, body = reply.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 200 OK")
    assert total(samples(body), "wirewatch_feed_polls_total", outcome="ok") == 1


async def test_metrics_off_opens_no_port() -> None:
    settings = MetricsSettings(enabled=False)
    async with serving(settings, metrics_for(settings), {}) as port:
        assert port is None


def test_json_log_lines_carry_fields_and_never_a_secret() -> None:
    record = logging.LogRecord(
        "wirewatch.runtime",
        logging.WARNING,
        __file__,
        1,
        "fetch of %s failed",
        ("https://u:pw@h.example/f?token=abc",),
        None,
    )
    record.feed = "https://h.example/f?api_key=k1"
    record.attempt = 2
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING"
    assert line["logger"] == "wirewatch.runtime"
    assert line["time"].endswith("+00:00")
    assert line["attempt"] == 2
    assert "pw" not in line["message"] and "abc" not in line["message"]
    assert "k1" not in line["feed"]
