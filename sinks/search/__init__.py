"""Elasticsearch and OpenSearch as the article index (docs/search-engines.md).

The layout (templates, analysis, policies), the documents and the query DSL are
plain data built here without any client; the bulk sink and the search adapter
talk to an engine only through `transport.Transport`, and the two client
adapters (`opensearch`, `elasticsearch`) and `engine` (which builds a client from
the settings, when called) are the only modules that import a client, so
`import sinks.search` stays light.
"""
