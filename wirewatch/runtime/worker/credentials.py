"""The faust worker's broker credentials from `kafka.*` settings: the same TLS context
and SASL user as the kafka-python clients (wirewatch.core.kafka_security), in the form
faust hands to aiokafka (`broker_credentials`)."""

from __future__ import annotations

import faust
from faust.types.auth import CredentialsT

from wirewatch.core.kafka_security import ssl_context
from wirewatch.core.settings import KafkaSettings


def broker_credentials(k: KafkaSettings) -> CredentialsT | None:
    """SASLCredentials (over TLS with SASL_SSL), SSLCredentials, or None in plain text."""
    context = ssl_context(k)
    if k.uses_sasl:
        assert k.username is not None and k.password is not None  # checked at load
        return faust.SASLCredentials(
            username=k.username,
            password=k.password.get_secret_value(),
            ssl_context=context,
            mechanism=k.sasl_mechanism,
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None
