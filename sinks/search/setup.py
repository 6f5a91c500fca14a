"""Install the layout on an engine, idempotently, and say what was done.

Templates are upserts, so running it twice changes nothing. The retention policy
needs ISM (OpenSearch) or ILM (Elasticsearch); an engine without that plugin
(the embedded test nodes) is reported and setup goes on without retention.
"""

from __future__ import annotations

from typing import Any, Literal

from sinks.search.layout import Layout
from sinks.search.lifecycle import ilm_policy, ism_policy
from sinks.search.transport import EngineRefused, Reply, Transport

Lifecycle = Literal["ism", "ilm"]


def _put(transport: Transport, path: str, body: Any, what: str) -> None:
    reply = transport.request("PUT", path, body)
    if not reply.ok:
        raise EngineRefused(what, reply)


def _no_handler(reply: Reply) -> bool:
    """The engine has no such API: the plugin is not installed."""
    return reply.status in (400, 404, 405) and "no handler found" in str(reply.body)


def _install_ism(transport: Transport, layout: Layout) -> str:
    path = f"/_plugins/_ism/policies/{layout.lifecycle_policy}"
    current = transport.request("GET", path)
    if _no_handler(current):
        return "retention: ISM is not installed on this engine; old months are not deleted"
    if current.ok:  # an update must name the version it replaces
        seq, term = current.body["_seq_no"], current.body["_primary_term"]
        path += f"?if_seq_no={seq}&if_primary_term={term}"
    _put(transport, path, ism_policy(layout), f"ISM policy {layout.lifecycle_policy}")
    return f"retention: ISM policy {layout.lifecycle_policy} installed"


def _install_ilm(transport: Transport, layout: Layout) -> str | None:
    path = f"/_ilm/policy/{layout.lifecycle_policy}"
    reply = transport.request("PUT", path, ilm_policy(layout))
    if _no_handler(reply):
        return None
    if not reply.ok:
        raise EngineRefused(f"ILM policy {layout.lifecycle_policy}", reply)
    return f"retention: ILM policy {layout.lifecycle_policy} installed"


def install(transport: Transport, layout: Layout, lifecycle: Lifecycle) -> list[str]:
    """Put the retention policy, component templates and index templates; one line each."""
    report = []
    ilm = False
    if lifecycle == "ism":
        report.append(_install_ism(transport, layout))
    else:
        line = _install_ilm(transport, layout)
        ilm = line is not None
        report.append(
            line or "retention: ILM is not available on this engine; old months are not deleted"
        )
    for name, body in layout.component_templates(ilm=ilm).items():
        _put(transport, f"/_component_template/{name}", body, f"component template {name}")
        report.append(f"component template {name} installed")
    for name, body in layout.index_templates(ilm=ilm).items():
        _put(transport, f"/_index_template/{name}", body, f"index template {name}")
        report.append(f"index template {name} installed")
    for pattern, properties in layout.existing_index_properties().items():
        # Adding fields to live indices is allowed; a changed field type is refused and
        # reported (that needs a reindex, see docs/search-engines.md).
        _put(
            transport,
            f"/{pattern}/_mapping?allow_no_indices=true&ignore_unavailable=true",
            {"properties": properties},
            f"mapping update of existing indices {pattern}",
        )
        report.append(f"existing indices {pattern} brought up to date")
    return report
