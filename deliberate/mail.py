"""Sending e-mail: the message, the SMTP sender, and the thread that sends notifications in the background."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

from deliberate.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


class DeliveryFailed(Exception):
    """The server could not be reached or refused us: try again later."""


class Sender(Protocol):
    def send(self, messages: Sequence[Message]) -> list[Message]:
        """Send what it can; return the messages the server refused for good (a bad address, say)."""
        ...


class SmtpSender:
    """One SMTP connection per batch, opened the way SMTP_SECURITY says."""

    def __init__(self, settings: Settings, timeout: float = 30) -> None:
        self.settings = settings
        self.timeout = timeout

    def send(self, messages: Sequence[Message]) -> list[Message]:
        if not messages:
            return []
        refused: list[Message] = []
        try:
            with self._connect() as smtp:
                for message in messages:
                    try:
                        smtp.send_message(self._email(message))
                    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError):
                        log.warning("mail to %s refused", message.to)
                        refused.append(message)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryFailed(str(error)) from error
        return refused

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=self.timeout,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self.timeout)
            if s.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.smtp_username:
            smtp.login(s.smtp_username, s.smtp_password)
        return smtp

    def _email(self, message: Message) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.settings.mail_from
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Message-ID"] = make_msgid(domain=self.settings.mail_from.rpartition("@")[2].strip("> ") or None)
        email.set_content(message.body)
        return email


class MailWorker:
    """Calls `send_once` now and then on a daemon thread until stopped; one per server process."""

    def __init__(self, send_once: Callable[[], int], interval_seconds: float) -> None:
        self._send_once = send_once
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="deliberate-mail", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                while self._send_once() and not self._stop.is_set():
                    pass  # a full batch: there may be more
            except Exception:  # keep the thread alive: the next round tries again
                log.exception("sending notification e-mail failed")
            self._stop.wait(self._interval)
