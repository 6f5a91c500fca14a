"""`wirewatch worker`: the faust-streaming app of the distributed mode.

`app.py` declares the topics, tables and agents (each a short `async for` over a
stream); `stages.py` holds the plain functions they call, testable without Kafka.
"""
