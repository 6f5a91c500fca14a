"""Wirewatch: streaming news monitoring.

`wirewatch.core` is the kernel every stage builds on; `wirewatch.runtime` and
`wirewatch.cli` sit on top and wire the stages (`ingest`, `processors`, `sinks`).
"""

__version__ = "0.1.0"
