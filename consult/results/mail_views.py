"""The Administration's mail pages: the outbox (with retry) and reminders."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString
from flask_login import current_user

from consult.auth.decorators import admin_required
from consult.config import LANGUAGES
from consult.consultations.lifecycle import Phase
from consult.consultations.models import Consultation
from consult.core.confirm import Confirmation, ask, confirmed
from consult.core.paging import page_number
from consult.core.params import parse_id
from consult.core.templating import locale_code, localized, moment
from consult.extensions import db
from consult.mail import outbox
from consult.mail.models import MailKind, OutboxMessage
from consult.results import reminders

bp = Blueprint("mail", __name__, url_prefix="/admin")

PAGE = 50
#: Keyed by ``MailKind``, a ``str``: looked up by the codes stored in the audit details too.
KIND_LABELS: dict[str, LazyString] = {
    MailKind.INVITATION: _l("Invitation"),
    MailKind.PASSWORD_RESET: _l("Password reset"),
    MailKind.REMINDER: _l("Reminder"),
    MailKind.NOTICE_OPENED: _l("Notice: consultation open"),
    MailKind.NOTICE_EXTENDED: _l("Notice: new deadline"),
    MailKind.NOTICE_PUBLISHED: _l("Notice: outcome published"),
    MailKind.RECEIPT: _l("Receipt of a response"),
    MailKind.NOTICE_CLOSED: _l("Notice: closed before the deadline"),
    MailKind.NOTICE_CORRECTED: _l("Notice: outcome corrected"),
}
FILTERS = tuple(outbox.SHOWN)


@bp.get("/mail")
@admin_required
def outbox_page():
    """Every message, newest first: sent, waiting, or failed with its error."""
    show = request.args.get("show", "all")
    show = show if show in FILTERS else "all"
    rows, older = outbox.listing(show, parse_id(request.args.get("before", "")), PAGE)
    return render_template(
        "mail/pages/outbox.html",
        rows=rows,
        show=show,
        older=older,
        kinds=KIND_LABELS,
        failed=outbox.failed_count(),
    )


@bp.get("/mail/<id:message_id>")
@admin_required
def message_page(message_id: int):
    """One message: recipient, subject, delivery and, unless it carries a single-use link, its
    text."""
    message = db.get_or_404(OutboxMessage, message_id)
    consultation = (
        db.session.get(Consultation, message.consultation_id) if message.consultation_id else None
    )
    return render_template(
        "mail/pages/message.html", m=message, kinds=KIND_LABELS, consultation=consultation
    )


def _report(result: outbox.Delivery) -> None:
    if result.sent:
        flash(ngettext("%(num)d message sent.", "%(num)d messages sent.", result.sent), "success")
    if result.failed:
        flash(
            ngettext(
                "%(num)d message could not be sent: %(error)s",
                "%(num)d messages could not be sent: %(error)s",
                result.failed,
                error=result.errors[0],
            ),
            "error",
        )
    if not result.sent and not result.failed:
        flash(_("There was nothing to send."), "info")


@bp.post("/mail/<id:message_id>/retry")
@admin_required
def retry(message_id: int):
    """Try to send one waiting message again now."""
    db.get_or_404(OutboxMessage, message_id)
    _report(outbox.deliver([message_id], force=True))
    return redirect(url_for("mail.outbox_page", show=request.form.get("show", "all")))


@bp.post("/mail/retry")
@admin_required
def retry_failed():
    """Try every failed message again now."""
    _report(outbox.deliver(outbox.failed_ids(), force=True))
    return redirect(url_for("mail.outbox_page", show="failed"))


# Reminders ----------------------------------------------------------------------------------


@bp.get("/reminders")
@admin_required
def reminders_index():
    """The open consultations, to choose which one to chase answers for."""
    return render_template(
        "mail/pages/reminders_index.html", consultations=reminders.open_consultations()
    )


def _consultation_or_404(slug: str) -> Consultation:
    consultation = reminders.consultation(slug)
    if consultation is None:
        abort(404)
    return consultation


def _render(consultation: Consultation, status: int = 200, error: str | None = None):
    state = reminders.participation(
        db.session, consultation, page=page_number(request.args.get("page"))
    )
    lang = request.args.get("preview", locale_code())
    lang = lang if lang in LANGUAGES else "en"
    preview = None
    sample = next((p for p in state.pending if p.delegates), None)
    if sample is not None:
        user = sample.delegates[0]
        preview = reminders.message_for(
            consultation,
            _PreviewUser(user.name, lang),
            sample.member,
            sample.has_draft,
        )
    return (
        render_template(
            "mail/pages/reminders.html",
            consultation=consultation,
            state=state,
            preview=preview,
            preview_lang=lang,
            sample=sample,
            is_open=consultation.phase() is Phase.OPEN,
            error=error,
            interval_hours=int(current_app.config["REMINDER_INTERVAL"].total_seconds() // 3600),
        ),
        status,
    )


class _PreviewUser:
    """Stands for a delegate in the preview: their name, the chosen language."""

    def __init__(self, name: str, locale: str) -> None:
        self.name = name
        self.locale = locale


@bp.get("/consultations/<slug:slug>/reminders")
@admin_required
def reminders_page(slug: str):
    """Who has not submitted, when each was last reminded, and a preview of the reminder."""
    return _render(_consultation_or_404(slug))


def _remind_all_confirmation(consultation: Consultation):
    state = reminders.participation(db.session, consultation)
    now = [p for p in state.pending if p.delegates and not p.allowed_at]
    people = sum(len(p.delegates) for p in now)
    hours = int(current_app.config["REMINDER_INTERVAL"].total_seconds() // 3600)
    return ask(
        Confirmation(
            title=_("Remind every member that has not submitted?"),
            subject=localized(consultation, "title"),
            consequences=[
                ngettext(
                    "%(num)d member is reminded now: %(people)d delegates receive an e-mail, "
                    "each in their own language.",
                    "%(num)d members are reminded now: %(people)d delegates receive an e-mail, "
                    "each in their own language.",
                    len(now),
                    people=people,
                ),
                _(
                    "Members reminded in the last %(hours)d hours, and members without an active "
                    "delegate, are skipped.",
                    hours=hours,
                ),
                _(
                    "Each reminder is recorded; the same member cannot be reminded again for "
                    "%(hours)d hours.",
                    hours=hours,
                ),
            ],
            button=_("Send the reminders"),
            back=url_for("mail.reminders_page", slug=consultation.slug),
            action=url_for("mail.send_reminders", slug=consultation.slug),
        )
    )


@bp.get("/consultations/<slug:slug>/reminders/all")
@admin_required
def confirm_remind_all(slug: str):
    """The confirmation page of "remind all"."""
    consultation = _consultation_or_404(slug)
    if consultation.phase() is not Phase.OPEN:
        return _render(
            consultation, 409, _("Reminders can be sent only while the consultation is open.")
        )
    return _remind_all_confirmation(consultation)


@bp.post("/consultations/<slug:slug>/reminders")
@admin_required
def send_reminders(slug: str):
    """Remind every member that has not submitted (after the confirmation page), or one."""
    consultation = _consultation_or_404(slug)
    member = request.form.get("member", "")
    member_id = parse_id(member)
    if member and member_id is None:
        abort(400)
    if member_id is None and not confirmed() and consultation.phase() is Phase.OPEN:
        return _remind_all_confirmation(consultation)
    try:
        outcome = reminders.send(
            current_user.id, consultation.id, [member_id] if member_id is not None else None
        )
    except reminders.NotOpen:
        return _render(
            consultation,
            409,
            _("Reminders can be sent only while the consultation is open."),
        )
    except reminders.TooSoon as soon:
        return _render(
            consultation,
            409,
            _(
                "%(member)s was reminded on %(last)s. Another reminder can be sent from "
                "%(allowed)s.",
                member=soon.member.localized("name", locale_code()),
                last=moment(soon.last),
                allowed=moment(soon.allowed_at),
            ),
        )
    if outcome.members:
        flash(
            ngettext(
                "Reminder sent to the delegates of %(num)d member (%(people)d people).",
                "Reminder sent to the delegates of %(num)d members (%(people)d people).",
                len(outcome.members),
                people=outcome.recipients,
            ),
            "success",
        )
    if outcome.too_soon:
        flash(
            ngettext(
                "%(num)d member was reminded recently and was skipped.",
                "%(num)d members were reminded recently and were skipped.",
                len(outcome.too_soon),
            ),
            "info",
        )
    if outcome.no_delegate:
        flash(
            ngettext(
                "%(num)d member has no active delegate to remind.",
                "%(num)d members have no active delegate to remind.",
                len(outcome.no_delegate),
            ),
            "info",
        )
    if not outcome.members and not outcome.too_soon and not outcome.no_delegate:
        flash(_("Every invited member has submitted: there is nobody to remind."), "info")
    return redirect(url_for("mail.reminders_page", slug=consultation.slug))
