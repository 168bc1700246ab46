"""Follow-up rounds from a published consultation, and merging options in a draft."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consult.consultations import cycle
from consult.consultations.document import Text
from consult.consultations.lifecycle import Status
from consult.consultations.models import Consultation
from consult.extensions import db
from tests.factories import (
    AdminFactory,
    MemberFactory,
    UserFactory,
    build_consultation,
    official_winners,
)
from tests.integration.builder_helpers import (
    audit_actions,
    consultation,
    post,
    sign_in_admin,
    snapshot,
    submit,
    text,
)


@pytest.fixture
def published(app):
    """The IDM 2010 theme consultation, answered, closed, decided and published."""
    members = {
        code: MemberFactory(code=code, name=name)
        for code, name in [
            ("ARG", "Argentina"),
            ("PHL", "Philippines"),
            ("KEN", "Kenya"),
            ("JOR", "Jordan"),
        ]
    }
    users = {code: UserFactory(member=m) for code, m in members.items()}
    build_consultation("idm-2010")
    submit("idm-2010", users["ARG"], {1: 1}, "Migración y cambio climático")
    submit("idm-2010", users["PHL"], {2: 1}, "Migration and climate change")
    submit("idm-2010", users["KEN"], {1: 1, 2: 2}, "  migration AND climate change. ")
    submit("idm-2010", users["JOR"], {1: 1}, "Labour mobility", action="draft")  # does not count
    admin = AdminFactory()
    c = consultation("idm-2010")
    cycle.close_consultation(c.id, actor_id=admin.id, reason=Text("The Council meets earlier."))
    cycle.record_outcome(
        c.id,
        Text("The membership has selected *Migration and Social Change*."),
        Text(),
        actor_id=admin.id,
        selected=official_winners(c.id),
    )
    cycle.publish(c.id, actor_id=admin.id, notify=False)
    return members


def follow_up_form(**overrides):
    data = {
        "slug": "idm-2010-workshops",
        "title-en": "IDM 2010: intersessional workshops",
        "title-fr": "DIM 2010 : ateliers intersessions",
        "reference": "IC/2009/2",
        "opens_at": "",
        "closes_at": "2030-02-15T18:00",
        "start": "new",
        "kind": "choose",
        "prompt-en": "Choose two workshops",
    }
    data.update(overrides)
    return data


def test_the_follow_up_page_groups_submitted_write_ins_and_names_who_suggested(
    client, auth, published
):
    sign_in_admin(auth)
    page = text(client.get("/admin/consultations/idm-2010/follow-up"))
    assert "Migration and climate change" in page
    assert "suggested by 2 members: Philippines, Kenya" in page
    assert "Migración y cambio climático" in page
    assert "Labour mobility" not in page  # a draft is not a suggestion


def test_the_follow_up_page_query_count_does_not_grow_with_suggestions(client, auth, published):
    from consult.ballots.models import Answer, Response
    from tests.integration.test_members import count_queries

    sign_in_admin(auth)
    client.get("/admin/consultations/idm-2010/follow-up")
    with count_queries() as few:
        client.get("/admin/consultations/idm-2010/follow-up")
    c = consultation("idm-2010")
    question = c.questions[0].id
    for i in range(12):
        member = MemberFactory()
        response = Response(
            consultation_id=c.id,
            member_id=member.id,
            status="submitted",
            submitted_at=c.closes_at,
        )
        db.session.add(response)
        db.session.flush()
        db.session.add(Answer(response_id=response.id, question_id=question, text=f"Topic {i % 4}"))
    db.session.commit()
    with count_queries() as many:
        page = text(client.get("/admin/consultations/idm-2010/follow-up"))
    assert "suggested by 3 members" in page  # Topic 0 … Topic 3, three members each
    assert many["n"] == few["n"]


def test_start_a_follow_up_with_promoted_suggestions(client, auth, published):
    sign_in_admin(auth)
    page = client.get("/admin/consultations/idm-2010/follow-up").get_data(as_text=True)
    keys = sorted(set(re.findall(r'name="suggestions" value="([^"]+)"', page)))
    chosen = [k for k in keys if k.endswith("migration and climate change")]
    response = post(
        client, "/admin/consultations/idm-2010/follow-up", follow_up_form(suggestions=chosen)
    )
    assert response.status_code == 303
    child = consultation("idm-2010-workshops")
    assert child.status is Status.DRAFT
    assert child.parent.slug == "idm-2010"
    assert child.localized("title", "fr") == "DIM 2010 : ateliers intersessions"
    (question,) = child.questions
    assert question.kind.value == "choose"
    (option,) = question.options
    assert option.label == "Migration and climate change"
    assert [m.code for m in option.suggested_by] == ["KEN", "PHL"]
    assert {m.code for m in child.invited} == set(published)
    assert audit_actions()[-1] == "follow_up_started"
    overview = text(client.get(response.headers["Location"]))
    assert "Follow-up round of IDM 2010 theme" in overview
    assert "suggested by KEN, PHL" in overview
    parent = text(client.get("/admin/consultations/idm-2010"))
    assert "Follow-up rounds: IDM 2010: intersessional workshops" in parent


def test_a_follow_up_can_copy_the_parent_questions(client, auth, published):
    sign_in_admin(auth)
    page = client.get("/admin/consultations/idm-2010/follow-up").get_data(as_text=True)
    keys = re.findall(r'name="suggestions" value="([^"]+)"', page)
    response = post(
        client,
        "/admin/consultations/idm-2010/follow-up",
        follow_up_form(slug="idm-2010-second-round", start="copy", suggestions=keys),
    )
    assert response.status_code == 303
    child = consultation("idm-2010-second-round")
    assert len(child.questions) == 4
    labels = [o.label for o in child.questions[0].options]
    assert labels[:3] == [
        "South-South Migration",
        "Migration and Social Change",
        "Migration and Health",
    ]
    assert set(labels[3:]) == {"Migration and climate change", "Migración y cambio climático"}
    assert child.questions[0].options[0].localized("label", "es") == "Migración Sur-Sur"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "idm-2010"}, "Another consultation already uses this short name."),
        (
            {"closes_at": "2000-01-01T10:00", "opens_at": "2001-01-01T10:00"},
            "The deadline must come after the opening.",
        ),
        ({"prompt-en": ""}, "This field is required."),
        ({"suggestions": ["999:forged"]}, "Suggestions to promote to options"),
    ],
)
def test_bad_follow_up_input_is_refused_and_nothing_saved(
    client, auth, published, overrides, message
):
    sign_in_admin(auth)
    before = snapshot()
    response = post(client, "/admin/consultations/idm-2010/follow-up", follow_up_form(**overrides))
    assert response.status_code == 400
    assert message in text(response)
    assert snapshot() == before


def test_no_follow_up_before_publication(client, auth):
    build_consultation("idm-2010")
    sign_in_admin(auth)
    before = snapshot()
    response = post(client, "/admin/consultations/idm-2010/follow-up", follow_up_form())
    assert response.status_code == 303
    assert "A follow-up round starts from a published consultation." in text(
        client.get(response.headers["Location"])
    )
    assert snapshot() == before


# Merging options -----------------------------------------------------------------------------


@pytest.fixture
def workshops(app):
    """A draft with four workshops; "Migration and changing families" suggested by Kenya."""
    kenya = MemberFactory(code="KEN", name="Kenya")
    build_consultation(
        "idm-2010-workshops",
        status="draft",
        questions=[
            {
                "kind": "choose",
                "prompt": "Choose two workshops",
                "min_choices": 2,
                "max_choices": 2,
                "options": [
                    {
                        "label": {
                            "en": "Integration and social cohesion",
                            "fr": "Intégration et cohésion sociale",
                        },
                        "description": {
                            "en": "Receiving communities.",
                            "fr": "Communautés d’accueil.",
                        },
                    },
                    {"label": "Diasporas"},
                    {
                        "label": {
                            "en": "Migration and changing families",
                            "fr": "Migration et familles",
                        },
                        "description": {"en": "Families apart.", "fr": "Familles séparées."},
                        "suggested_by": ["KEN"],
                    },
                    {"label": "Public perceptions"},
                ],
            }
        ],
    )
    return kenya


def merge_path():
    c = consultation("idm-2010-workshops")
    return c, f"/admin/consultations/idm-2010-workshops/questions/{c.questions[0].id}/merge"


def test_merge_folds_one_option_into_another(client, auth, workshops):
    sign_in_admin(auth)
    c, path = merge_path()
    survivor, absorbed = c.questions[0].options[0], c.questions[0].options[2]
    response = post(client, path, {"survivor": survivor.id, "absorbed": absorbed.id})
    assert response.status_code == 303
    options = consultation("idm-2010-workshops").questions[0].options
    assert [(o.position, o.label) for o in options] == [
        (1, "Integration and social cohesion"),
        (2, "Diasporas"),
        (3, "Public perceptions"),
    ]
    merged = options[0]
    assert merged.description == (
        "Receiving communities.\n\n*Incorporates elements of “Migration and changing families”.* "
        "Families apart."
    )
    assert merged.localized("description", "fr") == (
        "Communautés d’accueil.\n\n*Intègre des éléments de «\u00a0Migration et familles\u00a0».* "
        "Familles séparées."
    )
    assert merged.merged_from == [
        {
            "label": "Migration and changing families",
            "description": "Families apart.",
            "translations": {
                "fr": {"label": "Migration et familles", "description": "Familles séparées."}
            },
        }
    ]
    assert [m.code for m in merged.suggested_by] == ["KEN"]
    assert audit_actions()[-1] == "options_merged"


def test_merging_an_option_with_itself_is_refused(client, auth, workshops):
    sign_in_admin(auth)
    c, path = merge_path()
    before = snapshot()
    option = c.questions[0].options[0].id
    response = post(client, path, {"survivor": option, "absorbed": option})
    assert response.status_code == 400
    assert "Choose two different options." in text(response)
    assert snapshot() == before


def test_merging_below_the_choice_bounds_is_refused(client, auth, workshops):
    sign_in_admin(auth)
    c = consultation("idm-2010-workshops")
    q = c.questions[0]
    post(
        client,
        f"/admin/consultations/idm-2010-workshops/questions/{q.id}",
        {"prompt-en": "Choose", "min_choices": "4", "max_choices": "4"},
    )
    before = snapshot()
    response = post(
        client,
        f"/admin/consultations/idm-2010-workshops/questions/{q.id}/merge",
        {"survivor": q.options[0].id, "absorbed": q.options[1].id},
    )
    assert response.status_code == 400
    assert "The question has only 3 options" in text(response)
    assert snapshot() == before


def test_merging_is_only_for_drafts(client, auth, workshops):
    c = consultation("idm-2010-workshops")
    c.status = Status.OPEN
    db.session.commit()
    sign_in_admin(auth)
    before = snapshot()
    _c, path = merge_path()
    options = c.questions[0].options
    response = post(client, path, {"survivor": options[0].id, "absorbed": options[1].id})
    assert response.status_code == 303
    assert "Only a draft can be changed in this way." in text(
        client.get(response.headers["Location"])
    )
    assert snapshot() == before


def test_merged_options_round_trip_through_yaml(client, auth, workshops):
    sign_in_admin(auth)
    c, path = merge_path()
    post(
        client,
        path,
        {"survivor": c.questions[0].options[0].id, "absorbed": c.questions[0].options[2].id},
    )
    body = client.get("/admin/consultations/idm-2010-workshops/consultation.yaml").get_data(
        as_text=True
    )
    assert "merged_from:" in body
    assert "suggested_by:\n      - KEN" in body or "- KEN" in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 1
