"""The project's image, built and run with Podman as the tests do it (docs/deploy.md).

No Docker engine or image registry runs on the development and CI machines: Podman with
runc builds from the local base image that `deploy/dev/base-image` makes, with the host's
CA bundle mounted so pip reaches the package registry. `run` passes the runtime and the
ulimits this sandbox needs (its defaults exceed the hard limits).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO
from wirewatch import __version__

IMAGE = "localhost/wirewatch:test"
BASE_IMAGE_SCRIPT = REPO / "deploy" / "dev" / "base-image"
CA_CERTS = Path("/etc/ssl/certs")
LIMITS = ("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024")


def podman(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["podman", "--runtime", "runc", *args], capture_output=True, text=True, timeout=timeout
    )


@dataclass
class Built:
    image: str
    seconds: float
    size_bytes: int


def build_image() -> Built:
    """Make the base image (once) and build the Dockerfile on it; raise with the log's tail."""
    base = subprocess.run([str(BASE_IMAGE_SCRIPT)], capture_output=True, text=True, timeout=1200)
    if base.returncode != 0:
        raise RuntimeError(f"deploy/dev/base-image failed: {base.stderr[-1500:]}")
    args = ["--build-arg", f"BASE_IMAGE={base.stdout.strip()}"]
    if (CA_CERTS / "ca-certificates.crt").is_file():
        args += ["-v", f"{CA_CERTS}:{CA_CERTS}:ro"]
        args += ["--build-arg", f"PIP_CERT={CA_CERTS / 'ca-certificates.crt'}"]
    started = time.monotonic()
    r = podman(
        "build", "--format", "docker", *LIMITS, *args,
        "--build-arg", f"VERSION={__version__}", "-t", IMAGE, str(REPO),
        timeout=3600,
    )  # fmt: skip
    if r.returncode != 0:
        raise RuntimeError(f"podman build failed: {(r.stdout + r.stderr)[-3000:]}")
    seconds = time.monotonic() - started
    size = podman("image", "inspect", "--format", "{{.Size}}", IMAGE)
    return Built(IMAGE, seconds, int(size.stdout.strip()))


def run(
    *args: str,
    mounts: dict[Path, str] | None = None,
    env: dict[str, str] | None = None,
    detach_as: str | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """`wirewatch ARGS` in a container of the image on the host's network (its servers
    listen on loopback); `detach_as` names a container left running in the background."""
    options = ["--network", "host", *LIMITS]
    for host_path, target in (mounts or {}).items():
        options += ["-v", f"{host_path}:{target}"]
    for name, value in (env or {}).items():
        options += ["-e", f"{name}={value}"]
    options += ["-d", "--name", detach_as] if detach_as else ["--rm"]
    return podman("run", *options, IMAGE, *args, timeout=timeout)


@contextmanager
def docker_api(folder: Path) -> Iterator[str]:
    """Podman's Docker-compatible API on a socket in `folder`, for the Compose CLI: the
    DOCKER_HOST to use. Its containers get runc and this sandbox's ulimits by default."""
    conf = folder / "containers.conf"
    conf.write_text(
        '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n'
        '[engine]\nruntime = "runc"\n'
    )
    socket = folder / "podman.sock"
    service = subprocess.Popen(
        ["podman", "system", "service", "--time=0", f"unix://{socket}"],
        env={**os.environ, "CONTAINERS_CONF": str(conf)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not socket.exists():
            if service.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("podman system service did not open its socket")
            time.sleep(0.2)
        yield f"unix://{socket}"
    finally:
        service.terminate()
        service.wait(timeout=30)
