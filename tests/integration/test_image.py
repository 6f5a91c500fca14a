"""The image, built for real with Podman and run as each role: `run --once` on the
recorded feeds served from the host, and `setup`, `poll`, `worker` and `sink` containers
against the session's Kafka and OpenSearch, until a polled article is searchable.

Opt-in on a development machine (WWDEV_IMAGE_TESTS=1: the first build takes minutes and
needs root, podman, runc and debootstrap); always on under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from opensearchpy import OpenSearch

from tests.conftest import IN_CI, REPO, require
from tests.integration.conftest import Kafka
from tests.support import podman
from tests.support.scrape import free_port
from wirewatch import __version__

pytestmark = pytest.mark.skipif(
    not IN_CI and os.environ.get("WWDEV_IMAGE_TESTS") != "1",
    reason="image tests are opt-in here: set WWDEV_IMAGE_TESTS=1 (podman, runc, debootstrap)",
)

RECORDED = REPO / "examples" / "recorded"
DEPLOY = REPO / "deploy"
CONFIG_DIR, DATA_DIR = "/etc/wirewatch", "/var/lib/wirewatch/data"


@pytest.fixture(scope="module")
def image(pytestconfig: pytest.Config) -> str:
    missing = [tool for tool in ("podman", "runc", "debootstrap") if shutil.which(tool) is None]
    require(not missing, f"{', '.join(missing)} missing: apt-get install podman runc debootstrap")
    built = podman.build_image()
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():  # the figure goes to the terminal, always
        print(
            f"\nimage {built.image}: {built.size_bytes / 1e6:.0f} MB, "
            f"built in {built.seconds:.0f} s"
        )
    return built.image


@pytest.fixture(scope="module")
def feed_server() -> Iterator[str]:
    """The recorded feeds over HTTP on 127.0.0.1 (containers share the host's network)."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(RECORDED))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _config(tmp_path: Path, config: dict[str, object]) -> Path:
    """A config folder to mount read-only."""
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "wirewatch.yaml").write_text(json.dumps(config))
    config_dir.chmod(0o755)
    return config_dir


def _mounts(config_dir: Path, data_dir: Path) -> dict[Path, str]:
    """The config folder and a data directory of its own that the image's user may write
    (one per role: the sink takes its data directory's runtime lock)."""
    data_dir.mkdir(exist_ok=True)
    data_dir.chmod(0o777)
    return {config_dir: f"{CONFIG_DIR}:ro", data_dir: DATA_DIR}


ONE_SHOT = {"WIREWATCH_METRICS__ENABLED": "false"}
"""One-shot commands in containers on the host's network open no metrics port (the image
turns metrics on for its long-running roles)."""


def _ok(r: object) -> None:
    assert getattr(r, "returncode", 1) == 0, f"{getattr(r, 'stdout', '')}{getattr(r, 'stderr', '')}"


def test_the_image_runs_as_a_user_with_its_labels_entrypoint_and_health_check(
    image: str,
) -> None:
    r = podman.podman("image", "inspect", image)
    _ok(r)
    inspected = json.loads(r.stdout)[0]
    config = inspected["Config"]
    assert config.get("User") == "wirewatch"
    assert config["Entrypoint"] == ["wirewatch"] and config["Cmd"] == ["run"]
    assert config["Labels"]["org.opencontainers.image.version"] == __version__
    assert config["Labels"]["org.opencontainers.image.licenses"] == "Apache-2.0"
    assert inspected["Healthcheck"]["Test"] == ["CMD-SHELL", "$HEALTHCHECK_CMD"]
    shell = ("run", "--rm", *podman.LIMITS, "--entrypoint", "sh", image, "-c")
    whoami = podman.podman(*shell, "id -u")
    assert whoami.stdout.strip() == "10001", whoami.stderr
    # no role runs in this container: the check fails, naming where it asked
    health = podman.podman(*shell, "$HEALTHCHECK_CMD")
    assert health.returncode == 1, health.stdout + health.stderr
    assert health.stdout.startswith("not ready: nothing answers at http://127.0.0.1:9464/readyz")


def test_run_once_polls_enriches_and_indexes_the_recorded_feeds_in_a_container(
    image: str, feed_server: str, tmp_path: Path
) -> None:
    feeds = sorted(p.name for p in RECORDED.iterdir() if p.suffix in {".xml", ".rdf"})
    config_dir = _config(
        tmp_path,
        {
            "feeds": [{"url": f"http://{feed_server}/{name}"} for name in feeds],
            "fetch": {"allow_private": [feed_server]},
            "enrich": {"ner_processes": 1},
        },
    )
    wirewatch = partial(
        podman.run,
        mounts=_mounts(config_dir, tmp_path / "data"),
        env={"WIREWATCH_CONFIG": f"{CONFIG_DIR}/wirewatch.yaml", **ONE_SHOT},
    )
    r = wirewatch("run", "--once", "--json")
    _ok(r)
    summary = json.loads(r.stdout)
    assert summary["feeds_failed"] == [] and summary["feeds_polled"] == len(feeds)
    assert summary["articles_stored"] > 100
    found = wirewatch("search", "place:israel", "--json", "--limit", "5")
    _ok(found)
    articles = json.loads(found.stdout)
    assert articles and all(a["entities"] for a in articles)


def test_the_embedded_compose_file_runs_the_demo_in_its_volume(image: str, tmp_path: Path) -> None:
    """Docker Compose v2 drives Podman's Docker API: compose.embedded.yaml's one service runs
    `run --once` on the offline demo (CONFIG_DIR's default, examples/), and a second run
    finds every article already in the service's volume."""
    project = f"ww{uuid.uuid4().hex[:8]}"
    compose = [str(DEPLOY / "dev" / "compose"), "--env-file", ".env.example"]
    compose += ["-p", project, "-f", "compose.embedded.yaml"]
    with podman.docker_api(tmp_path) as docker_host:
        env = {**os.environ, "DOCKER_HOST": docker_host, "APP_IMAGE": image}

        def compose_run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [*compose, *args], cwd=DEPLOY, env=env, capture_output=True, text=True, timeout=600
            )

        try:
            runs = [compose_run("run", "--rm", "-T", "wirewatch", "run", "--once", "--json")]
            runs.append(compose_run("run", "--rm", "-T", "wirewatch", "run", "--once", "--json"))
        finally:
            compose_run("down", "--volumes")
    for r in runs:
        _ok(r)
    first, second = (json.loads(r.stdout) for r in runs)
    assert first["feeds_failed"] == [] and first["articles_stored"] > 100
    assert second["articles_stored"] == 0, second


def test_worker_and_sink_containers_make_polled_articles_searchable(
    image: str, feed_server: str, kafka: Kafka, opensearch_url: str, tmp_path: Path
) -> None:
    prefix = f"img{uuid.uuid4().hex[:8]}"
    topics = {
        f"topic_{role}": f"{prefix}.{role}"
        for role in ("raw", "candidates", "enriched", "rules", "alerts", "feeds", "deadletters")
    }
    config_dir = _config(
        tmp_path,
        {
            "mode": "distributed",
            "kafka": {"bootstrap_servers": kafka.bootstrap, "client_id": prefix, **topics},
            "search": {
                "engine": "opensearch",
                "urls": [opensearch_url],
                "index_prefix": prefix,
                "replicas": 0,
            },
            "fetch": {"allow_private": [feed_server]},
            "enrich": {"ner_processes": 1},
        },
    )
    env = {"WIREWATCH_CONFIG": f"{CONFIG_DIR}/wirewatch.yaml"}
    wirewatch = partial(
        podman.run, mounts=_mounts(config_dir, tmp_path / "cli"), env={**env, **ONE_SHOT}
    )
    _ok(wirewatch("setup"))
    _ok(wirewatch("feeds", "add", f"http://{feed_server}/bbc-world.xml"))
    _ok(wirewatch("poll", "--once"))
    published = len(kafka.records(topics["topic_raw"]))
    assert published > 10

    roles = {role: f"{prefix}-{role}" for role in ("worker", "sink")}
    try:
        for role, name in roles.items():
            mounts = _mounts(config_dir, tmp_path / role)
            # both on the host's network: a metrics port each (the health check asks it)
            role_env = {**env, "WIREWATCH_METRICS__PORT": str(free_port())}
            _ok(podman.run(role, mounts=mounts, env=role_env, detach_as=name))
        engine = OpenSearch(hosts=[opensearch_url])
        try:
            count = _wait_for_documents(engine, f"{prefix}-articles-*", published)
        finally:
            engine.close()
        assert count == published
        found = wirewatch("search", "place:israel OR place:iran OR place:ukraine", "--json")
        _ok(found)
        assert json.loads(found.stdout), "no polled article found by place"
        for name in roles.values():  # the image's HEALTHCHECK, run in the role's container
            _ok(podman.podman("healthcheck", "run", name))
    finally:
        exits = {name: _stop(name) for name in roles.values()}
    for name, (code, logs) in exits.items():
        assert code == "0", f"{name} exited {code} on SIGTERM:\n{logs}"


def _stop(name: str) -> tuple[str, str]:
    """Stop a detached container (SIGTERM, up to 60 s): its exit code and its logs' tail."""
    podman.podman("stop", "--time", "60", name, timeout=120)
    logs = podman.podman("logs", name)
    code = podman.podman("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip()
    podman.podman("rm", "--force", name)
    return code, (logs.stdout + logs.stderr)[-3000:]


def _wait_for_documents(engine: OpenSearch, pattern: str, expected: int) -> int:
    """The number of documents under `pattern` once it reaches `expected` (or after 5 min)."""
    deadline, count = time.monotonic() + 300, 0
    while time.monotonic() < deadline:
        engine.indices.refresh(index=pattern, ignore_unavailable=True)
        found = engine.count(index=pattern, ignore_unavailable=True)
        count = int(found["count"])
        if count >= expected:
            break
        time.sleep(2)
    return count
