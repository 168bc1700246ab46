"""The secretariat enters a response on behalf of a member state (SQLite and PostgreSQL)."""

from __future__ import annotations

import html
import io
import re
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.dates import format_date

from consult.ballots import onbehalf
from consult.ballots.models import Entry, Response, Revision
from consult.consultations.models import invitation
from consult.core import clock
from consult.core.audit import AuditEvent, verify
from consult.documents import storage
from consult.extensions import db
from consult.mail.models import OutboxMessage
from consult.members.models import MemberKind
from tests.conftest import AuthActions
from tests.document_files import EXECUTABLE, HTML, pdf
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import post_ballot, ranking_form
from tests.integration.test_export import as_dicts, download, rows_of

_HIDDEN = re.compile(r'<input type="hidden" name="(csrf_token|version|token)" value="([^"]*)">')


@pytest.fixture
def setting(client, auth):
    """Kenya with two delegates, a consultation inviting every member, a signed-in admin."""
    kenya = MemberFactory(code="KEN", name="Kenya")
    UserFactory(email="ken1@example.org", name="Wanjiru", member=kenya)
    UserFactory(email="ken2@example.org", name="Otieno", member=kenya, locale="fr")
    AdminFactory(email="sec@example.org", name="Ana Secretariat")
    consultation = build_consultation()
    auth.login("sec@example.org")
    return consultation, kenya


def entry_url(member_id: int, slug: str = "idm-2010") -> str:
    return f"/admin/consultations/{slug}/entries/{member_id}"


def hidden(client, member_id: int, slug: str = "idm-2010") -> dict[str, str]:
    page = client.get(entry_url(member_id, slug))
    assert page.status_code == 200, page.status_code
    return dict(_HIDDEN.findall(page.get_data(as_text=True)))


def provenance(**values: str) -> dict[str, str]:
    base = {
        "entry-channel": "note_verbale",
        "entry-received-on": (clock.now().date() - timedelta(days=1)).isoformat(),
        "entry-reference": "NV/KEN/2010/17",
    }
    base.update({f"entry-{k.replace('_', '-')}": v for k, v in values.items()})
    return base


def enter(client, consultation, member_id: int, *, scan=None, ranks=None, fields=None, **values):
    data = {
        **ranking_form(consultation, {1: "2", 2: "1"} if ranks is None else ranks),
        **provenance(**values),
        **hidden(client, member_id),
        "action": "submit",
        **(fields or {}),
    }
    if scan is not None:
        data["entry-scan"] = (io.BytesIO(scan[1]), scan[0])
    return client.post(entry_url(member_id), data=data, content_type="multipart/form-data")


def stored_files() -> set[Path]:
    root = storage.root()
    return {p for p in root.rglob("*") if p.is_file() and "incoming" not in p.parts}


def snapshot() -> tuple:
    rows = []
    for model in (Response, Revision, Entry, AuditEvent, OutboxMessage):
        rows.append(tuple(tuple(r) for r in db.session.execute(sa.select(model.__table__)).all()))
    return (tuple(rows), frozenset(stored_files()))


def refused(response, status: int, before) -> str:
    assert response.status_code == status, response.status_code
    db.session.rollback()
    assert snapshot() == before
    return response.get_data(as_text=True)


def test_the_secretariat_enters_kenyas_answer_with_its_scan(client, setting):
    c, kenya = setting
    response = enter(client, c, kenya.id, scan=("NV KEN 17.pdf", pdf("Note verbale")))
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The response of Kenya is recorded as revision 1" in page
    assert "Its 2 delegates are sent the receipt by e-mail." in page
    assert "Entered by the secretariat (Ana Secretariat) from note verbale NV/KEN/2010/17" in page

    (saved,) = db.session.scalars(sa.select(Response)).all()
    assert saved.member_id == kenya.id
    assert saved.revision == 1
    (entry,) = db.session.scalars(sa.select(Entry)).all()
    assert (entry.response_id, entry.revision, entry.late) == (saved.id, 1, False)
    assert entry.scan_name == "NV KEN 17.pdf"
    assert storage.exists(entry.scan_sha256)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "ballot_submitted"))
    assert event.member_id == kenya.id
    assert event.details["entered_by_secretariat"] is True
    assert event.details["reference"] == "NV/KEN/2010/17"
    assert event.details["channel"] == "note_verbale"
    assert event.details["scan_sha256"] == entry.scan_sha256
    assert verify(db.session) == []
    # The receipt goes to both Kenyan delegates, as for any submission.
    receipts = db.session.scalars(sa.select(OutboxMessage)).all()
    assert sorted(m.recipient for m in receipts) == ["ken1@example.org", "ken2@example.org"]

    results = client.get("/admin/consultations/idm-2010/results").get_data(as_text=True)
    assert 'id="entered-responses"' in results
    assert "from note verbale NV/KEN/2010/17" in results
    scan = client.get(f"/consultations/idm-2010/entries/{entry.id}/scan")
    assert scan.status_code == 200
    assert scan.data == pdf("Note verbale")
    assert scan.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in scan.headers["Content-Disposition"]


def test_kenyas_delegates_see_the_entry_and_revise_it(app, client, setting):
    c, kenya = setting
    assert enter(client, c, kenya.id).status_code == 303
    delegate = app.test_client()
    AuthActions(delegate).login("ken1@example.org")
    receipt = delegate.get("/consultations/idm-2010/receipt").get_data(as_text=True)
    assert (
        "Entered by the secretariat (Ana Secretariat) from note verbale NV/KEN/2010/17" in receipt
    )
    answer = delegate.get("/consultations/idm-2010").get_data(as_text=True)
    assert "from note verbale NV/KEN/2010/17" in answer
    revision = delegate.get("/consultations/idm-2010/revisions/1").get_data(as_text=True)
    assert "from note verbale NV/KEN/2010/17" in revision

    assert post_ballot(delegate, "idm-2010", ranking_form(c, {1: "1"})).status_code == 303
    saved = db.session.scalar(sa.select(Response))
    assert saved.revision == 2
    assert saved.submitted_by.name == "Wanjiru"
    receipt = delegate.get("/consultations/idm-2010/receipt").get_data(as_text=True)
    # The history keeps the entry; the response that counts is the delegate's.
    assert "It is revision 2, and it is the one that counts." in receipt
    assert receipt.count("from note verbale NV/KEN/2010/17") == 1
    results = client.get("/admin/consultations/idm-2010/results").get_data(as_text=True)
    assert 'id="entered-responses"' not in results


def test_the_delegates_revision_then_the_secretariats_the_latest_counts(app, client, setting):
    c, kenya = setting
    delegate = app.test_client()
    AuthActions(delegate).login("ken1@example.org")
    assert post_ballot(delegate, "idm-2010", ranking_form(c, {1: "1"})).status_code == 303
    page = client.get(entry_url(kenya.id)).get_data(as_text=True)
    assert "Submitted on" in page
    assert (
        enter(client, c, kenya.id, channel="email", reference="Mail of 3 March").status_code == 303
    )
    saved = db.session.scalar(sa.select(Response))
    assert saved.revision == 2
    revision = db.session.scalar(sa.select(Revision).where(Revision.number == 2))
    ranking = revision.content["questions"][0]["ranking"]
    q = c.questions[0]
    assert ranking == [q.options[1].id, q.options[0].id]


def test_an_observer_is_entered_within_what_observers_may_do(client, setting):
    c, _kenya = setting
    observer = MemberFactory(code="OBS", name="Observerland", kind=MemberKind.OBSERVER_STATE)
    invite(c.id, observer.id)
    # Observers may comment but not rank (the default): a ranking is refused as for them.
    text = refused(enter(client, c, observer.id), 400, snapshot())
    assert "ranking" in text.lower() or "rank" in text.lower()
    q4 = c.questions[3]
    response = enter(client, c, observer.id, ranks={}, fields={f"q{q4.id}-text": "Our view"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "It has no active delegate: nobody is sent the receipt by e-mail." in page


def invite(consultation_id: int, member_id: int) -> None:
    db.session.execute(
        sa.insert(invitation).values(consultation_id=consultation_id, member_id=member_id)
    )
    db.session.commit()


def test_a_delegate_cannot_post_an_entry(app, client, setting):
    c, kenya = setting
    fields = hidden(client, kenya.id)
    delegate = app.test_client()
    AuthActions(delegate).login("ken1@example.org")
    before = snapshot()
    page = delegate.get("/consultations/idm-2010").get_data(as_text=True)
    token = dict(_HIDDEN.findall(page))["csrf_token"]
    data = {**ranking_form(c, {1: "1"}), **provenance(), **fields, "csrf_token": token}
    refused(delegate.post(entry_url(kenya.id), data=data), 403, before)
    assert delegate.get(entry_url(kenya.id)).status_code == 403


def test_a_member_not_invited_is_refused(client, setting):
    c, kenya = setting
    outsider = MemberFactory(code="OUT", name="Outland")  # after the invitations were made
    page = client.get(entry_url(outsider.id))
    assert page.status_code == 403
    assert "Outland is not invited to this consultation" in page.get_data(as_text=True)
    fields = hidden(client, kenya.id)
    before = snapshot()
    data = {**ranking_form(c, {1: "1"}), **provenance(), **fields, "action": "submit"}
    text = refused(client.post(entry_url(outsider.id), data=data), 403, before)
    assert "Outland is not invited to this consultation" in text
    assert client.get(entry_url(999999)).status_code == 404


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"channel": ""}, "Received as: this is required."),
        ({"channel": "fax"}, "choose note verbale, letter, e-mail or in person"),
        ({"reference": "  "}, "Reference: this is required."),
        ({"received_on": ""}, "Date of receipt: this is required."),
        ({"received_on": "4 March"}, "give a date such as 2010-03-04"),
        ({"received_on": "2999-01-01"}, "the date of receipt cannot be after today"),
    ],
)
def test_bad_provenance_is_refused_and_nothing_written(client, setting, values, message):
    c, kenya = setting
    before = snapshot()
    text = refused(enter(client, c, kenya.id, **values), 400, before)
    assert message in text
    assert 'class="error-summary"' in text


@pytest.mark.parametrize(
    ("name", "body"),
    [("scan.pdf", EXECUTABLE), ("scan.pdf", HTML), ("empty.pdf", b"")],
)
def test_a_bad_scan_is_refused_and_nothing_written(client, setting, name, body):
    c, kenya = setting
    before = snapshot()
    text = refused(enter(client, c, kenya.id, scan=(name, body)), 400, before)
    assert ("whatever its name says" in text) or ("The file is empty." in text)


def test_a_bad_ballot_is_refused_before_the_scan_is_stored(client, setting):
    c, kenya = setting
    before = snapshot()
    text = refused(
        enter(client, c, kenya.id, ranks={1: "1", 2: "1"}, scan=("nv.pdf", pdf("x"))), 400, before
    )
    assert "rank 1 is given to more than one option" in text


def test_an_entry_without_csrf_is_refused(client, setting):
    c, kenya = setting
    fields = hidden(client, kenya.id)
    fields.pop("csrf_token")
    before = snapshot()
    data = {**ranking_form(c, {1: "1"}), **provenance(), **fields, "action": "submit"}
    refused(client.post(entry_url(kenya.id), data=data), 400, before)


def test_the_same_entry_sent_twice_is_written_once(client, setting):
    c, kenya = setting
    fields = hidden(client, kenya.id)
    data = {**ranking_form(c, {1: "1"}), **provenance(), **fields, "action": "submit"}
    assert client.post(entry_url(kenya.id), data=data).status_code == 303
    assert client.post(entry_url(kenya.id), data=data).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 1
    assert db.session.scalar(sa.select(Response.revision)) == 1


def test_an_entry_and_delegate_submissions_at_once_make_one_response(app, client, setting):
    """The first submission creates the response: whoever wins, one response, every success a
    revision, the others told the response changed (409)."""
    c, kenya = setting
    delegates = [UserFactory(email=f"k{i}@example.org", member=kenya) for i in range(6)]
    entry_fields = hidden(client, kenya.id)
    entry_data = {
        **ranking_form(c, {1: "2", 2: "1"}),
        **provenance(),
        **entry_fields,
        "action": "submit",
    }
    posts = [(client, entry_url(kenya.id), entry_data)]
    for user in delegates:
        other = app.test_client()
        AuthActions(other).login(user.email)
        page = other.get("/consultations/idm-2010").get_data(as_text=True)
        fields = dict(_HIDDEN.findall(page))
        data = {**ranking_form(c, {1: "1"}), **fields, "action": "submit"}
        posts.append((other, "/consultations/idm-2010", data))
    barrier = threading.Barrier(len(posts))
    statuses: dict[str, int] = {}
    lock = threading.Lock()

    def submit(who: str, poster, url: str, data):
        barrier.wait()
        status = poster.post(url, data=data).status_code
        with lock:
            statuses[who] = status

    threads = [
        threading.Thread(target=submit, args=(str(i), *post)) for i, post in enumerate(posts)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.rollback()
    assert set(statuses.values()) <= {303, 409}, statuses
    wins = sum(1 for s in statuses.values() if s == 303)
    assert wins >= 1
    (response,) = db.session.scalars(sa.select(Response)).all()
    assert response.revision == wins
    entries = db.session.scalar(sa.select(sa.func.count()).select_from(Entry))
    assert entries == (1 if statuses["0"] == 303 else 0)
    assert verify(db.session) == []


def test_the_csv_and_the_audit_page_carry_the_mark(client, setting):
    c, kenya = setting
    MemberFactory(code="GHA", name="Ghana")  # not invited: no row
    assert enter(client, c, kenya.id, channel="letter", reference="L/17").status_code == 303
    (row,) = as_dicts(rows_of(download(client, "responses").data))
    assert row["member_code"] == "KEN"
    assert row["entered_by_secretariat"] == "Ana Secretariat"
    assert row["received_as"] == "letter"
    assert row["reference"] == "L/17"
    assert row["received_on"] == provenance()["entry-received-on"]
    assert row["late_entry"] == "no"
    audit = client.get("/admin/audit/?action=ballot_submitted").get_data(as_text=True)
    received = date.fromisoformat(provenance()["entry-received-on"])
    assert details_of(audit) == [
        ("Entered", "by the secretariat, on behalf of the member"),
        ("Received as", "Letter"),
        ("Reference", "L/17"),
        ("Date of receipt", format_date(received, format="long", locale="en_GB")),
        ("Late entry", "no"),
        ("Scanned document", "none"),
        ("digest", details_of(audit)[6][1]),
        ("previous", "000000000000…"),
        ("revision", "1"),
    ]
    assert "entered_by_secretariat" not in audit
    assert "received_on" not in audit
    client.post(
        "/language", data={"lang": "fr", "csrf_token": hidden(client, kenya.id)["csrf_token"]}
    )
    audit = client.get("/admin/audit/?action=ballot_submitted").get_data(as_text=True)
    assert details_of(audit)[:5] == [
        ("Saisie", "par le secrétariat, au nom du membre"),
        ("Reçue par", "Lettre"),
        ("Référence", "L/17"),
        ("Date de réception", format_date(received, format="long", locale="fr")),
        ("Saisie tardive", "non"),
    ]


def test_the_csv_neutralises_formulas_in_every_typed_column(client, auth):
    """The responses file's typed text (the member's code and name, its region, who entered
    the response and its reference and reason) is written so that a spreadsheet shows it as
    text, whatever it begins with; the dates and marks are written as they are."""
    from tests.factories import RegionFactory

    member = MemberFactory(code="TST", name="=Test", region=RegionFactory(name="-South"))
    AdminFactory(email="sec2@example.org", name="@Secretariat")
    c = build_consultation()
    auth.login("sec2@example.org")
    received = (clock.now().date() - timedelta(days=1)).isoformat()
    reply = enter(client, c, member.id, channel="email", reference="+41/17", received_on=received)
    assert reply.status_code == 303
    (row,) = as_dicts(rows_of(download(client, "responses").data))
    assert row["member_code"] == "TST"
    assert row["member_name"] == "'=Test"
    assert row["region"] == "'-South"
    assert row["entered_by_secretariat"] == "'@Secretariat"
    assert row["reference"] == "'+41/17"
    assert row["received_on"] == received
    assert row["received_as"] == "email"
    assert row["late_entry"] == "no"
    assert row["late_reason"] == ""
    assert row["revision"] == "1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["submitted_at_utc"])


_DETAIL = re.compile(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>")


def details_of(page: str) -> list[tuple[str, str]]:
    """The details of the first event on the audit page."""
    first = page.split('<dl class="details">', 1)[1].split("</dl>", 1)[0]
    return [(html.unescape(k), html.unescape(v)) for k, v in _DETAIL.findall(first)]


class TestLateEntry:
    """After the deadline: only with a date of receipt up to the deadline's day and a reason,
    flagged as a late entry everywhere."""

    @pytest.fixture
    def closed(self, setting):
        c, kenya = setting
        deadline = c.closes_at
        with clock.freeze(deadline + timedelta(days=3)):
            yield c, kenya, onbehalf.deadline_day(deadline, "Europe/Zurich")

    def test_a_late_entry_received_in_time_with_a_reason_is_flagged(self, app, client, closed):
        c, kenya, last_day = closed
        page = client.get(entry_url(kenya.id)).get_data(as_text=True)
        assert "this will be recorded as a late entry" in page
        response = enter(
            client, c, kenya.id, received_on=last_day.isoformat(), reason="Held at the registry"
        )
        assert response.status_code == 303
        (entry,) = db.session.scalars(sa.select(Entry)).all()
        assert entry.late
        assert entry.reason == "Held at the registry"
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "ballot_submitted")
        )
        assert event.details["late_entry"] is True
        assert event.details["late_reason"] == "Held at the registry"
        results = client.get("/admin/consultations/idm-2010/results").get_data(as_text=True)
        assert "Late entry: Held at the registry" in results
        (row,) = as_dicts(rows_of(download(client, "responses").data))
        assert (row["late_entry"], row["late_reason"]) == ("yes", "Held at the registry")
        delegate = app.test_client()
        AuthActions(delegate).login("ken1@example.org")
        receipt = delegate.get("/consultations/idm-2010/receipt").get_data(as_text=True)
        assert "Late entry: Held at the registry" in receipt
        # The delegates cannot revise it after the deadline.
        before = snapshot()
        refused(post_ballot(delegate, "idm-2010", ranking_form(c, {1: "1"})), 403, before)

    def test_a_late_entry_received_after_the_deadline_is_refused(self, client, closed):
        c, kenya, last_day = closed
        before = snapshot()
        after = (last_day + timedelta(days=1)).isoformat()
        text = refused(enter(client, c, kenya.id, received_on=after, reason="Late"), 400, before)
        assert "only an answer received by" in text

    def test_a_late_entry_without_a_reason_is_refused(self, client, closed):
        c, kenya, last_day = closed
        before = snapshot()
        text = refused(enter(client, c, kenya.id, received_on=last_day.isoformat()), 400, before)
        assert "Reason for the late entry: this is required." in text

    def test_an_entry_whose_form_was_opened_before_the_deadline_is_refused(self, client, setting):
        c, kenya = setting
        fields = hidden(client, kenya.id)  # the form as it was while open: no reason field
        data = {**ranking_form(c, {1: "1"}), **provenance(), **fields, "action": "submit"}
        with clock.freeze(c.closes_at + timedelta(minutes=1)):
            before = snapshot()
            text = refused(client.post(entry_url(kenya.id), data=data), 400, before)
        assert "Reason for the late entry: this is required." in text

    def test_no_entry_once_the_results_are_published(self, client, closed):
        c, kenya, last_day = closed
        db.session.execute(
            sa.text(
                "UPDATE consultation SET status = 'published', published_at = closes_at "
                "WHERE id = :c"
            ),
            {"c": c.id},
        )
        db.session.commit()
        before = snapshot()
        text = refused(
            enter(client, c, kenya.id, received_on=last_day.isoformat(), reason="x"), 409, before
        )
        assert "The results are published" in text


def test_the_scan_is_for_administrators_and_the_members_delegates_only(app, client, setting):
    c, kenya = setting
    assert enter(client, c, kenya.id, scan=("nv.pdf", pdf("NV"))).status_code == 303
    entry_id = db.session.scalar(sa.select(Entry.id))
    url = f"/consultations/idm-2010/entries/{entry_id}/scan"
    kenyan = app.test_client()
    AuthActions(kenyan).login("ken1@example.org")
    assert kenyan.get(url).data == pdf("NV")
    UserFactory(email="gha@example.org", member=MemberFactory(code="GHA", name="Ghana"))
    other = app.test_client()
    AuthActions(other).login("gha@example.org")
    assert other.get(url).status_code == 404
    assert app.test_client().get(url).status_code == 302  # to the sign-in page
    assert client.get(f"/consultations/idm-2011/entries/{entry_id}/scan").status_code == 404


def test_no_entry_before_the_consultation_opens(client, setting):
    _c, kenya = setting
    draft = build_consultation("idm-2011", status="draft")
    page = client.get(entry_url(kenya.id, "idm-2011"))
    assert page.status_code == 200
    assert "No response can be entered now" in page.get_data(as_text=True)
    assert 'name="entry-reference"' not in page.get_data(as_text=True)
    fields = dict(_HIDDEN.findall(page.get_data(as_text=True)))
    before = snapshot()
    data = {**ranking_form(draft, {1: "1"}), **provenance(), **fields, "action": "submit"}
    text = refused(client.post(entry_url(kenya.id, "idm-2011"), data=data), 409, before)
    assert "not open yet" in text


def test_no_entry_for_an_observer_when_observers_answer_nothing(client, setting):
    observer = MemberFactory(code="OBN", name="Observia", kind=MemberKind.OBSERVER_STATE)
    build_consultation("idm-2011", observers_may="nothing")  # invites the observer too
    page = client.get(entry_url(observer.id, "idm-2011"))
    assert page.status_code == 403
    assert "lets observers answer nothing" in page.get_data(as_text=True)
