"""`wirewatch sink`: the distributed mode's last role, from Kafka to the engine and the hit log.

`batch` holds its pure decisions (what decodes, what to dead-letter, which offsets a
batch lets it commit); `app` wires them to the consumer, the engine and SQLite.
"""
