"""The kernel: models, settings, ids, clock and the query language.

Nothing here imports the stages, the runtimes, or any network/storage client.
"""
