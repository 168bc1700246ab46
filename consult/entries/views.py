"""The secretariat enters a response on behalf of a member state: the member's own ballot form
(``ballots/answer.html``, the same rules and save), plus where the answer came from."""

from __future__ import annotations

import logging
from typing import NoReturn

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from consult.auth import permissions
from consult.auth.decorators import admin_required
from consult.auth.delegates import delegates_of
from consult.ballots import entries, onbehalf, services
from consult.ballots.messages import channel_name, entry_problem, long_date, mark_text
from consult.ballots.models import Entry, Response
from consult.ballots.rules import ballot_from_canonical, ballot_to_form, parse_ballot
from consult.ballots.specs import ballot_spec, may_answer
from consult.ballots.views import _revisions as revisions_of
from consult.ballots.views import render_ballot, version_and_token
from consult.consultations.lifecycle import Status
from consult.consultations.models import Consultation
from consult.core import clock
from consult.core.errors import error_page
from consult.core.params import parse_id
from consult.core.requests import checks_own_text
from consult.core.templating import member_name, moment
from consult.documents import content, storage
from consult.documents.messages import file_issue, file_size, storage_failure
from consult.documents.views import ENVELOPE, stored_file
from consult.extensions import db
from consult.members.models import Member

log = logging.getLogger("consult.ballots")

bp = Blueprint("entries", __name__)

SCAN_FIELD = "entry-scan"


@bp.url_value_preprocessor
def _allow_scans(endpoint: str | None, _values: object) -> None:
    """The entry form may carry a scanned document: raise the body limit before the CSRF
    check reads the form (as the documents page does)."""
    if endpoint == "entries.save":
        request.max_content_length = storage.max_bytes() + ENVELOPE


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge):
    return error_page(413, file_issue(content.Issue.TOO_LARGE, storage.max_bytes()))


def _consultation_or_404(slug: str) -> Consultation:
    consultation = services.load_consultation(slug)
    if consultation is None:
        abort(404)
    return consultation


def _member_or_refusal(consultation: Consultation, member_id: int) -> Member:
    """The member, if it is invited and may answer; otherwise a clear refusal page."""
    member = db.session.get(Member, member_id)
    if member is None:
        abort(404)
    if not services.is_invited(consultation, member.id):
        _refuse(
            _(
                "%(member)s is not invited to this consultation, so no response can be "
                "entered for it.",
                member=member_name(member),
            )
        )
    if not may_answer(consultation, member):
        _refuse(
            _(
                "%(member)s is an observer and this consultation lets observers answer "
                "nothing, so no response can be entered for it.",
                member=member_name(member),
            )
        )
    return member


def _refuse(message: str) -> NoReturn:
    abort(make_response(*error_page(403, message)))


def _entry_state(consultation: Consultation) -> tuple[bool, bool]:
    """(an entry is possible now, it would be a late entry)."""
    return onbehalf.window(consultation.status, consultation.phase())


def _page(
    consultation: Consultation,
    member: Member,
    values: dict[str, list[str]],
    *,
    problems: list[onbehalf.Problem] | None = None,
    scan_error: str | None = None,
    ballot_errors=None,
    notice: str | None = None,
    version: int | None = None,
    status: int = 200,
):
    possible, late = _entry_state(consultation)
    response = services.current_response(consultation.id, member.id)
    zone = entries.zone()
    return render_ballot(
        consultation,
        values,
        errors=ballot_errors,
        notice=notice,
        version=version,
        status=status,
        member=member,
        more_errors=[(p.field, entry_problem(p)) for p in problems or []]
        + ([(SCAN_FIELD, scan_error)] if scan_error else []),
        entry_member=member,
        editable=possible and may_answer(consultation, member),
        late_entry=late,
        last_day=entries.last_day(consultation.closes_at),
        today=onbehalf.today(clock.now(), zone),
        marks=entries.marks_of_response(response.id if response else None),
        revisions_list=_revisions(response),
        channels=[(c.value, channel_name(c)) for c in onbehalf.Channel],
        scan_limit=file_size(storage.max_bytes()),
    )


def _revisions(response: Response | None):
    return revisions_of(response.id if response is not None else None)


@bp.get("/admin/consultations/<slug:slug>/entries")
@admin_required
def choose(slug: str):
    """The results page's "enter a response for …" form: to the chosen member's entry page
    (the member chosen from the list, or given by its code)."""
    consultation = _consultation_or_404(slug)
    member_id = parse_id(request.args.get("member", ""))
    code = request.args.get("code", "").strip().upper()
    if member_id is None and code:  # a registry too long to list: the member's code
        member_id = db.session.scalar(sa.select(Member.id).where(Member.code == code[:10]))
        if member_id is None:
            flash(_("No member has the code %(code)s.", code=code[:10]), "error")
            return redirect(url_for("results.show", slug=consultation.slug), code=303)
    if member_id is None:
        flash(_("Choose the member whose response you are entering."), "error")
        return redirect(url_for("results.show", slug=consultation.slug), code=303)
    return redirect(url_for("entries.entry", slug=slug, member_id=member_id), code=303)


@bp.get("/admin/consultations/<slug:slug>/entries/<id:member_id>")
@admin_required
def entry(slug: str, member_id: int):
    """The member's ballot as its delegates see it, to fill in from a note verbale, a letter,
    an e-mail or an answer handed over in person."""
    consultation = _consultation_or_404(slug)
    member = _member_or_refusal(consultation, member_id)
    response = services.current_response(consultation.id, member.id)
    revision = services.latest_revision(response) if response and response.revision else None
    values = ballot_to_form(ballot_from_canonical(revision.content)) if revision else {}
    return _page(consultation, member, values)


@bp.post("/admin/consultations/<slug:slug>/entries/<id:member_id>")
@checks_own_text  # ballots.rules and onbehalf refuse control characters with a message
@admin_required
def save(slug: str, member_id: int):
    """Record the member's response as received, with its provenance and optional scan."""
    consultation = _consultation_or_404(slug)
    member = _member_or_refusal(consultation, member_id)
    form = request.form.to_dict(flat=False)
    base_version, token = version_and_token()
    possible, late = _entry_state(consultation)
    if not possible:
        return _page(consultation, member, form, notice=_not_possible(consultation), status=409)
    zone = entries.zone()
    provenance, problems = onbehalf.parse(
        {name: request.form.get(name, "") for name in onbehalf.FIELDS},
        today=onbehalf.today(clock.now(), zone),
        late=late,
        last_day=entries.last_day(consultation.closes_at),
    )
    _ballot, ballot_errors = parse_ballot(ballot_spec(consultation, member), form, final=True)
    if problems or ballot_errors or provenance is None:
        return _page(
            consultation,
            member,
            form,
            problems=problems,
            ballot_errors=ballot_errors,
            version=base_version,
            status=400,
        )
    scan = None
    upload = request.files.get(SCAN_FIELD)
    if upload is not None and upload.filename:
        try:
            stored = storage.store(upload.stream)
        except content.Refused as refused:
            return _page(
                consultation,
                member,
                form,
                scan_error=file_issue(refused.issue, storage.max_bytes()),
                version=base_version,
                status=400,
            )
        except storage.StorageFailed as failed:
            log.error("scan not stored (%s) under %s", failed.reason, storage.root())
            return _page(
                consultation,
                member,
                form,
                notice=storage_failure(failed.reason),
                version=base_version,
                status=503,
            )
        scan = entries.Scan(
            stored.sha256,
            stored.size,
            stored.file_type.mimetype,
            content.clean_name(upload.filename, stored.file_type),
        )
    try:
        outcome = services.save(
            consultation,
            current_user._get_current_object(),
            form,
            submit=True,
            base_version=base_version,
            token=token,
            entry=entries.Entered(member, provenance, scan),
        )
    except services.Closed:
        return _page(
            services.load_consultation(slug) or consultation,
            member,
            form,
            notice=_(
                "The deadline passed while you were entering the response: nothing was saved. "
                "It can still be recorded as a late entry, with its reason."
            ),
            version=base_version,
            status=409,
        )
    except (services.NotInvited, services.Missing):
        abort(403)
    except services.Changed:
        return _page(
            services.load_consultation(slug) or consultation,
            member,
            form,
            notice=_(
                "The questions changed while you were entering the response. Nothing was "
                "saved: check the answers and record them again."
            ),
            status=409,
        )
    except services.Stale as stale:
        return _page(
            consultation,
            member,
            form,
            notice=_(
                "This response was changed by %(name)s at %(time)s while you were entering "
                "it. Nothing was saved: review and record it again.",
                name=stale.by,
                time=moment(stale.at),
            ),
            status=409,
        )
    if isinstance(outcome, list):
        return _page(
            consultation, member, form, ballot_errors=outcome, version=base_version, status=400
        )
    delegates = len(delegates_of(db.session, [member.id]).get(member.id, []))
    flash(
        _(
            "The response of %(member)s is recorded as revision %(n)d, receipt %(receipt)s.",
            member=member_name(member),
            n=outcome.revision,
            receipt=outcome.receipt,
        )
        + " "
        + (
            ngettext(
                "Its delegate is sent the receipt by e-mail.",
                "Its %(num)d delegates are sent the receipt by e-mail.",
                delegates,
            )
            if delegates
            else _("It has no active delegate: nobody is sent the receipt by e-mail.")
        ),
        "success",
    )
    return redirect(url_for("entries.entry", slug=slug, member_id=member.id), code=303)


def _not_possible(consultation: Consultation) -> str:
    if consultation.status is Status.PUBLISHED:
        return _("The results are published: no response can be entered any more.")
    return _("This consultation is not open yet: no response can be entered.")


@bp.get("/consultations/<slug:slug>/entries/<id:entry_id>/scan")
@login_required
def scan(slug: str, entry_id: int):
    """The scanned document of an entered response, for administrators and the delegates of
    that member (as an attachment, like the consultation's documents)."""
    row = db.session.execute(
        sa.select(Entry, Response.member_id)
        .join(Response, Response.id == Entry.response_id)
        .join(Consultation, Consultation.id == Response.consultation_id)
        .where(Entry.id == entry_id, Consultation.slug == slug)
    ).first()
    if row is None:
        abort(404)
    found, owner = row
    if found.scan_sha256 is None:
        abort(404)
    if not permissions.is_admin(current_user.role) and current_user.member_id != owner:
        abort(404)
    path = storage.path_of(found.scan_sha256)
    if not path.is_file():
        log.error("scan %s of entry %s is missing from %s", found.scan_sha256, found.id, path)
        abort(404)
    return stored_file(
        path, found.scan_type or "application/octet-stream", found.scan_name or "scan"
    )


@bp.app_template_global("entry_link")
def entry_link(consultation: Consultation, member: object) -> str | None:
    """For an administrator, where to enter the response (or revision) received from
    ``member`` (a ``Member`` or the results' ``MemberInfo``) now; None when no entry is
    possible (before the consultation opens, once its results are published, or for observers
    that may answer nothing)."""
    if not current_user.is_authenticated or not permissions.is_admin(current_user.role):
        return None
    if not entry_possible(consultation) or not may_answer(consultation, member):  # type: ignore[arg-type]
        return None
    return url_for("entries.entry", slug=consultation.slug, member_id=member.id)  # type: ignore[attr-defined]


@bp.app_template_global("entry_possible")
def entry_possible(consultation: Consultation) -> bool:
    """Whether the secretariat may enter responses to ``consultation`` now (late ones after
    the deadline)."""
    return _entry_state(consultation)[0]


@bp.app_template_global("entry_mark")
def entry_mark(mark: onbehalf.Mark) -> str:
    """The mark of an entered revision in the reader's language (``messages.mark_text``)."""
    return mark_text(mark)


bp.add_app_template_filter(long_date, "format_day")
