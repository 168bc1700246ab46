"""The documents page of the Administration, and downloads for administrators and invited
members."""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from consult.auth.decorators import admin_required
from consult.consultations import lifecycle
from consult.consultations.forms import text_of
from consult.consultations.models import Consultation
from consult.consultations.pages.templating import language_name
from consult.core.confirm import Confirmation, ask, confirmed
from consult.core.errors import error_page
from consult.core.formpage import act, attach, done, error_list
from consult.core.templating import locale_code, localized
from consult.documents import content, queries, services, storage, transfer
from consult.documents.forms import DocumentForm, FileForm
from consult.documents.messages import file_issue, file_size, refusal, storage_failure, word
from consult.documents.models import Attachment, AttachmentFile
from consult.extensions import db

log = logging.getLogger("consult.documents")

bp = Blueprint("documents", __name__)
bp.record_once(lambda _state: transfer.connect())  # the YAML import and dump know documents

#: Endpoints that receive a file: their requests may be as large as a document.
UPLOADS = {"documents.add_document", "documents.add_file"}
#: Room for the form fields and the multipart envelope around the file.
ENVELOPE = 256 * 1024


@bp.url_value_preprocessor
def _allow_document_bodies(endpoint: str | None, _values: object) -> None:
    """Raise the body limit for uploads. URL value preprocessors run before the CSRF check,
    which reads the form and would otherwise stop at the application's small limit."""
    if endpoint in UPLOADS:
        request.max_content_length = storage.max_bytes() + ENVELOPE


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge):
    return error_page(413, file_issue(content.Issue.TOO_LARGE, storage.max_bytes()))


def _manage(consultation: Consultation) -> str:
    return url_for("documents.manage", slug=consultation.slug)


def _consultation_or_404(slug: str) -> Consultation:
    found = queries.consultation(slug)
    if found is None:
        abort(404)
    return found


def _page(
    consultation: Consultation,
    *,
    document_form: DocumentForm | None = None,
    file_forms: dict[int, FileForm] | None = None,
    general: list[str] | None = None,
    status: int = 200,
):
    attachments = queries.attachments_of(consultation.id)
    forms = {a.id: FileForm(formdata=None, prefix=f"d{a.id}") for a in attachments}
    forms.update(file_forms or {})
    document_form = document_form or DocumentForm(formdata=None)
    errors = error_list(document_form) + [e for f in forms.values() for e in error_list(f)]
    return (
        render_template(
            "documents/manage.html",
            consultation=consultation,
            attachments=attachments,
            current_files=queries.current_files,
            document_form=document_form,
            file_forms=forms,
            errors=errors,
            general=general or [],
            editable=lifecycle.documents_editable(consultation.status),
            replaceable=lifecycle.documents_replaceable(consultation.status),
            has_note=any(a.kind.value == "note" for a in attachments),
            limit=file_size(storage.max_bytes()),
        ),
        status,
    )


@bp.get("/admin/consultations/<slug:slug>/documents")
@admin_required
def manage(slug: str):
    """The discussion note and annexes of a consultation, their files and versions."""
    return _page(_consultation_or_404(slug))


def _upload_failed(consultation, error: Exception, form, *, file_forms=None, document_form=None):
    """Turn a refused upload into the page with the reason beside the file field."""
    general: list[str] = []
    status = 400
    if isinstance(error, content.Refused):
        form.file.errors = [*form.file.errors, file_issue(error.issue, storage.max_bytes())]
    elif isinstance(error, storage.StorageFailed):
        log.error("document not stored (%s) under %s", error.reason, storage.root())
        general.append(storage_failure(error.reason))
        status = 503
    elif isinstance(error, services.Invalid):
        general += attach(form, error, word)
    elif isinstance(error, services.Refused):
        if error.code == "not_found":
            abort(404)
        general += attach(form, error, word)
        status = 409 if error.code in ("published", "one_note", "not_removable") else 400
    else:  # pragma: no cover - the callers pass only the errors above
        raise error
    return _page(
        consultation,
        document_form=document_form,
        file_forms=file_forms,
        general=general,
        status=status,
    )


UPLOAD_ERRORS = (content.Refused, storage.StorageFailed, services.Invalid, services.Refused)


def _chosen_file(form):
    upload = request.files.get(form.file.name)
    if upload is None or not upload.filename:
        form.file.errors = [*form.file.errors, refusal("no_file")]
        return None
    return upload


@bp.post("/admin/consultations/<slug:slug>/documents")
@admin_required
def add_document(slug: str):
    """Add the discussion note or an annex, with its first file."""
    consultation = _consultation_or_404(slug)
    form = DocumentForm()
    upload = _chosen_file(form) if form.validate_on_submit() else None
    if upload is None:
        return _page(consultation, document_form=form, status=400)
    try:
        added = services.upload_document(
            consultation.id,
            kind=form.kind.data or "",
            title=text_of(form.title),
            language=form.language.data or "",
            stream=upload.stream,
            filename=upload.filename or "",
            actor_id=current_user.id,
        )
    except UPLOAD_ERRORS as error:
        return _upload_failed(consultation, error, form, document_form=form)
    return done(_("%(name)s is added.", name=added.name), _manage(consultation), 303)


@bp.post("/admin/consultations/<slug:slug>/documents/<id:attachment_id>/files")
@admin_required
def add_file(slug: str, attachment_id: int):
    """Add a file to a document: another language, a replacement, or a new version."""
    consultation = _consultation_or_404(slug)
    form = FileForm(prefix=f"d{attachment_id}")
    upload = _chosen_file(form) if form.validate_on_submit() else None
    if upload is None:
        return _page(consultation, file_forms={attachment_id: form}, status=400)
    try:
        added, action = services.upload_file(
            consultation.id,
            attachment_id,
            language=form.language.data or "",
            stream=upload.stream,
            filename=upload.filename or "",
            note=form.note.data or "",
            actor_id=current_user.id,
        )
    except UPLOAD_ERRORS as error:
        return _upload_failed(consultation, error, form, file_forms={attachment_id: form})
    messages = {
        "document_file_replaced": _("%(name)s replaces the earlier file.", name=added.name),
        "document_file_superseded": _(
            "%(name)s is the new version; the earlier one stays on record.", name=added.name
        ),
    }
    return done(
        messages.get(action) or _("%(name)s is added.", name=added.name),
        _manage(consultation),
        303,
    )


def _attachment_or_404(consultation: Consultation, attachment_id: int) -> Attachment:
    found = db.session.get(Attachment, attachment_id)
    if found is None or found.consultation_id != consultation.id:
        abort(404)
    return found


def _file_or_404(consultation: Consultation, file_id: int) -> AttachmentFile:
    found = db.session.get(AttachmentFile, file_id)
    if found is None or found.attachment.consultation_id != consultation.id:
        abort(404)
    return found


def _confirm_removal(consultation, attachment, found, remove, done: str):
    """The shared confirmation page, until it is confirmed; then the removal and back to the
    documents. Refused up front, without the confirmation, once the consultation has left the
    draft stage (the service checks it again)."""
    if not lifecycle.documents_replaceable(consultation.status):
        flash(refusal("not_removable"), "error")
        return redirect(_manage(consultation), code=303)
    if not confirmed():
        return ask(_removal(consultation, attachment, found))
    return act(remove, done=done, back=_manage(consultation), describe=word, code=303)


def _removal(consultation, attachment, found) -> Confirmation:
    """What removing a draft's document (or one of its files) does, in the reader's language."""
    title = localized(attachment, "title")
    if not title and attachment.kind == "note":
        title = (
            _("Discussion note %(symbol)s", symbol=consultation.reference)
            if consultation.reference
            else _("Discussion note")
        )
    subject = title or _("Annex")
    if found is not None:
        subject += f" · {language_name(found.language)}"
    return Confirmation(
        title=_("Remove the file %(name)s?", name=found.name)
        if found is not None
        else _("Remove this document and its files?"),
        subject=subject,
        consequences=[
            _(
                "The consultation is still a draft, so no member has seen it. The removal is "
                "recorded in the audit log and cannot be undone; nobody is notified."
            )
        ],
        button=_("Remove the file") if found is not None else _("Remove the document"),
        back=url_for("documents.manage", slug=consultation.slug),
        danger=True,
    )


@bp.route(
    "/admin/consultations/<slug:slug>/documents/<id:attachment_id>/remove", methods=["GET", "POST"]
)
@admin_required
def remove_document(slug: str, attachment_id: int):
    """Remove a draft's document and its files, after confirmation."""
    consultation = _consultation_or_404(slug)
    attachment = _attachment_or_404(consultation, attachment_id)
    return _confirm_removal(
        consultation,
        attachment,
        None,
        lambda: services.remove_document(consultation.id, attachment_id, actor_id=current_user.id),
        _("The document is removed."),
    )


@bp.route(
    "/admin/consultations/<slug:slug>/documents/files/<id:file_id>/remove", methods=["GET", "POST"]
)
@admin_required
def remove_file(slug: str, file_id: int):
    """Remove one file of a draft's document, after confirmation."""
    consultation = _consultation_or_404(slug)
    found = _file_or_404(consultation, file_id)
    return _confirm_removal(
        consultation,
        found.attachment,
        found,
        lambda: services.remove_file(consultation.id, file_id, actor_id=current_user.id),
        _("The file is removed."),
    )


@bp.get("/consultations/<slug:slug>/documents/<id:file_id>")
@login_required
def download(slug: str, file_id: int):
    """A document's file, as an attachment, for administrators and invited members."""
    found = queries.downloadable(slug, file_id, current_user)
    if found is None:
        abort(404)
    path = storage.path_of(found.sha256)
    if not path.is_file():
        log.error("file %s of document file %s is missing from %s", found.sha256, found.id, path)
        abort(404)
    return stored_file(path, found.content_type, found.name)


def stored_file(path, mimetype: str, name: str):
    """A file of the store sent as an attachment under its cleaned ``name``, never rendered
    by the browser nor cached (also the scans of entered responses)."""
    response = send_file(
        path,
        mimetype=mimetype,
        as_attachment=True,
        download_name=name,
        etag=path.name,
        conditional=True,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global("consultation_documents")
def consultation_documents(consultation: Consultation) -> list[queries.ReaderDocument]:
    """The consultation's documents in the reader's language (for the pages that list them)."""
    return queries.for_reader(
        queries.attachments_of(consultation.id),
        locale_code(),
        tuple(current_app.config["LANGUAGES"]),
    )


@bp.app_template_filter("file_type")
def file_type(mimetype: str) -> str:
    """``PDF``, ``DOCX``, ``XLSX`` or ``ODT``."""
    found = next((t for t in content.TYPES.values() if t.mimetype == mimetype), None)
    return found.code.upper() if found else mimetype


bp.add_app_template_filter(file_size, "file_size")
