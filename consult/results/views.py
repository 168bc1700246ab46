"""Results: the administrators' page and CSV report, and the published results for members."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable

from flask import (
    Blueprint,
    Response,
    abort,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from consult.auth.decorators import admin_required, delegate_required
from consult.ballots import onbehalf, specs
from consult.ballots import services as ballots
from consult.consultations.lifecycle import Phase, Status
from consult.consultations.models import Consultation
from consult.core import anchors, audit
from consult.core.paging import Page, page_number
from consult.core.streaming import started
from consult.extensions import db, limiter
from consult.results import display, documents, loaders, report, services

bp = Blueprint("results", __name__)
bp.record_once(lambda _state: services.connect())  # the outcome is checked against the count

WHO = ("all", "members", "observers")
EXPORT_LIMIT = "30 per 10 minutes"
#: The entry form lists the members to choose from up to this many (beyond, a code field).
CHOICES = 50


def _consultation(slug: str) -> Consultation:
    consultation = ballots.load_consultation(slug)
    if consultation is None:
        abort(404)
    return consultation


def _user_key() -> str:
    return f"user:{current_user.get_id()}"


@bp.get("/admin/consultations/<slug:slug>/results")
@admin_required
def show(slug: str):
    """Participation, tallies by every method, write-ins and comments of one consultation."""
    consultation = services.page_consultation(slug)
    if consultation is None:
        abort(404)
    results = services.consultation_results(consultation, missing=False)
    who = request.args.get("who", "all")
    phase = consultation.phase()
    is_open = phase is Phase.OPEN
    entry_possible, _late = onbehalf.window(consultation.status, phase)
    # Lists that follow the membership come a page at a time; the entry form offers a list to
    # choose from only while it is short (beyond, the member's code). The lists' lengths are
    # the participation's figures (no count of their own); all are read in one statement.
    total = results.participation.total
    lists = loaders.lists(
        consultation,
        (page_number(request.args.get("missing")), total.invited - total.submitted),
        (page_number(request.args.get("page")), total.submitted) if entry_possible else None,
        CHOICES + 1 if entry_possible else 0,
    )
    invited, missing, answered = lists.enterable, lists.missing, lists.submitted
    regions = display.region_names(results.participation)
    links = _entry_links(consultation, entry_possible, missing, answered)
    return render_template(
        "results/show.html",
        consultation=consultation,
        who=who if who in WHO else "all",
        reminders_url=url_for("mail.reminders_page", slug=slug) if is_open else None,
        entry_possible=entry_possible,
        invited=display.member_options(invited if len(invited) <= CHOICES else []),
        enter_by_code=len(invited) > CHOICES,
        missing=missing,
        answered=answered,
        missing_rows=display.listed(
            missing, regions, links, submitted=False, entry_column=entry_possible
        ),
        answered_rows=display.listed(answered, regions, links, submitted=True, entry_column=True),
        **display.page_context(results, regions),
    )


def _entry_links(
    consultation: Consultation,
    entry_possible: bool,
    *pages: Page[loaders.ParticipationRow] | None,
) -> dict[int, str]:
    """Where to enter the response (or revision) received from each member the page lists
    (``entries.entry_link`` for the lists' rows, the page being an administrator's)."""
    if not entry_possible:
        return {}
    # One address built, the others written after it (a route built per row costs more).
    base = url_for("entries.entry", slug=consultation.slug, member_id=0).removesuffix("0")
    return {
        row.member.id: f"{base}{row.member.id}"
        for page in pages
        if page is not None
        for row in page.items
        if specs.may_answer(consultation, row.member)
    }


def _attachment(chunks, name: str, mimetype: str) -> Response:
    response = Response(started(stream_with_context(chunks)), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/admin/consultations/<slug:slug>/export/<any(results, responses, comments):name>.csv")
@admin_required
@limiter.limit(EXPORT_LIMIT, key_func=_user_key)
def export(slug: str, name: str):
    """Download one of the three CSV files (a POST: exports are logged and rate limited)."""
    if name not in report.FILES:
        abort(404)
    exported = services.record_export(slug, current_user.id, name)
    if exported is None:
        abort(404)
    consultation = exported.consultation
    results = services.consultation_results(consultation) if name == "results" else None
    response = _attachment(
        report.csv_file(name, consultation, results),
        report.filename(consultation, name),
        "text/csv",  # Werkzeug adds "; charset=utf-8" to text types
    )
    head = anchors.parse_statement(exported.statement).head
    response.headers["Consult-Audit-Head"] = f"{head.seq} {head.digest}"
    return response


@bp.post("/admin/consultations/<slug:slug>/export.zip")
@admin_required
@limiter.limit(EXPORT_LIMIT, key_func=_user_key)
def export_zip(slug: str):
    """Download the three CSV files in one zip archive."""
    exported = services.record_export(slug, current_user.id, "zip")
    if exported is None:
        abort(404)
    consultation = exported.consultation
    results = services.consultation_results(consultation)
    files: list[tuple[str, Iterable[bytes]]] = [
        (report.filename(consultation, name), report.csv_file(name, consultation, results))
        for name in report.FILES
    ]
    files.append((report.statement_filename(consultation), [exported.statement.encode()]))
    return _attachment(
        report.zip_stream(files), f"{consultation.slug}-report.zip", "application/zip"
    )


@bp.post("/admin/consultations/<slug:slug>/report.<any(pdf, docx, xlsx):fmt>")
@admin_required
@limiter.limit(EXPORT_LIMIT, key_func=_user_key)
def document(slug: str, fmt: str):
    """Download the results document in one format and language (a POST, logged and rate
    limited like the CSV files). The file is written whole before the response starts, into a
    temporary file (the workbook of a large consultation stays out of memory)."""
    lang = request.form.get("lang", "")
    if lang not in documents.LANGUAGES or fmt not in documents.FORMATS:
        abort(400)
    exported = services.record_export(slug, current_user.id, f"report-{lang}.{fmt}")
    if exported is None:
        abort(404)
    consultation = exported.consultation
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed (and deleted) by the response
    try:
        documents.write(consultation, fmt, lang, out)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    response = send_file(
        out,
        mimetype=documents.FORMATS[fmt],
        as_attachment=True,
        download_name=documents.filename(consultation, fmt, lang),
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    head = anchors.parse_statement(exported.statement).head
    response.headers["Consult-Audit-Head"] = f"{head.seq} {head.digest}"
    return response


@bp.get("/consultations/<slug:slug>/results")
@delegate_required
def published(slug: str):
    """The outcome and aggregated results, once the Administration has published them."""
    consultation = _consultation(slug)
    if consultation.status is not Status.PUBLISHED or not ballots.is_invited(
        consultation, current_user.member_id
    ):
        abort(404)
    results = services.consultation_results(consultation)
    return render_template(
        "results/published.html",
        consultation=consultation,
        checkpoint=audit.latest_checkpoint(db.session, consultation.id, "consultation_published"),
        attributed=bool(getattr(consultation, "results_attributed", False)),
        who="all",
        **display.page_context(results),
    )
