"""Observability of a role: Prometheus metrics, liveness and readiness over HTTP."""
