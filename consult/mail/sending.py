"""Hand messages to the SMTP server configured by MAIL_*, or print them to the console."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any, Protocol

from consult.core import clock

log = logging.getLogger("consult.mail")


class MailNotConfigured(RuntimeError):
    """No MAIL_SERVER, and this environment may not print messages instead."""


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


def build_email(
    config: Mapping[str, Any], *, to: str, subject: str, text: str, html: str, locale: str
) -> EmailMessage:
    """A multipart/alternative message: plain text first, then HTML."""
    message = EmailMessage()
    sender_name, sender_address = parseaddr(str(config["MAIL_FROM"]))
    message["From"] = str(Address(sender_name, addr_spec=sender_address))
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=sender_address.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = locale  # after the parts exist, so it stays on the whole
    return message


class _Console:
    def send(self, message: EmailMessage) -> None:
        body = message.get_body(("plain",))
        log.info(
            "e-mail (MAIL_SERVER is not set, so it is printed here instead of sent)\n"
            "To: %s\nSubject: %s\n\n%s",
            message["To"],
            message["Subject"],
            body.get_content() if body is not None else "",
        )


class _Smtp:
    def __init__(self, connection: smtplib.SMTP) -> None:
        self.connection = connection

    def send(self, message: EmailMessage) -> None:
        self.connection.send_message(message)


@contextmanager
def transport(config: Mapping[str, Any]) -> Iterator[Transport]:
    """One connection for a batch of messages; the console when MAIL_SERVER is unset."""
    if not config.get("MAIL_SERVER"):
        if not config.get("MAIL_CONSOLE_ALLOWED", True):
            raise MailNotConfigured("MAIL_SERVER is not configured")
        yield _Console()
        return
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    connection: smtplib.SMTP
    if config.get("MAIL_USE_SSL"):
        connection = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
    try:
        connection.ehlo()
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            connection.starttls(context=ssl.create_default_context())
            connection.ehlo()
        if config.get("MAIL_USERNAME"):
            connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        yield _Smtp(connection)
    finally:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()
