"""The faust worker's broker credentials: what aiokafka is finally given for each
`kafka.security_protocol` (faust's own translation), the same as the kafka-python clients."""

from __future__ import annotations

import ssl
from pathlib import Path

import trustme
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

from wirewatch.core.settings import KafkaSettings
from wirewatch.runtime.worker.credentials import broker_credentials


def aiokafka_auth(k: KafkaSettings) -> dict[str, object]:
    return dict(credentials_to_aiokafka_auth(broker_credentials(k)))


def test_plain_text_gives_the_worker_no_credentials() -> None:
    assert broker_credentials(KafkaSettings()) is None
    assert aiokafka_auth(KafkaSettings()) == {"security_protocol": "PLAINTEXT"}


def test_sasl_plaintext_gives_aiokafka_the_mechanism_user_and_password() -> None:
    k = KafkaSettings(
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="SCRAM-SHA-512",
        username="wirewatch",
        password="k4fkapw",
    )
    assert aiokafka_auth(k) == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "wirewatch",
        "sasl_plain_password": "k4fkapw",
        "ssl_context": None,
    }
    assert "k4fkapw" not in repr(broker_credentials(k))


def test_sasl_ssl_and_ssl_carry_a_context_that_trusts_the_ca_file(tmp_path: Path) -> None:
    authority = trustme.CA()
    ca = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca))
    sasl = aiokafka_auth(
        KafkaSettings(
            security_protocol="SASL_SSL",
            username="u",
            password="p",
            ca_file=ca,
        )
    )
    tls = aiokafka_auth(KafkaSettings(security_protocol="SSL", ca_file=ca))
    for auth in (sasl, tls):
        context = auth["ssl_context"]
        assert isinstance(context, ssl.SSLContext)
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        assert len(context.get_ca_certs()) == 1  # the CA file's, not the system store
    assert sasl["security_protocol"] == "SASL_SSL" and sasl["sasl_mechanism"] == "PLAIN"
    assert tls["security_protocol"] == "SSL"
