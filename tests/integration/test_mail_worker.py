"""Mail outside the request (issue 14): with MAIL_DELIVER_IN_REQUEST off (production's
default) a page only writes to the outbox; ``consult mail worker``, a process of its own,
answers reset requests and delivers, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult.auth.models import ResetRequest
from consult.extensions import db
from consult.mail.models import OutboxMessage
from tests.conftest import csrf_token
from tests.factories import UserFactory
from tests.smtp import links

CONSULT = Path(sys.executable).with_name("consult")


@pytest.mark.skipif("MAIL_DELIVER_IN_REQUEST" in os.environ, reason="set in the environment")
def test_production_leaves_delivery_to_the_worker():
    from consult.config import DevelopmentConfig, ProductionConfig

    assert ProductionConfig.MAIL_DELIVER_IN_REQUEST is False
    assert DevelopmentConfig.MAIL_DELIVER_IN_REQUEST is True  # `flask run` alone still mails


def test_the_worker_process_answers_and_delivers_what_pages_queued(
    app, client, database, mailbox, deferred_mail, smtp_server
):
    UserFactory(email="d@example.org", name="Dana")
    token = csrf_token(client, "/password/forgot")
    for email in ("d@example.org", "nobody@example.org"):
        data = {"email": email, "csrf_token": token}
        assert client.post("/password/forgot", data=data).status_code == 200
    time.sleep(0.3)
    assert mailbox.messages == []  # the page sent nothing
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResetRequest)) == 2

    _box, port = smtp_server
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "CONSULT_SERVER_URL": "https://consult.example.org",
        "SECRET_KEY": app.config["SECRET_KEY"],
    }
    worker = subprocess.Popen(
        [str(CONSULT), "mail", "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        (message,) = mailbox.wait(1, timeout=30)
        assert message["To"] == "d@example.org"
        assert any("/password/reset/" in link for link in links(message))
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResetRequest)) == 0
    sent = db.session.scalars(sa.select(OutboxMessage)).all()
    assert [(m.recipient, m.sent_at is not None) for m in sent] == [("d@example.org", True)]
    assert len(mailbox.messages) == 1  # nothing for the unknown address
