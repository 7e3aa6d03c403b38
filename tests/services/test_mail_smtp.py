"""HOGO_SMTP_URL, the From address, recipient addresses, and TLS and AUTH against aiosmtpd."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from hogo.services.errors import BadInput, NotReady
from hogo.services.mail.smtp import (
    DeliveryError,
    SmtpServer,
    SmtpTransport,
    build_message,
    parse_smtp_url,
    recipient_address,
    resolve_sender,
)
from tests.services.mail_support import MailServer

NAMES = {"ja": "株式会社フル", "en": "Full K.K."}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.jp", SmtpServer("mail.example.jp", 25, "none")),
        ("smtp://mail.example.jp?starttls=1", SmtpServer("mail.example.jp", 587, "starttls")),
        ("smtps://mail.example.jp", SmtpServer("mail.example.jp", 465, "implicit")),
        ("SMTP://mail.example.jp:2525/", SmtpServer("mail.example.jp", 2525, "none")),
        ("smtp://mail.example.jp?starttls=0", SmtpServer("mail.example.jp", 25, "none")),
        (
            "smtp://u%40x:p%3Aw@mail.example.jp:587?starttls=true&timeout=5",
            SmtpServer("mail.example.jp", 587, "starttls", "u@x", "p:w", 5.0),
        ),
        ("smtps://u:p@[::1]", SmtpServer("::1", 465, "implicit", "u", "p")),
        ("smtp://u:p@127.0.0.1:1025", SmtpServer("127.0.0.1", 1025, "none", "u", "p")),
    ],
)
def test_smtp_urls_are_read(url: str, expected: SmtpServer) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("", "is empty"),
        ("http://mail.example.jp", "the scheme is http://"),
        ("mail.example.jp:25", "the scheme is"),
        ("smtp://", "no host name"),
        ("smtp://mail.example.jp:99999", "port"),
        ("smtp://mail.example.jp:abc", "port"),
        ("smtp://mail.example.jp:0", "port"),
        ("smtp://mail.example.jp/inbox", "no path"),
        ("smtp://mail.example.jp?tls=1", "unknown parameter 'tls'"),
        ("smtp://mail.example.jp?starttls=maybe", "starttls='maybe' is not 1 or 0"),
        ("smtps://mail.example.jp?starttls=1", "smtps:// is TLS from the first byte"),
        ("smtp://mail.example.jp?timeout=0", "timeout"),
        ("smtp://mail.example.jp?timeout=soon", "timeout"),
        ("smtp://user@mail.example.jp?starttls=1", "both a user name and a password"),
        ("smtp://:secret@mail.example.jp?starttls=1", "both a user name and a password"),
        ("smtp://user:secret@mail.example.jp", "cross the network in clear"),
    ],
)
def test_bad_smtp_urls_name_the_problem_and_hide_the_password(url: str, problem: str) -> None:
    with pytest.raises(BadInput, match="HOGO_SMTP_URL") as caught:
        parse_smtp_url(url)
    assert problem in caught.value.message
    assert "secret" not in caught.value.message


def test_describe_never_shows_the_password() -> None:
    server = parse_smtp_url("smtp://user:secret@mail.example.jp?starttls=1")
    assert server.describe() == "smtp://user@mail.example.jp:587 (STARTTLS)"
    assert "secret" not in repr(server)


def test_the_sender_is_mail_from_else_the_policy_contact() -> None:
    assert resolve_sender(None, "privacy@full.example", NAMES).address == "privacy@full.example"
    assert resolve_sender(None, "privacy@full.example", NAMES).names == NAMES
    own = resolve_sender("Desk <desk@full.example>", "privacy@full.example", NAMES)
    assert (own.address, own.names["ja"]) == ("desk@full.example", "Desk")
    bare = resolve_sender("desk@full.example", None, NAMES)
    assert (bare.address, bare.names) == ("desk@full.example", NAMES)


@pytest.mark.parametrize("mail_from", ["desk", "a@b@c", "Desk <desk@full.example>\nBcc: x@y"])
def test_a_bad_mail_from_is_refused(mail_from: str) -> None:
    with pytest.raises(BadInput, match="HOGO_MAIL_FROM"):
        resolve_sender(mail_from, "privacy@full.example", NAMES)


def test_no_sender_at_all_is_not_ready() -> None:
    with pytest.raises(NotReady, match=r"HOGO_MAIL_FROM or organization\.contact\.email"):
        resolve_sender(None, None, NAMES)


def test_recipient_addresses() -> None:
    assert recipient_address(" hanako@example.jp ").addr_spec == "hanako@example.jp"
    assert recipient_address("hanako@例え.jp").addr_spec == "hanako@xn--r8jz45g.jp"
    for bad in ("hanako", "@example.jp", "花子@example.jp", "a b@example.jp", "a@b\nBcc: c@d"):
        with pytest.raises(DeliveryError) as caught:
            recipient_address(bad)
        assert caught.value.permanent


def test_a_subject_with_a_line_break_cannot_become_a_header() -> None:
    with pytest.raises(DeliveryError, match="line break"):
        build_message(
            sender=resolve_sender(None, "privacy@full.example", NAMES),
            to=recipient_address("a@example.jp"),
            subject="x\nBcc: everyone@example.jp",
            body="x",
            lang="en",
            message_id="<x@hogo>",
            written_at=datetime(2026, 11, 24, tzinfo=UTC),
        )


# --- TLS and AUTH against a real server -------------------------------------------------


def _certificate(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1: the server's context, a client trusting it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"hogo", b"s3cret")
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def contexts(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    return _certificate(tmp_path)


@pytest.fixture
def starttls_server(contexts: tuple[ssl.SSLContext, ssl.SSLContext]) -> Iterator[MailServer]:
    mail = MailServer(tls_context=contexts[0], require_starttls=True, authenticator=_authenticator)
    mail.start()
    try:
        yield mail
    finally:
        mail.stop()


def _send_one(transport: SmtpTransport) -> None:
    message = EmailMessage()
    message["Subject"] = "check"
    message.set_content("本文")
    with transport.connect() as session:
        session.send(message, sender="privacy@full.example", to="hanako@example.jp")


def test_starttls_and_login(
    starttls_server: MailServer, contexts: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    url = f"smtp://hogo:s3cret@127.0.0.1:{starttls_server.port}?starttls=1&timeout=5"
    _send_one(SmtpTransport(parse_smtp_url(url), tls_context=contexts[1]))
    [got] = starttls_server.inbox.received
    assert got.message.get_content().strip() == "本文"


def test_a_wrong_password_is_a_session_failure_not_the_messages(
    starttls_server: MailServer, contexts: tuple[ssl.SSLContext, ssl.SSLContext]
) -> None:
    url = f"smtp://hogo:wrong@127.0.0.1:{starttls_server.port}?starttls=1&timeout=5"
    with pytest.raises(DeliveryError) as caught:
        _send_one(SmtpTransport(parse_smtp_url(url), tls_context=contexts[1]))
    error = caught.value
    assert error.at_connect and not error.permanent
    assert error.summary.startswith("authentication refused (535")
    assert "wrong" not in error.summary


def test_an_untrusted_certificate_is_refused(starttls_server: MailServer) -> None:
    url = f"smtp://127.0.0.1:{starttls_server.port}?starttls=1&timeout=5"
    with pytest.raises(DeliveryError, match="TLS failed") as caught:
        _send_one(SmtpTransport(parse_smtp_url(url)))  # the system's CAs do not know it
    assert caught.value.at_connect and starttls_server.inbox.received == []


def test_starttls_asked_of_a_server_without_it() -> None:
    plain = MailServer()
    plain.start()
    try:
        url = f"smtp://127.0.0.1:{plain.port}?starttls=1&timeout=5"
        with pytest.raises(DeliveryError, match="does not offer STARTTLS"):
            _send_one(SmtpTransport(parse_smtp_url(url)))
    finally:
        plain.stop()


def test_implicit_tls(contexts: tuple[ssl.SSLContext, ssl.SSLContext]) -> None:
    tls = MailServer(ssl_context=contexts[0])
    tls.start()
    try:
        url = f"smtps://127.0.0.1:{tls.port}?timeout=5"
        _send_one(SmtpTransport(parse_smtp_url(url), tls_context=contexts[1]))
    finally:
        tls.stop()
    assert len(tls.inbox.received) == 1
