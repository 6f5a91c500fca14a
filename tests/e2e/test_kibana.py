"""`wirewatch kibana import` and `alerts export-kibana` as a user runs them.

Kibana cannot be installed here, so the import goes to a stand-in on 127.0.0.1 that
checks what Kibana's saved objects import API checks: the method and path, the
overwrite flag, the anti-CSRF header, the credentials, and a multipart body whose
`file` part is the NDJSON; it answers as Kibana does.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import EXAMPLE_CONFIG, Cli
from tests.support.http_server import Reply, Request, TestServer

pytestmark = pytest.mark.e2e

CONFIG = ("--config", str(EXAMPLE_CONFIG))
IMPORT = "/api/saved_objects/_import"


def ndjson_part(req: Request) -> tuple[str, list[dict[str, Any]]]:
    """The multipart body's `file` part: its file name and the objects, one per line."""
    head = f"Content-Type: {req.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + req.body)
    assert message.is_multipart(), req.headers["content-type"]
    (part,) = [
        p
        for p in message.iter_parts()
        if p.get_param("name", header="content-disposition") == "file"
    ]
    text = part.get_payload(decode=True).decode("utf-8")
    return part.get_filename(), [json.loads(line) for line in text.splitlines()]


def kibana(req: Request) -> Reply:
    """Kibana's answer: 400 for what it would refuse, else every object imported."""
    if req.method != "POST" or "overwrite=true" not in req.path:
        return Reply(400, body=b'{"message": "expected POST ?overwrite=true"}')
    if not (req.headers.get("kbn-xsrf") or req.headers.get("osd-xsrf")):
        return Reply(400, body=b'{"message": "Request must contain a kbn-xsrf header."}')
    name, objects = ndjson_part(req)
    if not name.endswith(".ndjson"):
        return Reply(400, body=b'{"message": "Invalid file extension"}')
    body = {"success": True, "successCount": len(objects), "errors": []}
    return Reply(200, {"Content-Type": "application/json"}, json.dumps(body).encode())


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as s:
        s.route(IMPORT, kibana)
        s.route(f"/s/news{IMPORT}", kibana)
        yield s


def test_import_loads_every_object_with_kibanas_header_and_overwrites_on_a_second_run(
    cli: Cli, server: TestServer
) -> None:
    url = server.url("")
    first = cli("kibana", "import", "--url", url, "--api-key", "aWQ6a2V5", *CONFIG)
    cli("kibana", "import", "--url", url, "--api-key", "aWQ6a2V5", *CONFIG)
    assert "imported 5 saved objects into Kibana" in first.stdout
    assert f"{url}/app/dashboards#/view/wirewatch-coverage" in first.stdout
    sent = [ndjson_part(r)[1] for r in server.requests]
    assert len(sent) == 2 and sent[0] == sent[1]  # the same ids: the second overwrites
    for r in server.requests:
        assert r.method == "POST" and r.path == f"{IMPORT}?overwrite=true"
        assert r.headers["kbn-xsrf"] == "true"
        assert r.headers["authorization"] == "ApiKey aWQ6a2V5"
    kinds = sorted(o["type"] for o in sent[0])
    assert kinds == ["dashboard", "index-pattern", "index-pattern", "search", "search"]


def test_import_into_dashboards_uses_its_header_basic_auth_and_visualizations(
    cli: Cli, server: TestServer
) -> None:
    cli(
        "kibana", "import", "--url", server.url(""), "--dashboards", "opensearch",
        "--user", "admin", "--password", "s3cret", *CONFIG,
    )  # fmt: skip
    (req,) = server.requests
    assert req.headers["osd-xsrf"] == "true" and "kbn-xsrf" not in req.headers
    assert req.headers["authorization"] == "Basic " + base64.b64encode(b"admin:s3cret").decode()
    assert "visualization" in {o["type"] for o in ndjson_part(req)[1]}


def test_import_into_a_space_and_as_json(cli: Cli, server: TestServer) -> None:
    shown = cli.json("kibana", "import", "--url", server.url(""), "--space", "news", *CONFIG)
    assert server.requests[0].path == f"/s/news{IMPORT}?overwrite=true"
    assert shown["imported"] == 5 and shown["space"] == "news"
    assert {"type": "dashboard", "id": "wirewatch-coverage"} in shown["objects"]


def test_refused_credentials_are_one_line_with_the_fix(cli: Cli, server: TestServer) -> None:
    server.route(IMPORT, lambda r: Reply(401, body=b'{"message": "unauthorized"}'))
    r = cli("kibana", "import", "--url", server.url(""), "--api-key", "bad", *CONFIG, ok=False)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "refused the credentials (401)" in r.stderr and "--api-key" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 2  # error: and hint:


def test_a_rejected_object_is_named_with_kibanas_reason(cli: Cli, server: TestServer) -> None:
    error = {
        "id": "wirewatch-coverage",
        "type": "dashboard",
        "title": "Coverage",
        "error": {
            "type": "missing_references",
            "references": [{"type": "index-pattern", "id": "wirewatch-articles"}],
        },
    }
    body = {"success": False, "successCount": 4, "errors": [error]}
    server.route(IMPORT, lambda r: Reply(200, body=json.dumps(body).encode()))
    r = cli("kibana", "import", "--url", server.url(""), *CONFIG, ok=False)
    assert "rejected dashboard 'wirewatch-coverage'" in r.stderr
    assert "index-pattern 'wirewatch-articles'" in r.stderr


def test_an_unreachable_kibana_is_one_line(cli: Cli) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed when the block ends: nothing listens there
    r = cli("kibana", "import", "--url", f"http://127.0.0.1:{port}", *CONFIG, ok=False)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert f"cannot reach Kibana at http://127.0.0.1:{port}" in r.stderr


def test_an_alert_exports_as_a_saved_search_of_its_lucene_query(cli: Cli, tmp_path) -> None:
    cli("alerts", "add", "gaza-talks", 'gaza AND "cease fire" NOT sport*', *CONFIG)
    shown = cli("alerts", "export-kibana", "gaza-talks", *CONFIG).stdout
    view, search = (json.loads(line) for line in shown.splitlines())
    assert view["type"] == "index-pattern" and search["type"] == "search"
    assert search["references"][0]["id"] == view["id"]
    source = json.loads(search["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
    assert source["query"] == {
        "language": "lucene",
        "query": '(title:"gaza" OR text:"gaza") AND (title:"cease fire" OR text:"cease fire") '
        "AND NOT (title.words:sport* OR text.words:sport*)",
    }
    out = tmp_path / "rule.ndjson"
    cli("alerts", "export-kibana", "gaza-talks", "--out", str(out), *CONFIG)
    assert out.read_text("utf-8") == shown


def test_an_alert_lucene_cannot_express_is_refused_in_one_line(cli: Cli) -> None:
    cli("alerts", "add", "near", '"gaza talks"~3', *CONFIG)
    r = cli("alerts", "export-kibana", "near", *CONFIG, ok=False)
    assert r.returncode == 2 and r.stdout == ""
    assert "sloppy phrases" in r.stderr and "Traceback" not in r.stderr
