"""Every write to a consultation's questions or options raises its structure version, so the
structure the ballot pages keep per process (``consultations/structure.py``) is never one a
write has changed: the builder (questions, options, order, merges, removals), the YAML
import's Core batches, a follow-up round and any statement at all (database triggers)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from consult.consultations import builder, structure
from consult.consultations.importing import import_documents, read_text
from consult.consultations.models import Consultation, Option, Question
from consult.core.text import Text
from consult.extensions import db
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation


def version(slug: str = "idm-2011") -> int:
    db.session.rollback()
    return db.session.scalar(
        sa.select(Consultation.structure_version).where(Consultation.slug == slug)
    )


def ids(slug: str = "idm-2011") -> tuple[int, list[int], list[list[int]]]:
    db.session.rollback()
    c = db.session.scalars(sa.select(Consultation).where(Consultation.slug == slug)).one()
    return c.id, [q.id for q in c.questions], [[o.id for o in q.options] for q in c.questions]


def _add_question(cid: int, qs: list[int], os: list[list[int]], actor: int) -> None:
    fields = builder.QuestionFields("choose", Text("Which?"), settings={"max_choices": 1})
    builder.add_question(cid, fields, ["Yes", "No"], actor_id=actor)


def _update_question(cid: int, qs: list[int], os: list[list[int]], actor: int) -> None:
    fields = builder.QuestionFields("text", Text("Anything else, please?"))
    builder.update_question(cid, qs[-1], fields, actor_id=actor)


def _add_option(cid: int, qs: list[int], os: list[list[int]], actor: int) -> None:
    builder.add_option(
        cid, qs[0], builder.OptionFields(Text("Migration and Cities")), actor_id=actor
    )


def _update_option(cid: int, qs: list[int], os: list[list[int]], actor: int) -> None:
    fields = builder.OptionFields(Text("Migration and Growth", fr="Migration et croissance"))
    builder.update_option(cid, os[0][0], fields, actor_id=actor)


def _reorder_options(cid: int, qs: list[int], os: list[list[int]], actor: int) -> None:
    a, b, c = os[0]
    builder.reorder_options(cid, qs[0], {a: "3", b: "1", c: "2"}, actor_id=actor)


def _reorder_questions(cid: int, qs: list[int], os: list[list[int]], actor: int) -> None:
    builder.reorder_questions(cid, {q: str(len(qs) - i) for i, q in enumerate(qs)}, actor_id=actor)


def _remove_option(cid: int, qs: list[int], os: list[list[int]], actor: int) -> None:
    builder.remove_option(cid, os[0][0], actor_id=actor)


def _remove_question(cid: int, qs: list[int], os: list[list[int]], actor: int) -> None:
    builder.remove_question(cid, qs[0], actor_id=actor)  # its options go with it (cascade)


def _merge_options(cid: int, qs: list[int], os: list[list[int]], actor: int) -> None:
    builder.merge_options(cid, qs[0], os[0][0], os[0][1], actor_id=actor)


@pytest.mark.parametrize(
    "write",
    [
        _add_question,
        _update_question,
        _add_option,
        _update_option,
        _reorder_options,
        _reorder_questions,
        _remove_option,
        _remove_question,
        _merge_options,
    ],
)
def test_every_builder_write_raises_the_version(app, write: Callable[..., None]):
    build_consultation("idm-2011", status="draft")
    actor = AdminFactory().id
    before = version()
    write(*ids(), actor)
    assert version() > before


def test_a_refused_write_leaves_the_version(app):
    build_consultation("idm-2011", status="draft")
    actor = AdminFactory().id
    cid, _qs, os = ids()
    before = version()
    with pytest.raises(builder.Invalid):
        builder.update_option(cid, os[0][0], builder.OptionFields(Text("")), actor_id=actor)
    assert version() == before


def test_any_statement_on_questions_or_options_raises_it_and_only_its_consultations(app):
    build_consultation("idm-2011", status="draft")
    build_consultation("idm-2012", status="draft")
    _cid, qs, os = ids()
    other = version("idm-2012")
    for statement in (
        sa.update(Option).where(Option.id == os[0][0]).values(label="Renamed"),
        sa.update(Question).where(Question.id == qs[0]).values(help="Read *this*."),
        sa.delete(Option).where(Option.id == os[0][1]),
        sa.insert(Option).values(question_id=qs[0], position=9, label="New", description=""),
    ):
        before = version()
        db.session.execute(statement)
        db.session.commit()
        assert version() > before, statement
    assert version("idm-2012") == other


def test_the_yaml_imports_core_batches_raise_it(app):
    MemberFactory(code="CHE")
    document = """
consultations:
- slug: idm-2013
  title: Consultation
  status: draft
  opens_at: 2030-01-01T09:00:00+01:00
  closes_at: 2030-02-01T18:00:00+01:00
  invite: all
  questions:
  - kind: ranking
    prompt: Rank
    options: [{label: %s}, {label: Other}]
"""
    import_documents(read_text(document % "First"))
    before = version("idm-2013")
    import_documents(read_text(document % "Changed"), replace=True)
    assert version("idm-2013") != before
    cid = ids("idm-2013")[0]
    assert [o.label for o in structure.current(cid, version("idm-2013")).questions[0].options] == [
        "Changed",
        "Other",
    ]


def test_kept_structures_are_per_version_and_start_at_random(app):
    """Ids are reused (SQLite, or PostgreSQL's sequences set back by the tests): versions start
    at random, so what was kept of a deleted consultation is not taken for a new one's."""
    build_consultation("idm-2011", status="draft")
    cid, _qs, os = ids()
    kept = structure.current(cid, version())
    db.session.execute(sa.update(Option).where(Option.id == os[0][0]).values(label="Renamed"))
    db.session.commit()
    fresh = structure.current(cid, version())
    assert fresh.version == version() != kept.version
    assert (fresh.questions[0].options[0].label, kept.questions[0].options[0].label) == (
        "Renamed",
        "South-South Migration",
    )
    assert structure.current(cid, version()) is fresh
    for i in range(4):
        build_consultation(f"idm-201{i + 2}", status="draft")
    starts = {version(f"idm-201{i}") for i in range(1, 6)}
    assert len(starts) == 5


def test_the_ballot_page_shows_an_option_changed_after_it_was_kept(client, auth):
    """An open consultation without responses can still change: the page read before the
    change kept its structure, the page after shows the change."""
    delegate = UserFactory()
    build_consultation("idm-2011")
    actor = AdminFactory().id
    auth.login(delegate.email)
    assert "Migration and Growth" not in client.get("/consultations/idm-2011").get_data(
        as_text=True
    )
    _update_option(*ids(), actor)
    page = client.get("/consultations/idm-2011").get_data(as_text=True)
    assert "Migration and Growth" in page
