"""The Administration joins write-in groups by hand (across languages), names them, splits a
member's suggestion out, and undoes either; results, CSV, documents and follow-up follow."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from consult.consultations.models import WriteInJoin, WriteInSplit
from consult.core.audit import AuditEvent
from consult.core.plaintext import join_key
from consult.extensions import db
from consult.members.models import Member
from tests.factories import MemberFactory, UserFactory, build_consultation
from tests.integration.builder_helpers import (
    audit_actions,
    consultation,
    post,
    sign_in_admin,
    snapshot,
    submit,
    text,
)
from tests.integration.test_followup import published  # noqa: F401 - fixture

PAGE = "/admin/consultations/idm-2010/write-ins"
SPANISH = "migracion y cambio climatico"
ENGLISH = "migration and climate change"


def question_id() -> int:
    return consultation("idm-2010").questions[0].id


def join(client, keys, name="", question=None):
    return post(
        client,
        PAGE,
        {"question": str(question or question_id()), "group": keys, "name": name},
    )


def results_csv(client) -> list[dict[str, str]]:
    response = post(client, "/admin/consultations/idm-2010/export/results.csv")
    body = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(body)))


def test_the_page_lists_each_group_with_who_wrote_what(client, auth, published):  # noqa: F811
    sign_in_admin(auth)
    page = text(client.get(PAGE))
    assert "Question 1 · Rank the themes" in page
    assert "Migration and climate change · 2 members" in page
    assert "Philippines: Migration and climate change" in page
    assert "Kenya: migration AND climate change." in page
    assert "Argentina: Migración y cambio climático" in page
    assert "Labour mobility" not in page  # a draft is not a suggestion


def test_joining_across_languages_reaches_results_csv_and_follow_up(client, auth, published):  # noqa: F811
    sign_in_admin(auth)
    response = join(client, [ENGLISH, SPANISH], "Migration and climate change (all languages)")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/write-ins#q{question_id()}")
    assert "The groups have been joined." in text(client.get(PAGE))

    results = text(client.get("/admin/consultations/idm-2010/results"))
    assert re.search(
        r"Migration and climate change \(all languages\) \(joined by hand\).* 3 ", results
    )
    also = re.search(r"also written: (.*?) 3 ", results)
    assert also
    assert set(also.group(1).split(" · ")) == {
        "Migration and climate change",
        "migration AND climate change.",
        "Migración y cambio climático",
    }

    rows = [r for r in results_csv(client) if r["write_in"] == "yes"]
    assert [(r["option"], r["members"]) for r in rows] == [
        ("Migration and climate change (all languages)", "3")
    ]

    follow_up = text(client.get("/admin/consultations/idm-2010/follow-up"))
    assert "Migration and climate change (all languages)" in follow_up
    assert "suggested by 3 members: Argentina, Philippines, Kenya" in follow_up

    db.session.rollback()
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "write_ins_grouped")
    ).one()
    assert event.details == {
        "question": 1,
        "group": ["Migration and climate change", "Migración y cambio climático"],
        "name": "Migration and climate change (all languages)",
    }


def test_a_follow_up_promotes_the_joined_group_with_all_who_suggested_it(client, auth, published):  # noqa: F811
    from tests.integration.test_followup import follow_up_form

    sign_in_admin(auth)
    join(client, [ENGLISH, SPANISH], "Climate and migration")
    key = f"{question_id()}:{join_key(db.session.scalars(sa.select(WriteInJoin.id)).one())}"
    response = post(
        client,
        "/admin/consultations/idm-2010/follow-up",
        follow_up_form(suggestions=[key]),
    )
    assert response.status_code in (302, 303)
    child = consultation("idm-2010-workshops")
    option = child.questions[0].options[0]
    assert option.label == "Climate and migration"
    assert sorted(m.code for m in option.suggested_by) == ["ARG", "KEN", "PHL"]


def test_split_out_and_put_back(client, auth, published):  # noqa: F811
    sign_in_admin(auth)
    ken = db.session.scalars(sa.select(Member).where(Member.code == "KEN")).one()
    response = post(client, PAGE, {"question": str(question_id()), "split": f"{ken.id}:{ENGLISH}"})
    assert response.status_code == 303
    page = text(client.get(PAGE))
    assert "The suggestion now stands alone." in page
    assert "migration AND climate change. (taken out of its group)" in page
    assert "Migration and climate change · 1 member" in page
    rows = [(r["option"], r["members"]) for r in results_csv(client) if r["write_in"] == "yes"]
    assert ("migration AND climate change.", "1") in rows
    assert ("Migration and climate change", "1") in rows

    # A suggestion alone cannot be split again.
    again = post(client, PAGE, {"question": str(question_id()), "split": f"{ken.id}:{ENGLISH}"})
    assert again.status_code == 400
    assert "have changed since this page was shown" in text(again)

    response = post(
        client, PAGE, {"question": str(question_id()), "restore": f"{ken.id}:{ENGLISH}"}
    )
    assert response.status_code == 303
    assert "Migration and climate change · 2 members" in text(client.get(PAGE))
    assert db.session.scalar(sa.select(sa.func.count(WriteInSplit.id))) == 0
    assert [a for a in audit_actions() if a.startswith("write_ins")] == [
        "write_ins_split",
        "write_ins_grouped",
    ]


def test_undoing_a_join_gives_back_the_automatic_groups(client, auth, published):  # noqa: F811
    sign_in_admin(auth)
    join(client, [ENGLISH, SPANISH], "Climate")
    join_id = db.session.scalars(sa.select(WriteInJoin.id)).one()
    # Renaming: one joined group ticked alone, with a new name.
    assert join(client, [join_key(join_id)], "Climate and mobility").status_code == 303
    db.session.rollback()
    assert db.session.scalars(sa.select(WriteInJoin.label)).one() == "Climate and mobility"
    join_id = db.session.scalars(sa.select(WriteInJoin.id)).one()
    response = post(client, PAGE, {"question": str(question_id()), "unjoin": str(join_id)})
    assert response.status_code == 303
    page = text(client.get(PAGE))
    assert "Migration and climate change · 2 members" in page
    assert "Migración y cambio climático · 1 member" in page
    assert audit_actions()[-3:] == ["write_ins_grouped", "write_ins_grouped", "write_ins_split"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"group": [ENGLISH]}, "Tick at least two groups"),
        ({"group": []}, "Tick at least two groups"),
        ({"group": [ENGLISH, "nobody wrote this"]}, "have changed since this page was shown"),
        ({"group": [ENGLISH, SPANISH], "name": "x" * 301}, "Keep it to 300 characters."),
        ({"group": [ENGLISH, SPANISH], "name": "bad\x07name"}, "invisible control characters"),
        ({"unjoin": "999"}, "have changed since this page was shown"),
        ({"restore": "1:" + ENGLISH}, "have changed since this page was shown"),
    ],
)
def test_bad_changes_are_refused_with_a_message_and_change_nothing(
    client,
    auth,
    published,  # noqa: F811
    data,
    message,
):
    sign_in_admin(auth)
    before = snapshot()
    before_rules = db.session.execute(sa.select(WriteInJoin.id)).all()
    response = post(client, PAGE, {"question": str(question_id()), **data})
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert "There is 1 problem" in page
    assert snapshot() == before
    assert db.session.execute(sa.select(WriteInJoin.id)).all() == before_rules


@pytest.mark.parametrize(
    "data",
    [
        {"question": "abc", "group": [ENGLISH, SPANISH]},
        {"question": "1", "split": "nobody"},
        {"question": "1", "unjoin": "x"},
    ],
)
def test_malformed_posts_are_bad_requests(client, auth, published, data):  # noqa: F811
    sign_in_admin(auth)
    assert post(client, PAGE, data).status_code == 400


def test_a_question_of_another_consultation_is_not_found(client, auth, published):  # noqa: F811
    sign_in_admin(auth)
    build_consultation("other")
    other = consultation("other").questions[0].id
    assert join(client, [ENGLISH, SPANISH], question=other).status_code == 404


def test_delegates_and_visitors_cannot_see_or_change_the_groups(client, auth, published):  # noqa: F811
    assert client.get(PAGE).status_code in (302, 303, 401)
    delegate = UserFactory(member=MemberFactory(code="FRA", name="France"))
    auth.login(delegate.email)
    assert client.get(PAGE).status_code == 403


def test_a_join_holds_when_answers_are_revised_and_new_ones_come_in(client, auth, app):
    members = [
        MemberFactory(code=c, name=n)
        for c, n in [("ARG", "Argentina"), ("PHL", "Philippines"), ("KEN", "Kenya")]
    ]
    users = [UserFactory(member=m) for m in members]
    build_consultation("idm-2010")
    submit("idm-2010", users[0], {1: 1}, "Migración y cambio climático")
    submit("idm-2010", users[1], {2: 1}, "Migration and climate change")
    sign_in_admin(auth)
    join(client, [ENGLISH, SPANISH], "Climate")
    # Kenya writes the Spanish wording without accents; the Philippines revise their ballot.
    submit("idm-2010", users[2], {1: 1}, "migracion y cambio climatico")
    submit("idm-2010", users[1], {1: 1, 2: 2}, "Migration and climate change")
    results = text(client.get("/admin/consultations/idm-2010/results"))
    assert re.search(r"Climate \(joined by hand\).* 3 ", results)
    rows = [(r["option"], r["members"]) for r in results_csv(client) if r["write_in"] == "yes"]
    assert rows == [("Climate", "3")]


def test_the_results_document_lists_the_joined_group(client, auth, published):  # noqa: F811
    from consult.ballots.services import load_consultation
    from consult.results import compose, services
    from consult.results.docmodel import outline

    sign_in_admin(auth)
    join(client, [ENGLISH, SPANISH], "Climate")
    db.session.rollback()
    document = compose.compose(services.consultation_results(load_consultation("idm-2010")), "fr")
    lines = "\n".join(outline(document))
    assert "  Climate (également écrit" in lines
    assert "Migración y cambio climático" in lines
