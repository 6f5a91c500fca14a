"""`python -m wirewatch` runs the CLI."""

from wirewatch.cli.app import main

main()
