"""Talking to the mail server: HOGO_SMTP_URL, the message as sent, and what a failure means.

Failures are told apart because the worker treats them differently: a 5yz reply about
this message (recipient unknown, message refused) will not change if tried again, while
a 4yz reply, a server that cannot be reached or a dropped connection may pass. Every
failure carries a `summary` that is safe to store: the reply code, the enhanced status
code and a fixed phrase, never the server's own text, which usually quotes the address.
"""

from __future__ import annotations

import email.errors
import ipaddress
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from types import TracebackType
from urllib.parse import parse_qsl, unquote, urlsplit

from hogo.domain.delivery import is_permanent_reply
from hogo.services.errors import BadInput, NotReady

DEFAULT_TIMEOUT = 30.0
"""Seconds a connection or a reply may take before the attempt counts as failed."""
PORTS = {"none": 25, "starttls": 587, "implicit": 465}
_YES = {"1", "true", "yes", "on"}
_NO = {"0", "false", "no", "off"}
_ENHANCED = re.compile(rb"^\s*([245]\.\d{1,3}\.\d{1,3})\b")


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send: tls is "none", "starttls" or "implicit" (smtps://)."""

    host: str
    port: int
    tls: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    def describe(self) -> str:
        """For people and logs: never the password."""
        scheme = "smtps" if self.tls == "implicit" else "smtp"
        user = f"{self.username}@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        tls = " (STARTTLS)" if self.tls == "starttls" else ""
        return f"{scheme}://{user}{host}:{self.port}{tls}"


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _flag(name: str, value: str) -> bool:
    if value.lower() in _YES:
        return True
    if value.lower() in _NO:
        return False
    raise BadInput(f"HOGO_SMTP_URL: {name}={value[:20]!r} is not 1 or 0")


def parse_smtp_url(url: str) -> SmtpServer:
    """Read smtp://[user:password@]host[:port][?starttls=1][&timeout=SECONDS] or smtps://….

    Errors name the part that is wrong and never repeat the URL, which may hold a password.
    """
    if not isinstance(url, str) or not url.strip():
        raise BadInput("HOGO_SMTP_URL is empty")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise BadInput("HOGO_SMTP_URL: the port is not a number from 1 to 65535") from None
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps"):
        shown = f"{scheme}://" if scheme else "none"
        raise BadInput(f"HOGO_SMTP_URL: the scheme is {shown}; use smtp:// or smtps://")
    host = parts.hostname
    if not host:
        raise BadInput("HOGO_SMTP_URL: no host name (smtp://HOST…)")
    if parts.path not in ("", "/") or parts.fragment:
        raise BadInput("HOGO_SMTP_URL: a mail server URL has no path or #fragment")
    if port == 0:
        raise BadInput("HOGO_SMTP_URL: the port is not a number from 1 to 65535")
    tls = "implicit" if scheme == "smtps" else "none"
    timeout = DEFAULT_TIMEOUT
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name == "starttls":
            if _flag(name, value):
                if tls == "implicit":
                    raise BadInput(
                        "HOGO_SMTP_URL: smtps:// is TLS from the first byte; starttls does "
                        "not apply (use smtp://…?starttls=1 for port 587)"
                    )
                tls = "starttls"
        elif name == "timeout":
            try:
                timeout = float(value)
            except ValueError:
                timeout = -1.0
            if not 1 <= timeout <= 600:
                raise BadInput("HOGO_SMTP_URL: timeout must be a number of seconds, 1 to 600")
        else:
            raise BadInput(
                f"HOGO_SMTP_URL: unknown parameter {name[:30]!r}; known: starttls, timeout"
            )
    username = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    if (username is not None or password is not None) and not (username and password):
        raise BadInput("HOGO_SMTP_URL: give both a user name and a password (user:password@)")
    if username and tls == "none" and not _is_loopback(host):
        raise BadInput(
            "HOGO_SMTP_URL: a password would cross the network in clear; "
            "use smtp://…?starttls=1 or smtps://"
        )
    return SmtpServer(
        host=host,
        port=port or PORTS[tls],
        tls=tls,
        username=username,
        password=password,
        timeout=timeout,
    )


class DeliveryError(Exception):
    """A message that did not go out, described without personal data."""

    def __init__(
        self,
        summary: str,
        *,
        code: int | None = None,
        permanent: bool = False,
        session_lost: bool = False,
        at_connect: bool = False,
    ) -> None:
        super().__init__(summary)
        self.summary = summary[:200]
        self.code = code
        self.permanent = permanent
        self.session_lost = session_lost or at_connect
        self.at_connect = at_connect
        """The server could not be reached or refused the session: no message of the
        batch can go, and trying each one would only wait for the same timeout again."""


def _summary(what: str, code: int | None, text: bytes | str | None = None) -> str:
    raw = text.encode("utf-8", "replace") if isinstance(text, str) else (text or b"")
    enhanced = _ENHANCED.match(raw)
    parts = [str(code)] if code else []
    if enhanced:
        parts.append(enhanced.group(1).decode())
    return f"{what} ({' '.join(parts)})" if parts else what


@dataclass(frozen=True)
class Sender:
    """The From of every message: an address and, per language, the name shown with it."""

    address: str
    names: Mapping[str, str]

    def header(self, lang: str) -> Address:
        local, _, domain = self.address.rpartition("@")
        return Address(display_name=self.names.get(lang, ""), username=local, domain=domain)


def resolve_sender(
    mail_from: str | None, contact_email: str | None, names: Mapping[str, str]
) -> Sender:
    """HOGO_MAIL_FROM when set (its own display name, if it has one), else the policy's
    contact e-mail under the organization's name."""
    if mail_from:
        name, address = parseaddr(mail_from)
        try:
            checked = Address(addr_spec=address) if address.count("@") == 1 else None
        except (ValueError, email.errors.MessageError):
            checked = None
        if checked is None or "\n" in mail_from or "\r" in mail_from:
            raise BadInput("HOGO_MAIL_FROM is not an e-mail address (name <user@example.jp>)")
        return Sender(checked.addr_spec, {"ja": name, "en": name} if name else dict(names))
    if contact_email:
        return Sender(contact_email, dict(names))
    raise NotReady(
        "no From address: set HOGO_MAIL_FROM or organization.contact.email in the policy"
    )


def recipient_address(to: str) -> Address:
    """The address as it can go into a header and the envelope: an internationalised
    domain in its ASCII (IDNA) form. A local part outside ASCII would need SMTPUTF8 and
    is refused, as is anything that is not one plain address."""
    local, at, domain = to.strip().rpartition("@")
    try:
        if not at or not local or not domain:
            raise ValueError("no address")
        if not domain.isascii():
            domain = domain.encode("idna").decode("ascii")
        return Address(addr_spec=f"{local}@{domain}")
    except (ValueError, UnicodeError, email.errors.MessageError):
        raise DeliveryError(
            "the recipient address cannot be written in a mail header", permanent=True
        ) from None


def build_message(
    *,
    sender: Sender,
    to: Address,
    subject: str,
    body: str,
    lang: str,
    message_id: str,
    written_at: datetime,
) -> EmailMessage:
    """The message as sent, the same bytes on every attempt.

    Date is when the message was written (queued), as RFC 5322 §3.6.1 defines it, and the
    Message-ID was fixed then too: a message sent again after a lost acknowledgement is
    recognisably the same message. Auto-Submitted marks it as machine-sent (RFC 3834),
    so auto-responders do not answer it.
    """
    message = EmailMessage()
    try:
        message["Subject"] = subject
    except ValueError:
        raise DeliveryError("the subject line has a line break", permanent=True) from None
    message["From"] = sender.header(lang)
    message["To"] = to
    message["Date"] = format_datetime(written_at)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, charset="utf-8")
    message["Content-Language"] = lang  # after set_content, which clears Content-* headers
    return message


class SmtpSession:
    """One open connection; several messages go through it, one at a time."""

    def __init__(self, smtp: smtplib.SMTP) -> None:
        self._smtp: smtplib.SMTP | None = smtp

    @property
    def open(self) -> bool:
        return self._smtp is not None and self._smtp.sock is not None

    def send(self, message: EmailMessage, *, sender: str, to: str) -> None:
        smtp = self._smtp
        if smtp is None:
            raise DeliveryError("the connection to the mail server is closed", session_lost=True)
        try:
            smtp.send_message(message, from_addr=sender, to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()), (0, b""))
            raise self._error("recipient refused", code, text, this_message=True) from None
        except smtplib.SMTPSenderRefused as exc:
            # Our From, not this message: retried, whatever the code, so that fixing
            # HOGO_MAIL_FROM lets the queue go out.
            raise self._error("sender refused", exc.smtp_code, exc.smtp_error) from None
        except smtplib.SMTPDataError as exc:
            raise self._error("message refused", exc.smtp_code, exc.smtp_error, True) from None
        except smtplib.SMTPNotSupportedError:
            raise DeliveryError(
                "the mail server cannot take this address (no SMTPUTF8)", permanent=True
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise self._error("the mail server failed", exc.smtp_code, exc.smtp_error) from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise DeliveryError(
                f"the connection to the mail server failed ({type(exc).__name__})",
                session_lost=True,
            ) from None

    def _error(
        self, what: str, code: int, text: bytes | str, this_message: bool = False
    ) -> DeliveryError:
        lost = not self.open
        if lost:
            self.close()
        return DeliveryError(
            _summary(what, code, text),
            code=code,
            permanent=this_message and is_permanent_reply(code),
            session_lost=lost,
        )

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            if smtp.sock is not None:
                smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            smtp.close()

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class SmtpTransport:
    """Opens sessions to one server. `tls_context` defaults to the system's trusted
    certificates with host-name checking (SSL_CERT_FILE points OpenSSL at a private CA)."""

    def __init__(self, server: SmtpServer, *, tls_context: ssl.SSLContext | None = None) -> None:
        self.server = server
        self._tls_context = tls_context

    def _context(self) -> ssl.SSLContext:
        return self._tls_context or ssl.create_default_context()

    def connect(self) -> SmtpSession:
        server = self.server
        stage = "cannot reach the mail server"
        try:
            if server.tls == "implicit":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    server.host, server.port, timeout=server.timeout, context=self._context()
                )
            else:
                smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                _summary("the mail server refused the session", exc.smtp_code, exc.smtp_error),
                code=exc.smtp_code,
                at_connect=True,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{stage} ({type(exc).__name__})", at_connect=True) from None
        try:
            stage = "the mail server did not greet"
            smtp.ehlo_or_helo_if_needed()
            if server.tls == "starttls":
                stage = "the mail server does not offer STARTTLS"
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if server.username and server.password is not None:
                stage = "the mail server does not offer AUTH"
                smtp.login(server.username, server.password)
        except smtplib.SMTPAuthenticationError as exc:
            smtp.close()
            raise DeliveryError(
                _summary("authentication refused", exc.smtp_code, exc.smtp_error),
                code=exc.smtp_code,
                at_connect=True,
            ) from None
        except smtplib.SMTPNotSupportedError:
            smtp.close()
            raise DeliveryError(stage, at_connect=True) from None
        except smtplib.SMTPResponseException as exc:
            smtp.close()
            raise DeliveryError(
                _summary("the mail server refused the session", exc.smtp_code, exc.smtp_error),
                code=exc.smtp_code,
                at_connect=True,
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            smtp.close()
            name = type(exc).__name__
            what = "TLS failed" if isinstance(exc, ssl.SSLError) else "the session failed"
            raise DeliveryError(f"{what} ({name})", at_connect=True) from None
        return SmtpSession(smtp)
