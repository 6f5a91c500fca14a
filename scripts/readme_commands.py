#!/usr/bin/env python3
"""Print the shell code blocks of one README section, exactly as written.

CI runs what this prints (.ci/quickstart, .ci/run), so the README's quick start and
test command are what CI proves; they cannot drift apart. Standard library only:
it runs before anything is installed.

    python3 scripts/readme_commands.py "Quick start" --block 1
    python3 scripts/readme_commands.py Tests
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
SHELL_FENCE = re.compile(r"^```(?:sh|bash|shell)\s*$")


def section_blocks(text: str, heading: str) -> list[str]:
    """The ```sh blocks under the first `## heading…` (up to the next `## `), in order."""
    blocks: list[str] = []
    inside = False
    current: list[str] | None = None  # the lines of the block being read
    for line in text.splitlines():
        if current is not None:
            if line.startswith("```"):
                blocks.append("\n".join(current) + "\n")
                current = None
            else:
                current.append(line)
        elif line.startswith("## "):
            if inside:
                break
            inside = line[3:].strip().lower().startswith(heading.lower())
        elif inside and SHELL_FENCE.match(line):
            current = []
    return blocks


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("section", help="the `## ` heading, or its start (case-insensitive)")
    ap.add_argument("--block", type=int, help="only this block of the section (1 = first)")
    ap.add_argument("--readme", type=Path, default=README)
    args = ap.parse_args()
    blocks = section_blocks(args.readme.read_text(encoding="utf-8"), args.section)
    if not blocks:
        print(
            f"error: {args.readme} has no ```sh block under a '## {args.section}' heading; "
            "CI runs those commands, so restore the section or update .ci/",
            file=sys.stderr,
        )
        return 2
    if args.block is not None:
        if not 1 <= args.block <= len(blocks):
            print(
                f"error: '## {args.section}' in {args.readme} has {len(blocks)} ```sh blocks, "
                f"not {args.block}; CI expects it (see .ci/)",
                file=sys.stderr,
            )
            return 2
        blocks = [blocks[args.block - 1]]
    sys.stdout.write("".join(blocks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
