"""A real SMTP server for the mail tests: aiosmtpd on 127.0.0.1, on a port that is free.

The server keeps every message it accepts, parsed, and refuses recipients by domain:
refused.example permanently (550), busy.example for now (450). Both refusals quote the
address, as real servers do, so tests can check that hogo stores none of it.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage


class Inbox:
    """The aiosmtpd handler."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.received: list[Received] = []
        self._lock = threading.Condition()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        domain = address.rpartition("@")[2].lower()
        if domain == "refused.example":
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if domain == "busy.example":
            return f"450 4.2.1 <{address}>: Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)  # a slower server: workers overlap for longer
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append(
                Received(envelope.mail_from, tuple(envelope.rcpt_tos), cast(EmailMessage, parsed))
            )
            self._lock.notify_all()
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(r.message["Message-ID"]) for r in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [r.message for r in self.received if address in r.rcpt_tos]

    def wait_for(self, address: str, *, count: int = 1, timeout: float = 10.0) -> EmailMessage:
        """The `count`th message to `address`, once it has arrived (woken by its arrival,
        not by polling)."""
        with self._lock:
            arrived = self._lock.wait_for(lambda: len(self.to(address)) >= count, timeout)
            assert arrived, f"no message {count} to {address} within {timeout} s"
            return self.to(address)[count - 1]


class MailServer:
    """A server on a fixed port that tests start and stop: stopped, nothing listens there."""

    def __init__(self, *, delay: float = 0.0, **smtp_parameters: Any) -> None:
        self.port = free_port()
        self.inbox = Inbox(delay)
        self._parameters = smtp_parameters
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        if self._controller is None:
            self._controller = Controller(
                self.inbox, hostname="127.0.0.1", port=self.port, **self._parameters
            )
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
