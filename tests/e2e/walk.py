"""Every page of every role: the demo's data, one consultation at each stage, and the pages
found by following the links of each role from its home page (checked against the URL map)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.exceptions import HTTPException

from consult.auth.models import User
from consult.ballots import services
from consult.ballots.entries import Entered
from consult.ballots.onbehalf import Channel, Provenance
from consult.consultations import cycle
from consult.consultations.document import Text
from consult.core import clock
from consult.demo.loader import ADMIN_EMAIL, load_demo
from consult.demo.loader import PASSWORD as DEMO_PASSWORD
from consult.extensions import db
from consult.mail.models import MailKind, OutboxMessage
from consult.members.models import Member
from tests import document_files as samples
from tests.conftest import signed_in_client
from tests.factories import build_consultation
from tests.integration.ballot_helpers import ranking_form
from tests.integration.document_helpers import add_document

#: Who walks: the demo's administrator, an English-speaking delegate of a member state, and
#: the delegate of an observer organisation; anonymous visitors see the sign-in pages.
ROLES = {
    "admin": ADMIN_EMAIL,
    "delegate": "che@delegates.example.org",
    "observer": "icrc@delegates.example.org",
    "anonymous": None,
}
#: Not pages: downloads, and what ends the walk (signing out).
NOT_PAGES = re.compile(
    r"\.(csv|yaml|zip|pdf|docx|xlsx|odt)$|/documents/(\d+|<id:file_id>)$|^/static/|^/logout"
)
#: Pages that only exist from a link in an e-mail or after another POST: never linked.
UNLINKED = {
    "auth.invitation_link",
    "auth.reset_link",
    "auth.accept_invitation",
    "auth.reset_password",
    # The results page's "enter the response received from" form (it redirects to the entry
    # page, which the participation lists link to) and an entry's scan (a download).
    "entries.choose",
    "entries.scan",
}
#: At most this many addresses of one endpoint (members, questions...): the others share the
#: template with them.
PER_ENDPOINT = 4


def shares(admin: int) -> list:
    """The walks as tests: each role's pages in one test, the administrator's (the most
    pages) in ``admin`` tests, so that the two workers of ``make test`` share the longest
    walks instead of one of them running each alone (the same pages, each visited once)."""
    out = []
    for role in ROLES:
        count = admin if role == "admin" else 1
        out += [
            pytest.param(role, (i, count), id=role if count == 1 else f"{role}-{i + 1}of{count}")
            for i in range(count)
        ]
    return out


def share(paths: list[str], part: tuple[int, int]) -> list[str]:
    """One test's share of a role's pages (every ``count``-th from ``index``: each share
    holds some of every kind of page)."""
    index, count = part
    return paths[index::count]


class Links(HTMLParser):
    """Where a page leads: its links and the actions of its GET forms."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")
        elif tag == "form" and (a.get("method") or "get").lower() == "get" and a.get("action"):
            self.hrefs.append(a["action"] or "")


def build_world(app: Flask) -> None:
    """The demo, plus a consultation closed with an outcome, one published (with the demo's
    answers) and a message that failed in the outbox."""
    list(load_demo())
    admin = db.session.scalar(sa.select(User).where(User.email == ADMIN_EMAIL))
    survey = db.session.scalar(
        sa.select(cycle.Consultation).where(cycle.Consultation.slug == "idm-effectiveness-survey")
    )
    idm_2009 = build_consultation("idm-2009")
    enter_on_behalf(idm_2009, admin, "CHE")
    for c in (idm_2009, survey):
        cycle.close_consultation(c.id, actor_id=admin.id, reason=Text("The Council meets earlier."))
        cycle.record_outcome(
            c.id,
            Text("Agreed."),
            Text("As most answered."),
            actor_id=admin.id,
            selected=(),
            reason=Text("Decided in session."),
        )
    cycle.publish(survey.id, actor_id=admin.id, notify=False)
    delegate = db.session.scalar(sa.select(User).where(User.email == ROLES["delegate"]))
    db.session.add(
        OutboxMessage(
            kind=MailKind.REMINDER,
            user_id=delegate.id,
            recipient=delegate.email,
            subject="Reminder",
            body_text="text",
            body_html="<p>text</p>",
            attempts=3,
            last_error="550 mailbox unavailable",
            next_attempt_at=clock.now(),
        )
    )
    db.session.commit()
    admin_client = sign_in_client(app, ADMIN_EMAIL)
    added = add_document(admin_client, "idm-2010-workshops", samples.pdf("Discussion note"))
    assert added.status_code == 303


def enter_on_behalf(consultation: cycle.Consultation, admin: User, code: str) -> None:
    """The secretariat enters the answer member ``code`` sent by note verbale (so that the
    entry's marks are walked on the admin's and the delegate's pages)."""
    member = db.session.scalar(sa.select(Member).where(Member.code == code))
    received = Provenance(Channel.NOTE_VERBALE, clock.now().date(), "NV/2010/17")
    saved = services.save(
        consultation,
        admin,
        ranking_form(consultation, {1: "1", 2: "2"}),
        submit=True,
        base_version=0,
        token="",
        entry=Entered(member, received),
    )
    assert isinstance(saved, services.Saved), saved


def sign_in_client(app: Flask, email: str | None):
    """A client signed in as ``email`` with the demo's password, or anonymous."""
    return signed_in_client(app, email, DEMO_PASSWORD) if email else app.test_client()


def crawl(app: Flask, role: str) -> list[str]:
    """The pages a role reaches by following links from its home page (HTML, status 200)."""
    client = sign_in_client(app, ROLES[role])
    adapter = app.url_map.bind("localhost")
    start = ["/", "/login", "/password/forgot"] if role == "anonymous" else ["/"]
    seen: set[str] = set()
    per_endpoint: dict[str, int] = defaultdict(int)
    pages: list[str] = []
    queue = list(start)
    while queue:
        path = queue.pop(0)
        if path in seen or NOT_PAGES.search(path):
            continue
        seen.add(path)
        try:
            endpoint, _args = adapter.match(path, method="GET")
        except HTTPException:
            continue
        if per_endpoint[endpoint] >= PER_ENDPOINT:
            continue
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        per_endpoint[endpoint] += 1
        pages.append(path)
        parser = Links()
        parser.feed(response.get_data(as_text=True))
        for href in parser.hrefs:
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/"):
                continue
            queue.append(parts.path)
    return pages


def endpoints(app: Flask, paths: list[str]) -> set[str]:
    adapter = app.url_map.bind("localhost")
    return {adapter.match(p, method="GET")[0] for p in paths}


def one_per_endpoint(app: Flask, paths: list[str]) -> list[str]:
    """The first address of each endpoint among ``paths`` (one page per template)."""
    adapter = app.url_map.bind("localhost")
    seen: set[str] = set()
    first = []
    for path in paths:
        endpoint = adapter.match(path, method="GET")[0]
        if endpoint not in seen:
            seen.add(endpoint)
            first.append(path)
    return first


def html_pages(app: Flask) -> set[str]:
    """Endpoints of the URL map that answer GET with a page."""
    found = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in UNLINKED:
            continue
        if NOT_PAGES.search(rule.rule) or rule.endpoint == "static":
            continue
        found.add(rule.endpoint)
    return found


def walk_all(app: Flask) -> Iterator[tuple[str, list[str]]]:
    """Each role with its pages; every page endpoint of the URL map is reached by one role."""
    reached: set[str] = set()
    walks = []
    for role in ROLES:
        pages = crawl(app, role)
        reached |= endpoints(app, pages)
        walks.append((role, pages))
    missing = html_pages(app) - reached
    assert not missing, f"pages no role reaches by a link: {sorted(missing)}"
    yield from walks


def sign_in_page(page, live: str, email: str | None) -> None:
    if not email:
        return
    page.goto(f"{live}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form.narrow [type=submit]").click()
    page.wait_for_url(re.compile(r"/(\?.*)?$"))
