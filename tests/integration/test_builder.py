"""The builder in the browser's place: what an administrator types, and what is refused."""

from __future__ import annotations

import pytest

from consult.consultations.lifecycle import Status
from tests.factories import MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import post_ballot, ranking_form
from tests.integration.builder_helpers import (
    audit_actions,
    consultation,
    post,
    sign_in_admin,
    snapshot,
    text,
)

NEW = "/admin/consultations/new"


@pytest.fixture
def admin(auth):
    sign_in_admin(auth)


def settings(**overrides) -> dict[str, str]:
    data = {
        "slug": "idm-2011-theme",
        "title-en": "IDM 2011: choice of the theme",
        "title-fr": "DIM 2011 : choix du thème",
        "title-es": "",
        "reference": "IC/2010/1",
        "summary-en": "Please rank the **themes**.",
        "opens_at": "2010-11-02T09:00",
        "closes_at": "2010-12-15T18:00",
        "observers_may": "comment",
    }
    data.update(overrides)
    return data


def test_create_a_draft_in_the_organisations_time_zone(client, admin):
    MemberFactory(code="CHE")
    response = post(client, NEW, settings())
    assert response.status_code == 303
    c = consultation("idm-2011-theme")
    assert c.status is Status.DRAFT
    assert c.localized("title", "fr") == "DIM 2011 : choix du thème"
    assert c.localized("title", "es") == "IDM 2011: choice of the theme"
    assert c.closes_at.isoformat() == "2010-12-15T17:00:00+00:00"  # 18:00 CET
    assert [m.code for m in c.invited] == ["CHE"]
    page = text(client.get(response.headers["Location"]))
    assert "15 December 2010, 18:00 CET (Europe/Zurich)" in page
    assert "Before it can open: Add at least one question." in page
    assert "translation missing" not in page  # the overview lists them instead
    assert "Consultation Title Spanish" in page
    assert audit_actions()[-1] == "consultation_created"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("closes_at", "2010-10-01T18:00", "Deadline: The deadline must come after the opening."),
        ("closes_at", "2010-03-28T02:30", "This time does not exist in Europe/Zurich"),
        ("closes_at", "2010-10-31T02:30", "This time happens twice in Europe/Zurich"),
        ("closes_at", "15.12.2010", "Give the date and time as YYYY-MM-DD HH:MM"),
        ("closes_at", "2010-02-30T10:00", "This date or time does not exist."),
        ("closes_at", "", "Give a date and a time."),
        ("slug", "IDM 2011", "Use lower-case letters, digits and single hyphens only"),
        ("slug", "new", "Another consultation already uses this short name."),
        ("title-en", "   ", "Title (English): This field is required."),
        ("reference", "X" * 61, "Keep it to 60 characters."),
        ("summary-fr", "Bonjour\x07", "invisible control characters"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message_and_nothing_saved(
    client, admin, field, value, message
):
    before = snapshot()
    response = post(client, NEW, settings(**{field: value}))
    assert response.status_code == 400
    page = text(response)
    assert "There is 1 problem" in page
    assert message in page
    assert snapshot() == before


def test_the_error_summary_links_to_the_field_marked_invalid(client, admin):
    response = post(client, NEW, settings(closes_at="2010-10-01T18:00"))
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html
    assert 'href="#closes_at"' in html
    assert 'id="closes_at"' in html
    assert 'aria-invalid="true"' in html
    assert 'value="2010-10-01T18:00"' in html  # what was typed is kept


def test_a_slug_already_used_is_refused(client, admin):
    build_consultation("idm-2011-theme", status="draft")
    before = snapshot()
    response = post(client, NEW, settings())
    assert response.status_code == 400
    assert "Another consultation already uses this short name." in text(response)
    assert snapshot() == before


def new_question(client, slug, kind, **fields):
    data = {"kind": kind, "prompt-en": "Rank the proposed themes", "required": "y"}
    if kind == "ranking":
        data["official_method"] = "irv"  # the select always sends its choice
    data.update(fields)
    return post(client, f"/admin/consultations/{slug}/questions/new?kind={kind}", data)


def test_add_questions_of_every_kind(client, admin):
    build_consultation("idm-2011", status="draft", questions=[])
    slug = "idm-2011"
    assert (
        new_question(
            client,
            slug,
            "ranking",
            allow_write_in="y",
            official_method="schulze",
            options="South-South Migration\nMigration and Social Change\n",
        ).status_code
        == 303
    )
    assert (
        new_question(
            client, slug, "choose", min_choices="2", max_choices="2", options="A\nB\nC\nD"
        ).status_code
        == 303
    )
    assert (
        new_question(
            client,
            slug,
            "likert",
            **{
                "scale-en": "Not useful\nUseful\nVery useful",
                "scale-fr": "Pas utile\nUtile\nTrès utile",
                "allow_no_opinion": "y",
            },
        ).status_code
        == 303
    )
    assert new_question(client, slug, "single", options="One day\nTwo days").status_code == 303
    assert new_question(client, slug, "text", max_length="500").status_code == 303
    c = consultation(slug)
    ranking, choose, likert, _single, free = c.questions
    assert [o.label for o in ranking.options] == [
        "South-South Migration",
        "Migration and Social Change",
    ]
    assert (ranking.allow_write_in, ranking.official_method.value) == (True, "schulze")
    assert (choose.min_choices, choose.max_choices, len(choose.options)) == (2, 2, 4)
    assert likert.scale[2] == {"en": "Very useful", "fr": "Très utile"}
    assert likert.allow_no_opinion
    assert free.max_length == 500
    assert [q.position for q in c.questions] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        ("ranking", {"options": ""}, "Give at least 2 options."),
        ("ranking", {"options": "\n  \n"}, "Give at least 2 options."),
        ("ranking", {"options": "Same\nsame "}, "Another option already has this label."),
        (
            "choose",
            {"options": "A\nB\nC", "max_choices": "4"},
            "The question has only 3 options; the number of choices cannot be larger.",
        ),
        (
            "choose",
            {"options": "A\nB\nC", "min_choices": "3", "max_choices": "2"},
            "The minimum cannot be larger than the maximum.",
        ),
        ("choose", {"options": "A\nB", "min_choices": "0"}, "Give a number of at least 1"),
        ("likert", {"scale-en": "Only one"}, "A scale has between 2 and 11 points"),
        (
            "likert",
            {"scale-en": "Low\nHigh", "scale-fr": "Bas"},
            "Give one translated label per line of the English scale, or none.",
        ),
        ("text", {"max_length": "5"}, "Choose a limit between 10 and 20000 characters."),
        ("text", {"prompt-en": ""}, "Question (English): This field is required."),
    ],
)
def test_bad_questions_are_refused_and_nothing_saved(client, admin, kind, fields, message):
    build_consultation("idm-2011", status="draft", questions=[])
    before = snapshot()
    response = new_question(client, "idm-2011", kind, **fields)
    assert response.status_code == 400
    assert message in text(response)
    assert snapshot() == before


def test_choice_bounds_checked_against_the_options_when_editing(client, admin):
    c = build_consultation("idm-2011", status="draft")
    choose = c.questions[1]
    before = snapshot()
    response = post(
        client,
        f"/admin/consultations/idm-2011/questions/{choose.id}",
        {"prompt-en": "Pick two workshops", "min_choices": "2", "max_choices": "5"},
    )
    assert response.status_code == 400
    assert "The question has only 4 options" in text(response)
    assert snapshot() == before


def test_removing_an_option_below_the_choice_bounds_is_refused(client, admin):
    c = build_consultation("idm-2011", status="draft")
    choose = c.questions[1]
    post(
        client,
        f"/admin/consultations/idm-2011/questions/{choose.id}",
        {"prompt-en": "Pick", "min_choices": "2", "max_choices": "4"},
    )
    before = snapshot()
    response = post(
        client,
        f"/admin/consultations/idm-2011/options/{choose.options[0].id}/remove",
        {"confirm": "yes"},
    )
    assert response.status_code == 303
    page = text(client.get(response.headers["Location"]))
    assert "The question has only 3 options" in page
    assert snapshot() == before


def test_options_are_added_edited_translated_and_removed(client, admin):
    c = build_consultation("idm-2011", status="draft")
    ranking = c.questions[0]
    base = "/admin/consultations/idm-2011"
    response = post(
        client,
        f"{base}/questions/{ranking.id}/options/new",
        {
            "label-en": "Migration and Climate",
            "label-es": "Migración y clima",
            "description-en": "*New*",
        },
    )
    assert response.status_code == 303
    added = consultation("idm-2011").questions[0].options[-1]
    assert (added.position, added.localized("label", "es")) == (4, "Migración y clima")
    response = post(
        client, f"{base}/options/{added.id}", {"label-en": "Migration and Climate Change"}
    )
    assert response.status_code == 303
    assert consultation("idm-2011").questions[0].options[-1].translations == {}
    first = ranking.options[0].id
    assert post(client, f"{base}/options/{first}/remove", {"confirm": "yes"}).status_code == 303
    options = consultation("idm-2011").questions[0].options
    assert [(o.position, o.label) for o in options] == [
        (1, "Migration and Social Change"),
        (2, "Migration and Health"),
        (3, "Migration and Climate Change"),
    ]
    assert audit_actions()[-3:] == ["option_added", "option_updated", "option_removed"]


@pytest.mark.parametrize(
    "label", ["", "   ", "Migration and Social Change", "migration  and social change"]
)
def test_empty_or_duplicate_option_labels_are_refused(client, admin, label):
    c = build_consultation("idm-2011", status="draft")
    before = snapshot()
    response = post(
        client,
        f"/admin/consultations/idm-2011/questions/{c.questions[0].id}/options/new",
        {"label-en": label},
    )
    assert response.status_code == 400
    assert (
        "This field is required." in text(response)
        if not label.strip()
        else "Another option already has this label." in text(response)
    )
    assert snapshot() == before


def test_reorder_options_and_questions(client, admin):
    c = build_consultation("idm-2011", status="draft")
    q = c.questions[0]
    a, b, h = (o.id for o in q.options)
    base = "/admin/consultations/idm-2011"
    response = post(
        client,
        f"{base}/questions/{q.id}/options/order",
        {f"position-{a}": "3", f"position-{b}": "1", f"position-{h}": "2"},
    )
    assert response.status_code == 303
    assert [o.id for o in consultation("idm-2011").questions[0].options] == [b, h, a]
    ids = [x.id for x in c.questions]
    response = post(
        client,
        f"{base}/questions/order",
        {
            f"position-{ids[0]}": "4",
            f"position-{ids[1]}": "3",
            f"position-{ids[2]}": "2",
            f"position-{ids[3]}": "1",
        },
    )
    assert response.status_code == 303
    assert [x.id for x in consultation("idm-2011").questions] == ids[::-1]
    assert [x.position for x in consultation("idm-2011").questions] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("positions", "message"),
    [
        (("1", "1", "2"), "Position 1 is given twice."),
        (("1", "2", "4"), "Give a position between 1 and 3."),
        (("1", "two", "3"), "Give the position as a whole number."),
        (("1", "-2", "3"), "Give the position as a whole number."),
    ],
)
def test_bad_positions_are_refused_and_nothing_saved(client, admin, positions, message):
    c = build_consultation("idm-2011", status="draft")
    q = c.questions[0]
    before = snapshot()
    data = {f"position-{o.id}": p for o, p in zip(q.options, positions, strict=True)}
    response = post(client, f"/admin/consultations/idm-2011/questions/{q.id}/options/order", data)
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert "The order was not saved" in page
    assert snapshot() == before


def test_an_order_missing_an_option_is_refused(client, admin):
    c = build_consultation("idm-2011", status="draft")
    q = c.questions[0]
    before = snapshot()
    data = {f"position-{q.options[0].id}": "1", f"position-{q.options[1].id}": "2"}
    response = post(client, f"/admin/consultations/idm-2011/questions/{q.id}/options/order", data)
    assert response.status_code == 400
    assert "Give a position to every item" in text(response)
    assert snapshot() == before


def test_questions_and_options_lock_once_a_response_exists(client, auth, app):
    member = MemberFactory()
    UserFactory(email="d@example.org", member=member)
    c = build_consultation("idm-2011")
    auth.login("d@example.org")
    assert (
        post_ballot(client, "idm-2011", ranking_form(c, {1: "1"}), action="draft").status_code
        == 303
    )
    auth.logout()
    sign_in_admin(auth)
    q = c.questions[0]
    before = snapshot()
    base = "/admin/consultations/idm-2011"
    attempts = [
        (f"{base}/questions/{q.id}", {"prompt-en": "Changed"}),
        (f"{base}/questions/{q.id}/options/new", {"label-en": "Another"}),
        (f"{base}/options/{q.options[0].id}", {"label-en": "Changed"}),
        (f"{base}/options/{q.options[0].id}/remove", {"confirm": "yes"}),
        (f"{base}/questions/{q.id}/remove", {"confirm": "yes"}),
        (f"{base}/questions/new?kind=text", {"prompt-en": "More"}),
    ]
    for path, data in attempts:
        response = post(client, path, data)
        assert response.status_code == 303, path
        page = text(client.get(response.headers["Location"]))
        assert "Questions and options are locked: members have already responded." in page, path
    assert snapshot() == before


def test_official_method_is_locked_at_opening(client, admin):
    c = build_consultation("idm-2011")  # open, no response yet: the question may still change
    q = c.questions[0]
    page = client.get(f"/admin/consultations/idm-2011/questions/{q.id}").get_data(as_text=True)
    assert 'name="official_method"' not in page
    assert "fixed at opening" in page
    response = post(
        client,
        f"/admin/consultations/idm-2011/questions/{q.id}",
        {"prompt-en": "Rank the themes, please", "official_method": "borda", "required": "y"},
    )
    assert response.status_code == 303
    saved = consultation("idm-2011").questions[0]
    assert (saved.prompt, saved.official_method.value) == ("Rank the themes, please", "irv")


def test_dates_and_observers_rule_fixed_once_opened(client, admin):
    build_consultation("idm-2011", observers_may="comment")
    before = consultation("idm-2011")
    response = post(
        client,
        "/admin/consultations/idm-2011/settings",
        settings(slug="other", closes_at="2030-01-01T10:00", observers_may="vote"),
    )
    assert response.status_code == 303
    after = consultation("idm-2011")
    assert (after.closes_at, after.observers_may.value) == (before.closes_at, "comment")
    assert after.title == "IDM 2011: choice of the theme"


def test_missing_translations_are_listed(client, admin):
    build_consultation("idm-2011", status="draft")
    page = text(client.get("/admin/consultations/idm-2011"))
    assert "Question 1, option 3 Label French, Spanish" in page
    assert "Question 4 Question French, Spanish" in page
    edit = client.get(
        f"/admin/consultations/idm-2011/questions/{consultation('idm-2011').questions[0].id}"
    ).get_data(as_text=True)
    assert "translation missing" in edit


def test_preview_shows_the_ballot_as_a_delegate_sees_it_in_their_language(client, admin):
    build_consultation("idm-2011", status="draft")
    page = client.get("/consultations/idm-2011/preview", headers={"Accept-Language": "es"})
    assert page.status_code == 200
    body = text(page)
    assert "Tema del DIM 2010" in body
    assert "Clasificación de Migración Sur-Sur" in body or "Migración Sur-Sur" in body
    assert "Preview" not in body  # in Spanish, like the rest of the page
    html = page.get_data(as_text=True)
    ballot = html.split('<form method="get"')[1].split("</form>")[0]
    assert 'name="csrf_token"' not in ballot
    assert "Submit the response" not in text(client.get("/consultations/idm-2011/preview"))
    observer = text(client.get("/consultations/idm-2011/preview?as=observer"))
    assert "ranking and choosing are for member states" in observer


def test_invite_a_chosen_set(client, admin):
    che = MemberFactory(code="CHE")
    MemberFactory(code="FRA")
    build_consultation("idm-2011", status="draft")
    response = post(
        client,
        "/admin/consultations/idm-2011/invitations",
        {"mode": "chosen", "members": [str(che.id)]},
    )
    assert response.status_code == 303
    c = consultation("idm-2011")
    assert ([m.code for m in c.invited], c.invite_all) == (["CHE"], False)
    assert audit_actions()[-1] == "invitations_changed"


def _queries(client, path: str) -> int:
    import sqlalchemy as sa

    from consult.extensions import db

    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


@pytest.mark.parametrize(
    "page",
    [
        "/admin/consultations/{}",
        "/admin/consultations/{}/invitations",
        "/consultations/{}/preview",
        "/admin/consultations/{}/settings",
    ],
)
def test_pages_do_not_issue_more_queries_with_more_members(client, auth, page):
    from tests.integration.builder_helpers import submit

    sign_in_admin(auth)
    counts = []
    for n in (3, 30):
        users = [UserFactory(member=MemberFactory()) for _ in range(n)]
        build_consultation(f"c{n}")
        for user in users:
            submit(f"c{n}", user, {1: 1})
        counts.append(_queries(client, page.format(f"c{n}")))
    assert counts[0] == counts[1]
