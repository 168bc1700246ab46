"""Every page that lists things issues as many queries for a long list as for a short one."""

from __future__ import annotations

import sqlalchemy as sa

from consult.extensions import db
from tests.factories import (
    AdminFactory,
    MemberFactory,
    RegionFactory,
    UserFactory,
    build_consultation,
)
from tests.integration.ballot_helpers import hidden_fields, ranking_form
from tests.integration.builder_helpers import submit
from tests.integration.test_members import count_queries


def queries_of(client, path: str) -> int:
    client.get(path)  # caches (templates, translations) filled first
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return counter["n"]


def test_delegate_pages_with_more_consultations_and_revisions(client, auth):
    delegate = UserFactory()
    build_consultation("idm-2010")
    submit("idm-2010", delegate, {1: 1})
    auth.login(delegate.email)
    pages = ("/", "/consultations/idm-2010", "/consultations/idm-2010/receipt")
    few = {path: queries_of(client, path) for path in pages}
    for i in range(4):
        build_consultation(f"idm-2011-{i}")
    for _ in range(5):
        submit("idm-2010", delegate, {1: 1, 2: 2})
    many = {path: queries_of(client, path) for path in pages}
    assert many == few
    receipt = client.get("/consultations/idm-2010/receipt").get_data(as_text=True)
    assert "It is revision 6, and it is the one that counts." in receipt
    assert '/consultations/idm-2010/revisions/1"' in receipt


def test_delegate_pages_with_more_members_responses_and_revisions(client, auth):
    """The delegate's pages (home, ballot, receipt, a revision) read a fixed number of
    statements whatever the membership, the other members' responses, the delegation's
    revisions and who submitted them."""
    from consult.consultations.models import Consultation, invitation

    delegate = UserFactory()
    build_consultation("idm-2010")
    submit("idm-2010", delegate, {1: 1})
    auth.login(delegate.email)
    pages = (
        "/",
        "/consultations/idm-2010",
        "/consultations/idm-2010/receipt",
        "/consultations/idm-2010/revisions/1",
    )
    few = {path: queries_of(client, path) for path in pages}
    consultation_id = db.session.scalar(
        sa.select(Consultation.id).where(Consultation.slug == "idm-2010")
    )
    for _ in range(6):
        other = UserFactory()
        db.session.execute(
            invitation.insert().values(consultation_id=consultation_id, member_id=other.member_id)
        )
        db.session.commit()
        submit("idm-2010", other, {1: 2, 2: 1})
    colleague = UserFactory(member=delegate.member)
    for ranks in ({1: 1, 2: 2}, {2: 1}):
        submit("idm-2010", colleague, ranks)  # the revision that counts is a colleague's
    many = {path: queries_of(client, path) for path in pages}
    assert many == few
    ballot = client.get("/consultations/idm-2010").get_data(as_text=True)
    assert colleague.name in ballot
    receipt = client.get("/consultations/idm-2010/receipt").get_data(as_text=True)
    assert "It is revision 3, and it is the one that counts." in receipt


def test_the_ballot_page_reads_the_questions_once_per_structure_version(client, auth):
    """The questions and options are kept per process by structure version: a page reads them
    once, the next pages only the consultation's row and the member's response; a change to
    an option is read again, once."""
    from consult.consultations.models import Option

    delegate = UserFactory()
    build_consultation("idm-2010")
    auth.login(delegate.email)
    path = "/consultations/idm-2010"

    def structure_reads() -> int:
        seen: list[str] = []
        listen = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listen)
        try:
            assert client.get(path).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listen)
        return sum("FROM consultation LEFT OUTER JOIN question" in s for s in seen)

    client.get(path)
    assert structure_reads() == 0
    db.session.execute(sa.update(Option).where(Option.position == 1).values(label="Renamed"))
    db.session.commit()
    assert structure_reads() == 1
    assert structure_reads() == 0
    assert "Renamed" in client.get(path).get_data(as_text=True)


def test_the_receipt_lists_revisions_fifty_to_a_page(client, auth):
    """The receipt shows the revision that counts (its key and audit head) on every page and
    its revisions fifty to a page, newest first, in the same statements whatever the page and
    however many revisions there are; a receipt code of any page is checked from any page."""
    delegate = UserFactory()
    build_consultation("idm-2010")
    for i in range(53):
        submit("idm-2010", delegate, {1: 1} if i % 2 else {2: 1})
    auth.login(delegate.email)
    path = "/consultations/idm-2010/receipt"
    first = client.get(path).get_data(as_text=True)
    assert "It is revision 53, and it is the one that counts." in first
    assert '/consultations/idm-2010/revisions/53"' in first
    assert '/consultations/idm-2010/revisions/4"' in first
    assert '/consultations/idm-2010/revisions/3"' not in first
    assert "Page 1 of 2" in first
    assert "Recorded in the audit trail as event" in first
    second = client.get(f"{path}?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second
    assert '/consultations/idm-2010/revisions/3"' in second
    assert '/consultations/idm-2010/revisions/1"' in second
    assert '/consultations/idm-2010/revisions/4"' not in second
    assert "Recorded in the audit trail as event" in second
    # The signed-in user, then the consultation with the response and the page of revisions.
    assert queries_of(client, path) == 2
    assert queries_of(client, f"{path}?page=2") == 2
    assert queries_of(client, f"{path}?page=99") == 2
    beyond = client.get(f"{path}?page=99").get_data(as_text=True)
    assert "Page 2 of 2" in beyond
    assert '/consultations/idm-2010/revisions/1"' in beyond
    assert "Recorded in the audit trail as event" in beyond
    from consult.ballots.models import Revision

    oldest = db.session.scalar(sa.select(Revision.receipt).where(Revision.number == 1))
    db.session.rollback()
    checked = client.get(f"{path}?code={oldest}").get_data(as_text=True)
    assert "This code is the receipt of revision 1, submitted on" in checked
    assert "It was replaced by a later revision." in checked


def test_administration_lists_with_more_rows(client, auth):
    admin = AdminFactory(email="admin@example.org")
    member = MemberFactory()
    UserFactory(member=member)
    auth.login(admin.email)
    pages = (
        "/admin/administrators",
        "/admin/regions",
        f"/admin/members/{member.id}",
        "/admin/mail",
    )
    few = {path: queries_of(client, path) for path in pages}
    for i in range(6):
        AdminFactory()
        RegionFactory(name=f"Region {i}")
        UserFactory(member=member)
    from consult.mail.models import MailKind
    from consult.mail.outbox import enqueue_all, outbox_values
    from consult.mail.render import Message

    enqueue_all(
        db.session,
        [outbox_values(admin, MailKind.REMINDER, Message("Subject", "Text", "<p>Text</p>"))] * 8,
    )
    db.session.commit()
    assert db.session.scalar(sa.text("SELECT count(*) FROM mail_outbox")) == 8
    many = {path: queries_of(client, path) for path in pages}
    assert many == few


#: A revision submitted: the user (on SQLite a statement of its own, before the write lock:
#: then BEGIN IMMEDIATE on the same connection; on PostgreSQL in the saving transaction); the
#: consultation with its questions, options, the invitation and the member's kind, with the
#: response, its latest revision's digest and the audit trail's head. Then on SQLite
#: one statement per table written: the revision (which deletes the
#: answers it replaces), the answers, the response, the receipts to every delegate (one
#: statement, written later by the mail worker) and the audit event; on PostgreSQL the
#: consultation's and the audit trail's locks before the read, and all the writes in one
#: statement (the statement timeout is set once per connection, not per request).
SUBMIT_STATEMENTS = {"sqlite": 8, "postgresql": 4}


def test_a_submission_costs_the_same_statements_for_the_first_and_a_later_revision(
    app, client, auth
):
    """Delivery is left to the mail worker, as in production: the page writes the receipts
    to the outbox and does not wait for the mail server."""
    member = MemberFactory()
    delegate = UserFactory(member=member)
    UserFactory(member=member)  # a second delegate: receipts to both in the same statement
    consultation = build_consultation("idm-2010")
    auth.login(delegate.email)
    app.config["MAIL_DELIVER_IN_REQUEST"] = False
    counts = []
    try:
        for ranks in ({1: "1"}, {1: "2", 2: "1"}, {2: "1"}):
            data = {**ranking_form(consultation, ranks), **hidden_fields(client, "idm-2010")}
            with count_queries() as counter:
                response = client.post("/consultations/idm-2010", data=data)
            assert response.status_code == 303
            counts.append(counter["n"])
    finally:
        app.config["MAIL_DELIVER_IN_REQUEST"] = True
    # Every statement counted, those run on the driver's cursor too (core.database.Prepared).
    assert counts[1] == counts[2] == SUBMIT_STATEMENTS[db.engine.dialect.name]
    outbox = db.session.scalar(sa.text("SELECT count(*) FROM mail_outbox"))
    assert outbox == 6  # three receipts to each of the two delegates


def _yaml(prefix: str, count: int, *, questions: int = 3, options: int = 5) -> str:
    """``count`` draft consultations, each with its questions (one shown only on a condition
    naming another question's option) and options (one suggested by a member)."""
    import yaml

    def question(q: int) -> dict:
        found = {
            "kind": "ranking",
            "prompt": f"Question {q}",
            "options": [{"label": f"Option {o}"} for o in range(1, options + 1)],
        }
        found["options"][0]["suggested_by"] = ["CHE"]
        if q > 1:
            found["show_if"] = {"question": 1, "answers": [1]}
        return found

    docs = [
        {
            "slug": f"{prefix}-{i:03d}",
            "title": f"Consultation {i}",
            "status": "draft",
            "opens_at": "2030-01-01T09:00:00+01:00",
            "closes_at": "2030-02-01T18:00:00+01:00",
            "invite": "all",
            "questions": [question(q) for q in range(1, questions + 1)],
        }
        for i in range(count)
    ]
    return yaml.safe_dump({"consultations": docs}, allow_unicode=True)


def test_yaml_replace_costs_a_fixed_number_of_statements_per_consultation(app):
    """``import --replace``: the same statements for every consultation of the file, whatever
    its questions and options (they are deleted and written in batches for the whole file)."""
    from consult.consultations.importing import import_documents, read_text
    from consult.consultations.models import Consultation, Option, Question

    MemberFactory(code="CHE")
    MemberFactory(code="MEX")
    db.session.commit()

    def replace(text: str) -> int:
        with count_queries() as counter:
            import_documents(read_text(text), replace=True)
        return counter["n"]

    counts = {}
    for prefix, count, questions, options in (("a", 1, 3, 5), ("b", 10, 3, 5), ("c", 10, 6, 9)):
        text = _yaml(prefix, count, questions=questions, options=options)
        import_documents(read_text(text))  # the drafts that --replace overwrites
        counts[count, questions, options] = replace(text)
        db.session.expire_all()
        seconds = db.session.scalars(
            sa.select(Question)
            .join(Question.consultation)
            .where(Question.position == 2, Consultation.slug.startswith(prefix))
            .order_by(Question.id)
        ).all()
        assert len(seconds) == count
        first = seconds[-1].consultation.questions[0]
        assert [o.position for o in first.options] == list(range(1, options + 1))
        assert [m.code for m in first.options[0].suggested_by] == ["CHE"]
        assert seconds[-1].settings["show_if"] == {
            "question": first.id,
            "options": [first.options[0].id],
        }
        assert {m.code for m in first.consultation.invited} == {"CHE", "MEX"}
        options_stored = sa.select(sa.func.count()).select_from(Option).join(Question)
        options_stored = options_stored.join(Consultation).where(
            Consultation.slug.startswith(prefix)
        )
        assert db.session.scalar(options_stored) == count * questions * options
        db.session.commit()
    one, ten, bigger = counts[1, 3, 5], counts[10, 3, 5], counts[10, 6, 9]
    per_consultation = (ten - one) / 9
    assert per_consultation == int(per_consultation) <= 4, counts
    assert bigger == ten, counts


def test_results_page_with_more_members_and_responses(client, auth):
    """The administrators' results page: its lists of members come a page at a time, the
    tallies from grouped rows, so more members and responses add no statement."""
    from consult.consultations.models import invitation

    admin = AdminFactory(email="admin@example.org")
    early = [UserFactory() for _ in range(2)]
    consultation = build_consultation("idm-2010")
    for user, ranks in zip(early, ({1: 1}, {2: 1}), strict=True):
        submit("idm-2010", user, ranks)
    auth.login(admin.email)
    path = "/admin/consultations/idm-2010/results"
    few = queries_of(client, path)
    late = [UserFactory(member=MemberFactory(name=f"Late {i:03d}")) for i in range(115)]
    db.session.execute(
        sa.insert(invitation),
        [{"consultation_id": consultation.id, "member_id": u.member_id} for u in late],
    )
    db.session.commit()
    for i, user in enumerate(late[:55]):
        submit("idm-2010", user, {1: 1, 2: 2} if i % 2 else {2: 1})
    page = client.get(path).get_data(as_text=True)
    assert "57 invited members have submitted" in page
    assert "60 invited members have not submitted" in page
    assert queries_of(client, path) == few
