"""Saved objects for Kibana and OpenSearch Dashboards, built from the index layout."""
