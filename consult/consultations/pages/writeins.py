"""The write-in page: the Administration joins automatic groups of suggestions (across
languages), names them, splits a member's suggestion out, and undoes either (no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.auth.decorators import admin_required
from consult.consultations import builder, writeins
from consult.consultations.messages import describe
from consult.consultations.pages.base import bp, consultation_or_404
from consult.core.params import parse_id
from consult.core.plaintext import normalise
from consult.extensions import db
from consult.members.models import Member


@dataclass(frozen=True)
class Refusal:
    """What went wrong with a change to one question's groups, for the page."""

    question_id: int
    errors: list[tuple[str, str]]
    ticked: set[str]
    name: str


def _member_key(raw: str) -> tuple[int, str] | None:
    """``"<member id>:<automatic key>"`` from a button's value."""
    member, _sep, key = raw.partition(":")
    member_id = parse_id(member)
    return (member_id, key) if member_id is not None and key else None


@bp.route("/<slug:slug>/write-ins", methods=["GET", "POST"])
@admin_required
def write_ins(slug: str):
    """Show the write-in groups of each ranking question; join, split or undo by hand."""
    consultation = consultation_or_404(slug)
    refusal: Refusal | None = None
    if request.method == "POST":
        question_id = parse_id(request.form.get("question"))
        if question_id is None:
            abort(400)
        form = request.form
        ticked = form.getlist("group")
        name = form.get("name", "")
        try:
            if "unjoin" in form:
                join_id = parse_id(form["unjoin"])
                if join_id is None:
                    abort(400)
                writeins.unjoin(consultation.id, question_id, join_id, actor_id=current_user.id)
                done = _("The joined group has been split into its original groups.")
            elif "split" in form or "restore" in form:
                found = _member_key(form.get("split") or form.get("restore") or "")
                if found is None:
                    abort(400)
                change = writeins.split if "split" in form else writeins.restore
                change(consultation.id, question_id, *found, actor_id=current_user.id)
                done = (
                    _("The suggestion now stands alone.")
                    if "split" in form
                    else _("The suggestion is back in its group.")
                )
            else:
                writeins.join(consultation.id, question_id, ticked, name, actor_id=current_user.id)
                done = _("The groups have been joined.")
        except builder.NotFound:
            abort(404)
        except builder.Invalid as error:
            ids = {"groups": f"groups-{question_id}", "name": f"name-{question_id}"}
            refusal = Refusal(
                question_id,
                [(ids.get(p.field, ""), describe(p)) for p in error.problems],
                set(ticked),
                name,
            )
        else:
            flash(done, "success")
            return redirect(
                url_for("consultations.write_ins", slug=slug, _anchor=f"q{question_id}"), code=303
            )
    questions = writeins.grouped(db.session, consultation)
    member_ids = {m for qg in questions for g in qg.groups for m in g.member_ids}
    members = {
        m.id: m for m in db.session.scalars(sa.select(Member).where(Member.id.in_(member_ids)))
    }
    return (
        render_template(
            "consultations/writeins.html",
            consultation=consultation,
            questions=[qg for qg in questions if qg.groups or qg.question.allow_write_in],
            members=members,
            refusal=refusal,
            normalise=normalise,
        ),
        400 if refusal else 200,
    )
