"""A real SMTP server (aiosmtpd on 127.0.0.1, a free port) and the mailbox it fills."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

_LINK = re.compile(r"https?://[^\s\"'<>]+")


class Received(Sequence[EmailMessage]):
    """Messages as the server received them, each parsed from its bytes when a test first reads
    it: parsing in the server thread held up every DATA reply (~8 ms a message), so a test that
    sends hundreds and reads a few waited on parses it never used. Equal to a list of the same
    messages, like the list it replaces."""

    def __init__(self, raw: list[bytes], parsed: dict[int, EmailMessage]) -> None:
        self._raw = raw
        self._parsed = parsed  # by index; shared with the copies wait() hands out

    def __len__(self) -> int:
        return len(self._raw)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        index = range(len(self))[index]
        if index not in self._parsed:
            message = message_from_bytes(self._raw[index], policy=policy.default)
            self._parsed[index] = message  # type: ignore[assignment]
        return self._parsed[index]

    def __eq__(self, other: object) -> bool:
        return list(self) == other if isinstance(other, list) else NotImplemented

    def add(self, raw: bytes) -> None:
        self._raw.append(raw)

    def copy(self) -> Received:
        return Received(list(self._raw), self._parsed)


class Mailbox:
    """What the server received; ``refuse`` makes it answer 451 (try again later)."""

    def __init__(self) -> None:
        self.messages = Received([], {})
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse = False
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd hook
        if self.refuse:
            return "451 4.3.0 Mailbox temporarily unavailable"
        with self._lock:
            self.messages.add(envelope.original_content)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def clear(self) -> None:
        with self._lock:
            self.messages = Received([], {})
            self.envelopes.clear()
        self.refuse = False

    def wait(self, count: int = 1, timeout: float = 5.0) -> Received:
        """At least ``count`` messages, waiting up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} messages arrived"
        return self.messages.copy()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None, "no text/plain part"
    return part.get_content()


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None, "no text/html part"
    return part.get_content()


def links(message: EmailMessage) -> list[str]:
    """Every link of the plain-text part, in order."""
    return _LINK.findall(text_of(message))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


@pytest.fixture
def mailbox(app: Flask, smtp_server: tuple[Mailbox, int]) -> Iterator[Mailbox]:
    """The app sends over SMTP to the test server for this test; an empty mailbox."""
    box, port = smtp_server
    box.clear()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    yield box
    app.config.update(saved)
    box.clear()
