"""The delegate's pages: answer, receipt and revisions."""

from __future__ import annotations

import re
import secrets
from types import SimpleNamespace

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from consult.auth import permissions
from consult.auth.decorators import admin_required, delegate_required
from consult.ballots import display, entries, queries, receipts, services
from consult.ballots.messages import describe
from consult.ballots.models import Revision
from consult.ballots.rules import FieldError
from consult.ballots.specs import may_answer, member_may_vote, question_spec, structure_spec
from consult.consultations import kinds, structure
from consult.consultations.lifecycle import Phase, Status
from consult.consultations.models import Consultation, ObserversMay
from consult.consultations.row import ConsultationRow, as_model
from consult.consultations.structure import Structure
from consult.core import audit
from consult.core.database import begins_writing, reads_alone
from consult.core.errors import CSRF_RECOVERY
from consult.core.paging import page_number
from consult.core.params import parse_id
from consult.core.requests import checks_own_text
from consult.core.templating import locale_code, localized
from consult.extensions import db
from consult.members.models import MemberKind

bp = Blueprint("ballots", __name__, url_prefix="/consultations")

#: The form's token against double submission, as the page writes it (``token_urlsafe``).
_TOKEN = re.compile(r"[A-Za-z0-9_-]{0,64}")


def _consultation_or_404(slug: str) -> ConsultationRow:
    """The consultation, if the delegate's member is invited and it is not a draft (its row:
    the questions and options come from :mod:`consult.consultations.structure`)."""
    return _page_or_404(slug).consultation


def _page_or_404(
    slug: str, *, content: bool = False, revisions_page: int | None = None
) -> queries.DelegatePage:
    """The consultation with the member's response, as :func:`_consultation_or_404`."""
    found = queries.delegate_page(
        slug, current_user.member_id, content=content, revisions_page=revisions_page
    )
    if found is None:
        abort(404)
    return found


def _field_labels(kept: Structure) -> dict[str, str]:
    """A readable name for every field, for the error summary."""
    labels = {"comment": _("General comment")}
    options = {o.id: localized(o, "label") for o in kept.options().values()}
    for number, q in enumerate(kept.questions, start=1):
        prompt = _("Question %(number)d", number=number)
        subjects = kinds.get(q.kind).subjects(
            question_spec(q, may_vote=True, questions=kept.questions)
        )
        for name, option_id in subjects.items():
            labels[name] = (
                prompt
                if option_id is None
                else _(
                    "Question %(number)d, %(option)s",
                    number=number,
                    option=options.get(option_id, ""),
                )
            )
        labels[f"q{q.id}"] = labels[f"q{q.id}-choice"] = labels[f"q{q.id}-value"] = prompt
        labels[f"q{q.id}-text"] = prompt
        labels[f"q{q.id}-writein"] = _("Other suggestion (question %(number)d)", number=number)
        for o in q.options:
            label = localized(o, "label")
            labels[f"q{q.id}-rank-{o.id}"] = _("Rank for %(option)s", option=label)
            labels[f"q{q.id}-comment-{o.id}"] = _("Comment on %(option)s", option=label)
    return labels


def _render(
    consultation: Consultation | ConsultationRow,
    values: dict[str, list[str]],
    *,
    errors: list[FieldError] | None = None,
    notice: str | None = None,
    version: int | None = None,
    status: int = 200,
    response: queries.ResponseRow | bool | None = False,
    member=None,
    more_errors: list[tuple[str, str]] | None = None,
    **extra,
):
    """The ballot page; ``response``: the member's response when the caller has read it;
    ``member``, ``more_errors`` and ``extra`` for the secretariat's entry on behalf of a member
    (``consult/entries/views.py``), which uses the same form."""
    member = member or current_user.member
    if isinstance(response, bool):  # not read by the caller
        response = queries.current_response(consultation.id, member.id)
    kept = structure.of(consultation)
    labels = _field_labels(kept) if errors else {}
    # An error about a whole question (``about``) names the question, on its first field.
    messages = [
        (e.field, describe(e, labels.get(e.params.get("about", e.field), e.field)))
        for e in errors or []
    ]
    messages += more_errors or []
    phase = consultation.phase()
    locale = locale_code()
    context = {
        "consultation": consultation,
        "outcome_of": _outcome_of(consultation),
        "structure": kept,
        "texts": display.ballot_texts(kept, locale),
        "ranking_attributes": display.ranking_attributes(locale),
        "response": response,
        "values": values,
        "errors": messages,
        "error_fields": {field for field, _message in messages},
        "notice": notice,
        "version": version if version is not None else (response.version if response else 0),
        "token": secrets.token_urlsafe(16),
        "editable": phase is Phase.OPEN and may_answer(consultation, member),
        "phase": phase,
        "is_observer": member.kind.is_observer,
        "observers_vote": consultation.observers_may is ObserversMay.VOTE,
        "spec": structure_spec(kept, may_vote=member_may_vote(consultation, member)),
    }
    context.update(extra)
    return render_template("ballots/answer.html", **context), status


render_ballot = _render


def _outcome_of(consultation: Consultation | ConsultationRow) -> Consultation | None:
    """What the published outcome is shown from: the model (its selected options and
    corrections are read when shown), made from the row without a statement."""
    if consultation.status is not Status.PUBLISHED:
        return None
    if isinstance(consultation, ConsultationRow):
        return as_model(consultation)
    return consultation


@bp.get("/<slug:slug>")
@reads_alone  # one statement (the structure, if read, is kept under the version it has)
@delegate_required
def answer(slug: str):
    """Show the consultation with the member's current answers."""
    page = _page_or_404(slug, content=True)
    response = page.response
    return _render(
        page.consultation,
        response.form_values(page.content) if response is not None else {},
        response=response,
        marks=_marks(response),
        has_documents=page.has_documents,
    )


def _marks(response: queries.ResponseRow | None) -> dict:
    """The marks of entered revisions, read only when the secretariat made the submission
    that counts (its submitter is loaded for the page anyway)."""
    if response is None or response.submitted_by is None:
        return {}
    if not permissions.is_admin(response.submitted_by.role):
        return {}
    return entries.marks_of_response(response.id)


@bp.post("/<slug:slug>")
@begins_writing  # the user is read once, and the saving transaction continues the request's
@checks_own_text  # ballots.rules refuses control characters with a message on the field
@delegate_required
def save(slug: str):
    """Save a draft or submit the member's response (the consultation is read inside the
    saving transaction, and again only when the page is shown with a message)."""
    form = request.form.to_dict(flat=False)
    submit = request.form.get("action", "submit") != "draft"
    base_version, token = version_and_token()
    try:
        outcome = services.save_ballot(
            slug,
            current_user._get_current_object(),
            form,
            submit=submit,
            base_version=base_version,
            token=token,
        )
    except services.Missing:
        abort(404)
    except services.Closed:
        return _render(
            _consultation_or_404(slug),
            form,
            notice=_("The deadline has passed: the response can no longer be changed."),
            status=403,
        )
    except services.NotInvited:
        abort(403)
    except services.Changed:
        return _render(
            _consultation_or_404(slug),
            form,
            notice=_(
                "The Administration changed this consultation while you were answering. "
                "Nothing was saved: check your answers and send them again."
            ),
            status=409,
        )
    except services.Stale as stale:
        consultation = _consultation_or_404(slug)
        response = queries.current_response(consultation.id, current_user.member_id)
        return _render(
            consultation,
            form,
            notice=_(
                "This response was changed by %(name)s at %(time)s — review and submit again.",
                name=stale.by,
                time=_moment(stale.at),
            ),
            version=response.version if response else 0,
            status=409,
        )
    if isinstance(outcome, list):
        return _render(
            _consultation_or_404(slug), form, errors=outcome, version=base_version, status=400
        )
    if outcome.discarded:  # a draft drops them too
        numbers = [
            str(n)
            for n, q in enumerate(structure.of(_consultation_or_404(slug)).questions, start=1)
            if q.id in outcome.discarded
        ]
        flash(
            _(
                "Your answers to question %(numbers)s were not kept: that question applies only "
                "to some answers of an earlier question.",
                numbers=", ".join(numbers),
            ),
            "warning",
        )
    if outcome.submitted:
        return redirect(url_for("ballots.receipt", slug=slug), code=303)
    flash(_("Your draft has been saved. It does not count until you submit it."), "success")
    return redirect(url_for("ballots.answer", slug=slug), code=303)


def version_and_token() -> tuple[int, str]:
    """The version of the response the form was opened on and its token against double
    submission (400 when either is not what the page wrote)."""
    version_text = request.form.get("version", "")
    if not version_text.isascii() or not version_text.isdigit() or len(version_text) > 9:
        abort(400)
    token = request.form.get("token", "")
    if not _TOKEN.fullmatch(token):
        abort(400)
    return int(version_text), token


def _moment(value) -> str:
    from consult.core.templating import moment

    return moment(value)


def _save_csrf(error: CSRFError):
    """An expired form: keep what the delegate typed and ask them to send it again."""
    slug = (request.view_args or {}).get("slug", "")
    if not current_user.is_authenticated or current_user.member_id is None:
        abort(400)
    consultation = _consultation_or_404(slug)
    version = request.form.get("version", "0")
    return _render(
        consultation,
        request.form.to_dict(flat=False),
        notice=_("The form had expired, so nothing was saved. Check your answers and send again."),
        version=parse_id(version) or 0,
        status=400,
    )


CSRF_RECOVERY["ballots.save"] = _save_csrf


@bp.get("/<slug:slug>/receipt")
@reads_alone  # revisions are appended, never changed: those up to the response's count
@delegate_required
def receipt(slug: str):
    """Show the receipt of the response that counts, its revisions fifty to a page (read with
    it), and check a receipt code."""
    page = _page_or_404(slug, revisions_page=page_number(request.args.get("page")))
    consultation, response, listed = page.consultation, page.response, page.revisions
    assert listed is not None  # noqa: S101 - asked for
    marks = listed.marks
    checked: queries.RevisionRow | bool | None = None
    in_record = None
    code = request.args.get("code", "")[:40]
    if code:
        found, found_marks = queries.revision_by_receipt(response, receipts.normalise_code(code))
        marks = {**marks, **found_marks}
        checked = found or False
        if found is not None and found.audit_head is not None:
            in_record = audit.holds(db.session, found.audit_head)
    return render_template(
        "ballots/receipt.html",
        consultation=consultation,
        response=response,
        revisions=listed.page.items,
        page=listed.page,
        latest=listed.latest,
        code=code,
        checked=checked,
        in_record=in_record,
        marks=marks,
    )


@bp.get("/<slug:slug>/revisions/<id:number>")
@delegate_required
def revision(slug: str, number: int):
    """Show one submitted revision of the member's response."""
    consultation = _consultation_or_404(slug)
    response = queries.current_response(consultation.id, current_user.member_id)
    found = _revisions(response.id if response else None, number=number)
    if response is None or not found:
        abort(404)
    return render_template(
        "ballots/revision.html",
        consultation=consultation,
        structure=structure.of(consultation),
        response=response,
        revision=found[0],
        content=found[0].content,
        mark=entries.marks_of_response(response.id).get(number),
    )


def _revisions(response_id: int | None, *, number: int | None = None) -> list[Revision]:
    """The response's revisions, newest first (only revision ``number`` when given)."""
    if response_id is None:
        return []
    query = sa.select(Revision).where(Revision.response_id == response_id)
    if number is not None:
        query = query.where(Revision.number == number)
    return list(
        db.session.scalars(
            query.options(sa.orm.joinedload(Revision.created_by)).order_by(Revision.number.desc())
        )
    )


@bp.get("/<slug:slug>/preview")
@admin_required
def preview(slug: str):
    """The ballot as a delegate (or, with ``?as=observer``, an observer) sees it, for the
    Administration (a draft too)."""
    consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        abort(404)
    as_observer = request.args.get("as") == "observer"
    member = SimpleNamespace(
        kind=MemberKind.OBSERVER_ORG if as_observer else MemberKind.MEMBER_STATE
    )
    kept = structure.of(consultation)
    locale = locale_code()
    return render_template(
        "ballots/answer.html",
        consultation=consultation,
        outcome_of=_outcome_of(consultation),
        structure=kept,
        texts=display.ballot_texts(kept, locale),
        ranking_attributes=display.ranking_attributes(locale),
        response=None,
        values={},
        errors=[],
        error_fields=set(),
        notice=None,
        version=0,
        token=secrets.token_urlsafe(8),
        editable=not (as_observer and consultation.observers_may is ObserversMay.NOTHING),
        phase=Phase.OPEN,
        is_observer=as_observer,
        observers_vote=consultation.observers_may is ObserversMay.VOTE,
        spec=structure_spec(
            kept,
            may_vote=member_may_vote(consultation, member),  # type: ignore[arg-type]
        ),
        preview=True,
    )
