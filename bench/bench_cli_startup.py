"""CLI start-up: wall time of `wirewatch --help`, `--version`, `search --help`.

Each row starts a fresh interpreter (as a user's shell does) and reports the median
of several runs, side by side with baselines in the same run: an interpreter that
does nothing (`python -c pass`), one that only imports the CLI framework (`python -c
"import typer"`), and a two-command typer app printing its `--help` (typer's own
rich help formatting loads rich.markdown and pydantic). The ratio against that app
is what Wirewatch's own start-up adds: commands import their adapters (SQLite,
spaCy, Kafka) only when they run, so it should stay near 1.
(tests/unit/cli/test_startup_imports.py checks which modules `--help` loads.)

    .venv/bin/python bench/bench_cli_startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

TWO_COMMAND_APP = """
import typer
app = typer.Typer()
app.command("a")(lambda: None)
app.command("b")(lambda: None)
app()
"""
BASELINES = {
    "python -c pass": ["-c", "pass"],
    'python -c "import typer"': ["-c", "import typer"],
    "typer app --help": ["-c", TWO_COMMAND_APP, "--help"],
}
COMMANDS = {
    "wirewatch --help": ["-m", "wirewatch", "--help"],
    "wirewatch --version": ["-m", "wirewatch", "--version"],
    "wirewatch search --help": ["-m", "wirewatch", "search", "--help"],
}


def median_seconds(args: list[str], repeat: int) -> float:
    """Median wall time of `python ARGS` from start to exit (one warm-up run first)."""
    times = []
    for i in range(repeat + 1):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, *args], cwd=REPO, check=True, stdout=subprocess.DEVNULL, timeout=120
        )
        if i:  # the first run warms the file cache and the bytecode
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=7, help="runs per row (median reported)")
    args = ap.parse_args()
    base = {name: median_seconds(a, args.repeat) for name, a in BASELINES.items()}
    framework = base["typer app --help"]
    print(f"median of {args.repeat} runs, fresh interpreter each ({sys.executable})")
    for name, seconds in base.items():
        print(f"  {name:<28} {seconds * 1000:7.0f} ms  (baseline)")
    for name, a in COMMANDS.items():
        seconds = median_seconds(a, args.repeat)
        print(
            f"  {name:<28} {seconds * 1000:7.0f} ms  · {seconds / framework:.1f}× typer app --help"
            f" · {seconds / base['python -c pass']:.1f}× python -c pass"
        )


if __name__ == "__main__":
    main()
