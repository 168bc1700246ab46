"""Integration fixtures beyond the shared chain: the SMTP server, mail left to the worker."""

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.smtp import mailbox, smtp_server  # noqa: F401 - fixtures


@pytest.fixture
def deferred_mail(app: Flask) -> Iterator[None]:
    """Production's setting: the mail worker, not the request, answers and delivers."""
    app.config["MAIL_DELIVER_IN_REQUEST"] = False
    try:
        yield
    finally:
        app.config["MAIL_DELIVER_IN_REQUEST"] = True
