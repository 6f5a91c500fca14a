"""The compose files as Docker Compose reads them, and as a reader checks them: every
service, volume, network, health check and variable they name exists."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from tests.deploy.conftest import COMPOSE_FILES, DEPLOY, example_variables, load_compose

ENV_EXAMPLE = DEPLOY / ".env.example"
_REFERENCE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
Compose = Callable[..., subprocess.CompletedProcess[str]]


def _services(name: str) -> dict[str, dict[str, Any]]:
    return load_compose(name)["services"]


def _depends_on(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    deps = service.get("depends_on") or {}
    return {d: {} for d in deps} if isinstance(deps, list) else deps


def _named_volumes(service: dict[str, Any]) -> set[str]:
    """The named volumes a service mounts (a bind mount's source is a path)."""
    out = set()
    for mount in service.get("volumes") or []:
        source = mount.split(":", 1)[0] if isinstance(mount, str) else mount.get("source", "")
        if source and not source.startswith(("/", ".", "$", "~")):
            out.add(source)
    return out


@pytest.mark.parametrize("name", COMPOSE_FILES)
@pytest.mark.parametrize("profile", ["elasticsearch", "opensearch"])
def test_docker_compose_accepts_the_file(compose_cli: Compose, name: str, profile: str) -> None:
    r = compose_cli("--env-file", ".env.example", "--profile", profile, "-f", name, "config", "-q")
    assert r.returncode == 0, r.stderr


def test_docker_compose_names_the_services_of_each_profile(compose_cli: Compose) -> None:
    def services(profile: str) -> set[str]:
        r = compose_cli(
            "--env-file", ".env.example", "--profile", profile, "-f", "compose.yaml",
            "config", "--services",
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        return set(r.stdout.split())

    roles = {"kafka", "setup", "poll", "worker", "sink"}
    assert services("elasticsearch") == roles | {"elasticsearch", "kibana-password", "kibana"}
    assert services("opensearch") == roles | {"opensearch", "opensearch-dashboards"}


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_every_dependency_is_a_service_that_can_satisfy_its_condition(name: str) -> None:
    services = _services(name)
    for service_name, service in services.items():
        for dep, spec in _depends_on(service).items():
            assert dep in services, f"{name}: {service_name} depends on unknown service {dep}"
            condition = spec.get("condition", "service_started")
            target = services[dep]
            if condition == "service_healthy":
                test = (target.get("healthcheck") or {}).get("test")
                assert test, f"{name}: {service_name} waits for {dep} to be healthy: no check"
            if condition == "service_completed_successfully":
                assert target.get("restart") == "no", f"{name}: one-shot {dep} must not restart"


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_every_health_check_is_a_command_with_timings(name: str) -> None:
    for service_name, service in _services(name).items():
        check = service.get("healthcheck")
        if check is None:
            continue
        test = check["test"]
        assert test[0] in {"CMD", "CMD-SHELL"} and all(test[1:]), f"{name}: {service_name}"
        assert {"interval", "timeout", "retries"} <= check.keys(), f"{name}: {service_name}"


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_named_volumes_are_declared_and_used(name: str) -> None:
    data = load_compose(name)
    used = set().union(*(_named_volumes(s) for s in data["services"].values()))
    declared = set(data.get("volumes") or {})
    assert used == declared, f"{name}: used {sorted(used)}, declared {sorted(declared)}"


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_networks_named_by_services_are_declared(name: str) -> None:
    data = load_compose(name)
    declared = set(data.get("networks") or {}) | {"default"}
    for service_name, service in data["services"].items():
        assert set(service.get("networks") or []) <= declared, f"{name}: {service_name}"


def test_the_worker_can_be_scaled() -> None:
    """`--scale worker=N` needs no fixed container name, published port or own volume."""
    worker = _services("compose.yaml")["worker"]
    assert not {"container_name", "ports", "volumes"} & worker.keys()
    assert worker["command"] == ["worker"]


def test_every_role_runs_from_the_image_after_setup() -> None:
    services = _services("compose.yaml")
    for role in ("poll", "worker", "sink"):
        assert services[role]["command"] == [role]
        assert _depends_on(services[role]) == {
            "setup": {"condition": "service_completed_successfully"}
        }
        assert services[role]["image"] == services["setup"]["image"]
    assert "wirewatch setup" in services["setup"]["command"][0]


def test_every_variable_the_files_use_is_documented_in_env_example_and_back() -> None:
    documented = example_variables(ENV_EXAMPLE, commented=False)
    used = set()
    for name in COMPOSE_FILES:
        used |= set(_REFERENCE.findall((DEPLOY / name).read_text()))
    assert used - documented.keys() == set(), "used but not in .env.example"
    # COMPOSE_PROFILES is read by Compose itself: its profiles must exist.
    assert documented.keys() - used == {"COMPOSE_PROFILES"}, "in .env.example but unused"
    profiles = set().union(*(s.get("profiles", []) for s in _services("compose.yaml").values()))
    assert set(documented["COMPOSE_PROFILES"].split(",")) <= profiles


def test_a_setting_file_the_services_read_has_its_example() -> None:
    for name in COMPOSE_FILES:
        for service in _services(name).values():
            for env_file in service.get("env_file") or []:
                path = env_file["path"] if isinstance(env_file, dict) else env_file
                assert (DEPLOY / f"{path}.example").is_file(), f"{name}: {path} has no example"


def test_the_build_context_holds_the_dockerfile() -> None:
    for name in COMPOSE_FILES:
        for service in _services(name).values():
            if "build" in service:
                assert (DEPLOY / service["build"]["context"] / "Dockerfile").is_file()
