"""Kafka adapters of the distributed mode: topic set-up, the control plane on compacted
topics (subscriptions, alert rules) and the dead-letter topic."""
