"""Kafka TLS and SASL settings: what is refused at load, what every kafka-python client is
given, and that the TLS context really trusts the configured CA and presents the client
certificate (a handshake with a loopback TLS server that requires one)."""

from __future__ import annotations

import json
import socket
import ssl
import threading
from pathlib import Path

import pytest
import trustme

from wirewatch.core.errors import ConfigError
from wirewatch.core.kafka_security import client_options, ssl_context
from wirewatch.core.settings import KafkaSettings, effective_view, load_settings

SASL_ENV = {
    "WIREWATCH_KAFKA__SECURITY_PROTOCOL": "SASL_PLAINTEXT",
    "WIREWATCH_KAFKA__SASL_MECHANISM": "SCRAM-SHA-256",
    "WIREWATCH_KAFKA__USERNAME": "wirewatch",
    "WIREWATCH_KAFKA__PASSWORD": "k4fkapw",
}


def kafka(home: Path, env: dict[str, str]) -> KafkaSettings:
    return load_settings(env=env, cwd=home).settings.kafka


def test_the_default_is_plain_text_without_credentials(home: Path) -> None:
    assert client_options(kafka(home, {})) == {"security_protocol": "PLAINTEXT"}


def test_sasl_settings_reach_the_kafka_python_options(home: Path) -> None:
    assert client_options(kafka(home, SASL_ENV)) == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-256",
        "sasl_plain_username": "wirewatch",
        "sasl_plain_password": "k4fkapw",
    }


def test_config_show_never_shows_the_kafka_password(home: Path) -> None:
    view = {k: v for k, v, _ in effective_view(load_settings(env=SASL_ENV, cwd=home))}
    assert "k4fkapw" not in json.dumps(view)
    assert view["kafka.password"] == "**********"
    assert view["kafka.username"] == "wirewatch"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"WIREWATCH_KAFKA__SECURITY_PROTOCOL": "SASL_SSL"}, "kafka.username"),
        (
            {
                "WIREWATCH_KAFKA__SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                "WIREWATCH_KAFKA__USERNAME": "u",
            },
            "kafka.password",
        ),
        ({"WIREWATCH_KAFKA__USERNAME": "u", "WIREWATCH_KAFKA__PASSWORD": "p"}, "SASL_PLAINTEXT"),
        ({"WIREWATCH_KAFKA__CA_FILE": "/etc/ca.pem"}, "kafka.ca_file needs"),
        (
            {"WIREWATCH_KAFKA__SECURITY_PROTOCOL": "SSL", "WIREWATCH_KAFKA__CERT_FILE": "/c.pem"},
            "kafka.key_file",
        ),
        ({"WIREWATCH_KAFKA__SASL_MECHANISM": "GSSAPI"}, "kafka.sasl_mechanism"),
    ],
)
def test_incomplete_or_ignored_security_settings_fail_at_load(
    home: Path, env: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        kafka(home, env)
    assert named in caught.value.message
    assert "\n" not in caught.value.message


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


def pem(tmp_path: Path, name: str, blob: trustme.Blob) -> str:
    path = tmp_path / name
    blob.write_to_path(str(path))
    return str(path)


def handshake(client: ssl.SSLContext, authority: trustme.CA) -> str:
    """Connect `client` to a TLS server for `localhost` that requires a client
    certificate signed by `authority`; the client certificate's common name, as seen."""
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(server)
    authority.configure_trust(server)
    server.verify_mode = ssl.CERT_REQUIRED
    left, right = socket.socketpair()
    seen: list[str] = []

    def serve() -> None:
        try:
            with server.wrap_socket(right, server_side=True) as s:
                seen.append(str(s.getpeercert()))
        except (ssl.SSLError, OSError):
            pass

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        with client.wrap_socket(left, server_hostname="localhost") as c:
            c.do_handshake()
    finally:
        left.close()
        thread.join(5)
    return seen[0] if seen else ""


def test_mutual_tls_trusts_the_ca_file_and_presents_the_client_certificate(
    home: Path, authority: trustme.CA
) -> None:
    client_cert = authority.issue_cert("wirewatch-client")
    k = kafka(
        home,
        {
            **SASL_ENV,
            "WIREWATCH_KAFKA__SECURITY_PROTOCOL": "SASL_SSL",
            "WIREWATCH_KAFKA__CA_FILE": pem(home, "ca.pem", authority.cert_pem),
            "WIREWATCH_KAFKA__CERT_FILE": pem(home, "client.pem", client_cert.cert_chain_pems[0]),
            "WIREWATCH_KAFKA__KEY_FILE": pem(home, "client.key", client_cert.private_key_pem),
        },
    )
    options = client_options(k)
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_plain_username"] == "wirewatch"
    assert "wirewatch-client" in handshake(options["ssl_context"], authority)


def test_a_broker_signed_by_another_ca_is_refused(home: Path, authority: trustme.CA) -> None:
    other = trustme.CA()
    k = kafka(
        home,
        {
            "WIREWATCH_KAFKA__SECURITY_PROTOCOL": "SSL",
            "WIREWATCH_KAFKA__CA_FILE": pem(home, "other.pem", other.cert_pem),
        },
    )
    context = ssl_context(k)
    assert context is not None
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(context, authority)


def test_relative_tls_files_are_read_beside_the_config_file(
    home: Path, authority: trustme.CA
) -> None:
    pem(home, "ca.pem", authority.cert_pem)
    (home / "w.yaml").write_text("kafka:\n  security_protocol: SSL\n  ca_file: ca.pem\n")
    k = load_settings(home / "w.yaml", env={}, cwd=home / "xdg-data").settings.kafka
    assert k.ca_file == home / "ca.pem"


def test_an_unreadable_tls_file_is_one_line_naming_the_settings(home: Path) -> None:
    k = kafka(
        home,
        {"WIREWATCH_KAFKA__SECURITY_PROTOCOL": "SSL", "WIREWATCH_KAFKA__CA_FILE": "/nope/ca.pem"},
    )
    with pytest.raises(ConfigError, match=r"kafka\.ca_file"):
        ssl_context(k)
