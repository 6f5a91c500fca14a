"""How a Kafka client authenticates and encrypts, built once from `kafka.*` settings.

Every kafka-python client (the control plane's, the poller's publisher) and the faust
worker take the same TLS context, so a CA or client certificate set once applies to every
connection; the options are plain values and an `ssl.SSLContext`, no Kafka client here.
"""

from __future__ import annotations

import ssl
from typing import Any

from wirewatch.core.errors import ConfigError
from wirewatch.core.settings import KafkaSettings


def ssl_context(k: KafkaSettings) -> ssl.SSLContext | None:
    """The TLS context for SSL/SASL_SSL (the system CAs, or `kafka.ca_file`; the client
    certificate for mutual TLS), None in plain text. Hostnames are checked."""
    if not k.uses_tls:
        return None
    try:
        context = ssl.create_default_context(cafile=str(k.ca_file) if k.ca_file else None)
        if k.cert_file is not None and k.key_file is not None:
            context.load_cert_chain(certfile=str(k.cert_file), keyfile=str(k.key_file))
    except (OSError, ssl.SSLError) as e:
        raise ConfigError(
            f"cannot load the Kafka TLS files (kafka.ca_file, kafka.cert_file, "
            f"kafka.key_file): {e}",
            hint="point them at readable PEM files (the key unencrypted, matching the cert)",
        ) from None
    return context


def client_options(k: KafkaSettings) -> dict[str, Any]:
    """kafka-python's keyword arguments for the security protocol, SASL and TLS."""
    options: dict[str, Any] = {"security_protocol": k.security_protocol}
    if k.uses_sasl:
        assert k.username is not None and k.password is not None  # checked at load
        options |= {
            "sasl_mechanism": k.sasl_mechanism,
            "sasl_plain_username": k.username,
            "sasl_plain_password": k.password.get_secret_value(),
        }
    if k.uses_tls:
        options["ssl_context"] = ssl_context(k)
    return options
