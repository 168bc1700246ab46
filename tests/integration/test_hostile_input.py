"""No input gives a 5xx (VAL-3, VAL-5): the URL map walked with hostile values in every path
parameter, every query parameter the views read and every field of every form, as the role
each route is for, on the database of the run (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from consult.auth import tokens
from consult.auth.models import TokenPurpose
from consult.consultations import cycle
from consult.consultations.document import Text
from consult.core import clock
from consult.documents.models import AttachmentFile
from consult.extensions import db
from consult.mail.models import MailKind, OutboxMessage
from tests import document_files as samples
from tests.conftest import Rows, csrf_token, restore, signed_in_client
from tests.factories import (
    AdminFactory,
    MemberFactory,
    RegionFactory,
    UserFactory,
    build_consultation,
)
from tests.integration.document_helpers import add_document
from tests.strategies import text
from tests.worlds import NamedRows, built_once, kept, store_files, tables

#: Values that broke or could break parsing: beyond 64 bits, digits that are not ASCII, NUL,
#: signs, spaces, floats, SQL and markup, control and bidi characters, very long texts.
HOSTILE = [
    "",
    "0",
    "-1",
    "+1",
    "00",
    " 1",
    "1.5",
    "1e3",
    "0x10",
    "2147483647",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "99999999999999999999999",
    "9" * 400,
    "²",
    "٣",
    "１",
    "\x00",
    "a\x00b",
    "%00",
    "' OR '1'='1' --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "=1+1",
    "\r\nSet-Cookie: x=1",
    "\x1b[31mred",
    "\u202egnp.exe",
    "a\u200bb",
    "😀" * 20,
    "é" * 3000,
    "[]",
]
#: One of each kind, for queries and forms (whose pages are slower than a 404). Quotes, line
#: breaks and terminal escapes only matter as text: one value carries the three.
CORE = [
    "",
    "-1",
    "1e3",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999999",
    "²",
    "٣",
    "a\x00b",
    "' OR '1'='1' --\r\nSet-Cookie: x=1\x1b[31mred",
    "😀" * 20,
    "é" * 500,
]
#: A field sent twice ("1", then the value) is read by the views that take a list: one value
#: of each way of failing to parse (empty, negative, beyond 64 bits, not ASCII digits, NUL,
#: too long); the hypothesis walk mixes the rest.
TWICE = ["", "-1", "99999999999999999999999", "²", "a\x00b", "é" * 500]
#: Percent-encodings that are not UTF-8 or not percent-encodings at all.
RAW = ["%ED%A0%80", "%FF%FE", "%", "%zz", "%C2%B2", "%00"]

#: Routes that end the session or that act on their path alone (no field but the token):
#: posted with hostile paths only, never with a valid path and token.
ACTIONS_WITHOUT_FIELDS = {"auth.logout"}

#: Fields of forms that only appear after another POST (the steps of an import preview), or
#: once members wrote suggestions (the write-in groups' forms).
EXTRA_FIELDS = {
    "consultations.write_ins": {
        "question",
        "group",
        "name",
        "split",
        "unjoin",
        "restore",
        "csrf_token",
    },
    "members.import_confirm": {"payload", "signature", "plan", "csrf_token"},
    "members.import_regions": {"payload", "signature", "new_region", "csrf_token"},
}

ADMIN = "walk-admin@example.org"
DELEGATE = "walk-delegate@example.org"


class Forms(HTMLParser):
    """Every form of a page: its action, method and field names."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, set[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append((a.get("action") or "", (a.get("method") or "get").lower(), set()))
        elif tag in ("input", "select", "textarea", "button") and self.forms and a.get("name"):
            self.forms[-1][2].add(a["name"] or "")


def read_in_source() -> set[str]:
    """Names of query and form parameters the views read directly."""
    names: set[str] = set()
    pattern = re.compile(r"request\.(?:args|form|values)\.get(?:list)?\(\s*\"([^\"]+)\"")
    for path in (Path(__file__).parents[2] / "consult").rglob("*.py"):
        names.update(pattern.findall(path.read_text()))
    return names


class World:
    """Signed-in clients, valid values for every path parameter, and the forms of every page
    (found by visiting each page with each valid value)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
        self.valid: dict[str, list[object]] = {}
        self.query_names = read_in_source() | {"q", "kind", "region", "status", "who"}
        #: For each POST endpoint: the fields of its forms and a path a form posts to.
        self.fields: dict[str, set[str]] = {k: set(v) for k, v in EXTRA_FIELDS.items()}
        self.targets: dict[str, str] = {}

    #: What :meth:`build` finds, the same for every worker given the same rows (:func:`built`).
    FOUND = ("valid", "query_names", "fields", "targets")

    def build(self) -> None:
        """The rows of the world, then its forms (:meth:`crawl`)."""
        admin = AdminFactory(email=ADMIN)
        member = MemberFactory()
        delegate = UserFactory(email=DELEGATE, member=member)
        gone = UserFactory(member=MemberFactory(active=False), active=False)
        empty_region = RegionFactory(name="Antarctica")
        build_consultation("idm-2010")
        draft = build_consultation("idm-2011", status="draft")
        closed, decided, published = (build_consultation(f"idm-200{i}") for i in (7, 8, 9))
        for c in (closed, decided, published):
            cycle.close_consultation(
                c.id, actor_id=admin.id, reason=Text("The Council meets earlier.")
            )
        for c in (decided, published):
            cycle.record_outcome(c.id, Text("Decided."), Text(), actor_id=admin.id, selected=())
        cycle.publish(published.id, actor_id=admin.id, notify=False)
        message = OutboxMessage(
            kind=MailKind.REMINDER,
            user_id=delegate.id,
            recipient=delegate.email,
            subject="Reminder",
            body_text="text",
            body_html="<p>text</p>",
            attempts=1,
            last_error="refused",
            next_attempt_at=clock.now(),
        )
        db.session.add(message)
        invited = UserFactory(password_hash=None)
        day = timedelta(days=1)
        invitation, _t = tokens.issue(db.session, invited, TokenPurpose.INVITATION, day)
        reset, _t = tokens.issue(db.session, delegate, TokenPurpose.PASSWORD_RESET, day)
        db.session.commit()
        self.valid = {
            "slug": ["idm-2011", "idm-2010", "idm-2007", "idm-2008", "idm-2009"],
            "member_id": [member.id, gone.member_id, invited.member_id],
            "user_id": [delegate.id, gone.id],
            "region_id": [member.region_id, empty_region.id],
            "question_id": [draft.questions[0].id],
            "option_id": [draft.questions[0].options[0].id],
            "message_id": [message.id],
            "number": [1],
            "name": ["results"],
            "fmt": ["pdf"],
            "token": [invitation, reset],
        }
        self.sign_in()
        note = add_document(self.clients["admin"], "idm-2011", samples.pdf("Discussion note"))
        assert note.status_code == 303
        stored = db.session.scalars(sa.select(AttachmentFile)).one()
        self.valid["attachment_id"] = [stored.attachment_id]
        self.valid["file_id"] = [stored.id]
        self.valid["entry_id"] = [1]  # the scan of an entry by the secretariat (none stored)
        self.crawl()

    def sign_in(self) -> None:
        """New clients, signed in, and the CSRF token of each (each test starts with its own,
        as a visitor would: what a test sent leaves no cookie to the next)."""
        self.clients = {
            "admin": signed_in_client(self.app, ADMIN),
            "delegate": signed_in_client(self.app, DELEGATE),
            "anonymous": self.app.test_client(),
        }
        self.tokens = {
            "anonymous": csrf_token(self.clients["anonymous"], "/login"),
            "admin": csrf_token(self.clients["admin"], "/admin/consultations/new"),
            "delegate": csrf_token(self.clients["delegate"], "/"),
        }

    def role(self, rule: Rule) -> str:
        if rule.rule.startswith("/admin"):
            return "admin"
        if rule.rule.startswith(("/consultations", "/account")) or rule.rule == "/":
            return "delegate"
        return "anonymous"

    def path(self, rule: Rule, **override: object) -> str:
        parts = {name: self.valid[name][0] for name in rule.arguments}
        if rule.endpoint.startswith("ballots.") or rule.endpoint == "results.published":
            parts["slug"] = "idm-2010"
        parts.update(override)
        return self._fill(rule, parts)

    @staticmethod
    def _fill(rule: Rule, parts: dict[str, object]) -> str:
        out = rule.rule
        for name, value in parts.items():
            out = re.sub(rf"<(?:[^:<>]+:)?{name}>", quote(str(value), safe=""), out)
        return out

    def crawl(self) -> None:
        """Visit every page with every valid value and note the forms found (once, when the
        world is built: the pages are the same for each test, the world being put back)."""
        adapter = self.app.url_map.bind("localhost")
        for rule in self.rules:
            if "GET" not in rule.methods:
                continue
            names = sorted(rule.arguments)
            for values in itertools.product(*(self.valid[n] for n in names)):
                page = self._fill(rule, dict(zip(names, values, strict=True)))
                response = self.clients[self.role(rule)].get(page)
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                parser = Forms()
                parser.feed(response.get_data(as_text=True))
                for action, method, fields in parser.forms:
                    target = urlsplit(action).path or page
                    try:
                        endpoint, _args = adapter.match(target, method=method.upper())
                    except HTTPException:
                        continue
                    if method == "get":  # filters (the ballot preview's fields are no query)
                        self.query_names |= {f for f in fields if not re.match(r"q\d+-", f)}
                    else:
                        self.fields.setdefault(endpoint, set()).update(fields)
                        self.targets.setdefault(endpoint, target)

    def send(self, rule: Rule, path: str, query=None, form=None):
        role = self.role(rule)
        client: FlaskClient = self.clients[role]
        if "GET" in rule.methods:
            response = client.get(path, query_string=query)
        else:
            data = MultiDict(form or {})
            data.setdefault("csrf_token", self.tokens[role])
            response = client.post(path, query_string=query, data=data)
        if role != "anonymous":
            # Sent as the role it is meant for, or the walk would check the sign-in page
            # instead of the route (a session lost, a cookie not sent with a long query).
            assert not signed_out(response), f"{role} signed out at {path}"
        return response


@pytest.fixture(scope="session")
def built(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> tuple[World, Rows]:
    """The world, its forms found, built once per run (by the first worker that needs it,
    tests/worlds.py: some 15 s) and kept as rows with the files it stored; the tables are
    left empty for the next test."""

    def build() -> tuple[dict[str, object], NamedRows, dict[str, bytes]]:
        with app.app_context():
            world = World(app)
            world.build()
            found = {name: getattr(world, name) for name in World.FOUND}
            rows, files = kept()
        return found, rows, files

    found, rows, files = built_once(tmp_path_factory, "hostile-world", build)
    with app.app_context():
        store_files(files)
        world = World(app)
    vars(world).update(found)
    return world, tables(rows)


@pytest.fixture
def world(app: Flask, built: tuple[World, Rows]) -> World:
    """The world put back as it was built (whatever the previous test did to it), with
    clients signed in anew."""
    world, rows = built
    restore(rows)
    world.sign_in()
    return world


def signed_out(response) -> bool:
    """Whether ``response`` sends its client to the sign-in page, or refuses a form because
    its session has ended (consult/auth/session.unauthorized)."""
    if response.status_code in (301, 302, 303, 307, 308):
        return urlsplit(response.headers["Location"]).path == "/login"
    return response.status_code == 403 and b"Your session has ended" in response.data


def no_5xx(response, what: str) -> None:
    assert response.status_code < 500, f"{response.status_code} for {what}"


def test_hostile_path_parameters(world: World):
    """Every hostile value in every path parameter of every route. A value the route's
    converter refuses never reaches a view: the URL map answers 404 (or 405, or a redirect)
    whatever the route, so such a value is sent once per converter and method, and the others
    are only checked to be refused by the map; every value the map routes somewhere is sent."""
    adapter = world.app.url_map.bind("localhost")
    refused_by_the_map: set[tuple[str, str, str, str]] = set()
    for rule in world.rules:
        method = "GET" if "GET" in rule.methods else "POST"
        for name in rule.arguments:
            converter = type(rule._converters[name]).__name__
            for value in [*HOSTILE, "x" * 5000]:
                path = world.path(rule, **{name: value})
                try:
                    adapter.match(unquote(path), method=method)
                except HTTPException as refusal:
                    key = (converter, method, value, type(refusal).__name__)
                    if key in refused_by_the_map:
                        continue  # the same refusal by the map, already sent and checked
                    refused_by_the_map.add(key)
                response = world.send(rule, path)
                no_5xx(response, f"{rule.endpoint} {name}={value!r}")
                if name != "token" and value:  # an empty part is merged away (a redirect)
                    assert response.status_code in (400, 403, 404, 405), (path, response)


#: The hostile query values in shares: each share walks every page, and the shares run as
#: tests that the two workers of ``make test`` run at once (the walk is the longest test).
QUERY_SHARES = [CORE[:4], CORE[4:8], CORE[8:], RAW]


@pytest.mark.parametrize(
    "values", QUERY_SHARES, ids=[f"{i + 1}of{len(QUERY_SHARES)}" for i in range(len(QUERY_SHARES))]
)
def test_hostile_queries(world: World, values: list[str]):
    """Every page with each hostile value in every query parameter the views read (the values
    of ``CORE`` as they are, those of ``RAW`` already percent-encoded)."""
    assert {"q", "region", "before", "action", "member", "since"} <= world.query_names
    for rule in world.rules:
        if "GET" not in rule.methods:
            continue
        path = world.path(rule)
        for value in values:
            if values is RAW:
                query: str | dict[str, str] = "&".join(f"{n}={value}" for n in world.query_names)
            else:
                query = dict.fromkeys(world.query_names, value)
            no_5xx(world.send(rule, path, query=query), f"{rule.endpoint} ?*={value!r}")


def test_hostile_forms(world: World):
    # Every POST route is reached with the fields of its form, so the walk tests them.
    posts = {r.endpoint for r in world.rules if "POST" in r.methods} - ACTIONS_WITHOUT_FIELDS
    missing = {
        e for e in posts if not any(f.endswith("csrf_token") for f in world.fields.get(e, ()))
    }
    assert not missing, f"no form found for {sorted(missing)}"

    # The settings form can rename the draft: walked last, so the others find it.
    for rule in sorted(
        world.rules, key=lambda r: (r.endpoint == "consultations.settings", r.endpoint)
    ):
        if "POST" not in rule.methods or rule.endpoint in ACTIONS_WITHOUT_FIELDS:
            continue
        names = {f for f in world.fields.get(rule.endpoint, ()) if not f.endswith("csrf_token")}
        if not names:
            continue  # acting on the path alone: the CSRF and path walks cover it
        path = world.targets.get(rule.endpoint) or world.path(rule)
        for value in CORE:
            form = dict.fromkeys(names, value)
            no_5xx(world.send(rule, path, form=form), f"{rule.endpoint} *={value!r}")
        for value in TWICE:
            twice = MultiDict([(name, v) for name in names for v in ("1", value)])
            no_5xx(world.send(rule, path, form=twice), f"{rule.endpoint} twice {value!r}")


def test_hypothesis_walk(world: World):
    """Random mixes of hostile and valid values in paths, queries and forms."""
    rules = [r for r in world.rules if r.endpoint not in ACTIONS_WITHOUT_FIELDS]
    value = st.one_of(st.sampled_from(HOSTILE), text(max_size=30), st.integers().map(str))

    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data):
        rule = data.draw(st.sampled_from(rules))
        override = {
            name: data.draw(value)
            for name in rule.arguments
            if data.draw(st.booleans(), label=f"hostile {name}")
        }
        path = world.path(rule, **override)
        if not override:
            path = world.targets.get(rule.endpoint, path)
        query = data.draw(st.dictionaries(st.sampled_from(sorted(world.query_names)), value))
        names = sorted(
            f for f in world.fields.get(rule.endpoint, ()) if not f.endswith("csrf_token")
        )
        form = data.draw(st.dictionaries(st.sampled_from(names), value)) if names else {}
        no_5xx(world.send(rule, path, query=query, form=form), f"{rule.endpoint} {path}")

    run()


def test_the_cases_of_the_attack(world: World):
    """The 500s the outside attack found (issue 14), one by one."""
    admin, anonymous = world.clients["admin"], world.clients["anonymous"]
    member, user = world.valid["member_id"][0], world.valid["user_id"][0]
    token = world.tokens["admin"]
    assert admin.get("/admin/members/99999999999999999999999").status_code == 404
    assert admin.get("/admin/members/9223372036854775808").status_code == 404
    assert admin.get("/admin/members/%D9%A3").status_code == 404  # Arabic-Indic 3
    assert admin.get("/admin/consultations/%00/results").status_code in (400, 404)
    assert admin.get("/admin/audit/?before=%C2%B2").status_code == 400  # "not understood"
    assert admin.get("/admin/members?region=999999999999").status_code == 200
    assert admin.get("/admin/mail?before=99999999999999999999999").status_code == 200
    moved = admin.post(f"/admin/users/{user}/move", data={"member": "²", "csrf_token": token})
    assert moved.status_code == 400
    reminded = admin.post(
        "/admin/consultations/idm-2010/reminders", data={"member": "²", "csrf_token": token}
    )
    assert reminded.status_code == 400
    edited = admin.post(
        f"/admin/members/{member}/edit",
        data={"code": "XAA", "kind": "member_state", "region": "9" * 30, "csrf_token": token},
    )
    assert edited.status_code == 400
    expired = anonymous.post(
        "/consultations/idm-2010", data={"csrf_token": "stale", "version": "0"}
    )
    assert expired.status_code == 400  # the ballot's own expired-form page needs a delegate
    login = {"email": "a\x00@example.org", "password": "x", "csrf_token": world.tokens["anonymous"]}
    assert anonymous.post("/login", data=login).status_code == 400
    assert anonymous.get("/login?next=%00").status_code == 400


def test_one_limit_on_form_fields_urlencoded_or_multipart(world: World):
    """VAL-3/VAL-5: more fields than MAX_FORM_PARTS is 413 whatever the encoding."""
    client, token = world.clients["admin"], world.tokens["admin"]
    limit = world.app.config["MAX_FORM_PARTS"]
    path = "/admin/regions"

    def fields(n: int, name: str) -> MultiDict:
        return MultiDict([("csrf_token", token), ("name", name)] + [("f", "1")] * n)

    for encoding in ("application/x-www-form-urlencoded", "multipart/form-data"):
        too_many = client.post(path, data=fields(limit + 100, encoding), content_type=encoding)
        assert too_many.status_code == 413, encoding
        fine = client.post(path, data=fields(limit - 10, encoding), content_type=encoding)
        assert fine.status_code in (302, 303), encoding
    body = "&".join(["a=1"] * 100_000)
    flood = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    assert flood.status_code == 413


def test_every_path_parameter_has_a_bounded_converter(app: Flask):
    """Ids, short names and link secrets only: no bare ``<int:…>`` or ``<…>`` (string)."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for part in re.findall(r"<([^>]+)>", rule.rule):
            assert re.match(r"(id|slug|token):|any\(", part), f"{rule.rule}: <{part}>"
