"""Sending e-mail: the message and the SMTP sender."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
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
