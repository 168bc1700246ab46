"""The registry pages of the Administration: members, regions, CSV import."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from flask import (
    Blueprint,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from consult.auth.decorators import admin_required
from consult.config import TRANSLATIONS
from consult.core.confirm import Confirmation, ConfirmForm, ask, confirmed
from consult.core.formpage import act, done, form_page
from consult.core.paging import page_number
from consult.core.params import parse_id
from consult.core.templating import locale_code
from consult.extensions import db
from consult.members import services
from consult.members.csvimport import NotUtf8, Problem, decode
from consult.members.forms import KIND_LABELS, ImportForm, MemberForm, RegionForm
from consult.members.messages import describe
from consult.members.models import Member, Region
from consult.registry import queries

bp = Blueprint("members", __name__, url_prefix="/admin")

#: A registry of a few hundred members is a few kilobytes; refuse what cannot be one.
UPLOAD_MAX = 256 * 1024
STATUSES = ("active", "inactive", "all")


@bp.get("/members")
@admin_required
def index():
    """List members, with search and filters."""
    args = request.args
    region_id = args.get("region", "")
    status = args.get("status", "active")
    rows = queries.member_rows(
        search=args.get("q", "")[:100],
        kind=args.get("kind", ""),
        region_id=parse_id(region_id),
        status=status if status in STATUSES else "active",
        locale=locale_code(),
        page=page_number(args.get("page")),
    )
    return render_template(
        "members/index.html",
        page=rows,
        regions=queries.regions(),
        kinds=KIND_LABELS,
        filters={
            "q": args.get("q", "")[:100],
            "kind": args.get("kind", ""),
            "region": region_id,
            "status": status if status in STATUSES else "active",
        },
    )


def _member_form(member: Member | None) -> MemberForm:
    form = MemberForm(obj=None)
    form.region.choices = [
        SelectChoice(r.id, r.localized("name", locale_code())) for r in queries.regions()
    ]
    if request.method == "GET" and member is not None:
        names = services.default_names(member.code, member.kind) or {}
        form.code.data = member.code
        form.kind.data = member.kind.value
        form.region.data = member.region_id
        form.name.data = "" if member.name == names.get("en") else member.name
        for lang in TRANSLATIONS:
            value = (member.translations or {}).get(lang, {}).get("name", "")
            form[f"name_{lang}"].data = "" if value == names.get(lang) else value
    return form


def _save_member(form: MemberForm, member: Member | None):
    def save() -> Member:
        data = services.MemberData(
            code=form.code.data or "",
            name=form.name.data or "",
            kind=form.kind.data or "",
            region_id=form.region.data,
            name_fr=form.name_fr.data or "",
            name_es=form.name_es.data or "",
        )
        return services.save_member(
            current_user.id, data, member.id if member is not None else None
        )

    return form_page(
        form,
        save,
        then=lambda saved: done(
            _("%(name)s is saved.", name=saved.localized("name", locale_code())),
            url_for("members.show", member_id=saved.id),
        ),
        page=lambda _general: render_template(
            "members/form.html",
            form=form,
            member=member,
            defaults=services.default_names(member.code, member.kind) if member else None,
        ),
        describe=describe,
    )


@bp.route("/members/new", methods=["GET", "POST"])
@admin_required
def new():
    """Register a member."""
    return _save_member(_member_form(None), None)


@bp.route("/members/<id:member_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(member_id: int):
    """Edit a member's code, kind, region and names."""
    member = db.get_or_404(Member, member_id)
    return _save_member(_member_form(member), member)


@bp.get("/members/<id:member_id>")
@admin_required
def show(member_id: int):
    """A member: its names, its delegates, and its responses across consultations."""
    found = queries.member_detail(member_id, page_number(request.args.get("page")))
    if found is None:
        abort(404)
    member, delegates, participation = found
    return render_template(
        "members/show.html",
        member=member,
        delegates=delegates,
        participation=participation,
        kinds=KIND_LABELS,
        defaults=services.default_names(member.code, member.kind) or {},
    )


@bp.route("/members/<id:member_id>/deactivate", methods=["GET", "POST"])
@admin_required
def deactivate(member_id: int):
    """Deactivate a member, after the confirmation page: kept with its history, its delegates
    can no longer sign in."""
    found = db.session.get(Member, member_id)
    if found is None:
        abort(404)
    if not confirmed() or not ConfirmForm().validate_on_submit():
        name = found.localized("name", locale_code())
        return ask(
            Confirmation(
                title=_("Deactivate %(name)s?", name=name),
                subject=found.code,
                consequences=[
                    _(
                        "The delegates of %(name)s can no longer sign in; their open sessions "
                        "end at once.",
                        name=name,
                    ),
                    _(
                        "%(name)s is no longer invited to new consultations; its responses and "
                        "history are kept.",
                        name=name,
                    ),
                    _("It can be reactivated later."),
                ],
                button=_("Deactivate this member"),
                back=url_for("members.show", member_id=member_id),
                danger=True,
            )
        )
    try:
        member = services.set_member_active(current_user.id, member_id, False)
    except LookupError:
        abort(404)
    return done(
        _(
            "%(name)s is deactivated. Its delegates can no longer sign in.",
            name=member.localized("name", locale_code()),
        ),
        url_for("members.show", member_id=member_id),
    )


@bp.post("/members/<id:member_id>/reactivate")
@admin_required
def reactivate(member_id: int):
    """Reactivate a member."""
    try:
        member = services.set_member_active(current_user.id, member_id, True)
    except LookupError:
        abort(404)
    return done(
        _("%(name)s is active again.", name=member.localized("name", locale_code())),
        url_for("members.show", member_id=member_id),
    )


# Regions ------------------------------------------------------------------------------------


def _save_region(form: RegionForm, region_id: int | None = None) -> Region:
    return services.save_region(
        current_user.id,
        form.name.data or "",
        form.name_fr.data or "",
        form.name_es.data or "",
        region_id=region_id,
    )


@bp.route("/regions", methods=["GET", "POST"])
@admin_required
def regions():
    """The managed list of regions; add a region."""
    form = RegionForm()
    return form_page(
        form,
        lambda: _save_region(form),
        then=lambda region: done(
            _("The region %(name)s is added.", name=region.name), url_for("members.regions")
        ),
        page=lambda _general: render_template(
            "members/regions.html",
            page=queries.regions_with_counts(page_number(request.args.get("page"))),
            form=form,
        ),
        describe=describe,
    )


@bp.route("/regions/<id:region_id>", methods=["GET", "POST"])
@admin_required
def region(region_id: int):
    """Rename a region or translate its name."""
    region = db.get_or_404(Region, region_id)
    form = RegionForm()
    if request.method == "GET":
        form.name.data = region.name
        form.name_fr.data = (region.translations or {}).get("fr", {}).get("name", "")
        form.name_es.data = (region.translations or {}).get("es", {}).get("name", "")
    return form_page(
        form,
        lambda: _save_region(form, region.id),
        then=lambda _saved: done(_("The region is saved."), url_for("members.regions")),
        page=lambda _general: render_template("members/region.html", region=region, form=form),
        describe=describe,
    )


@bp.post("/regions/<id:region_id>/delete")
@admin_required
def delete_region(region_id: int):
    """Delete a region that no member belongs to."""

    def delete() -> None:
        try:
            services.delete_region(current_user.id, region_id)
        except LookupError:
            abort(404)

    return act(
        delete,
        done=_("The region is deleted."),
        back=url_for("members.regions"),
        describe=describe,
    )


# CSV import ---------------------------------------------------------------------------------


def _sign(payload: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"member-import\n" + payload.encode(), hashlib.sha256).hexdigest()


def _preview(form: ImportForm, text: str | None, plan: services.ImportPlan | None, **extra):
    """The import page: upload form, problems, or the preview with its confirmation.

    The file travels between the steps signed (never stored); when the only problems are
    regions missing from the list, it is kept so that the administrator can confirm them.
    """
    payload = base64.b64encode(text.encode()).decode() if text is not None else ""
    if extra.get("file_error"):
        form.file.errors = [extra["file_error"]]
    problems = [(p.line, describe(p)) for p in (plan.problems if plan else ())]
    status = extra.pop("status", 400 if problems or extra.get("file_error") else 200)
    return (
        render_template(
            "members/import.html",
            form=form,
            plan=plan,
            problems=problems,
            payload=payload,
            signature=_sign(payload) if payload else "",
            kinds=KIND_LABELS,
            field_labels={
                "name": _("Name in English"),
                "name_fr": _("Name in French"),
                "name_es": _("Name in Spanish"),
                "kind": _("Kind"),
                "region": _("Region"),
            },
            **extra,
        ),
        status,
    )


def _signed_text() -> str:
    """The previewed file, from its signed copy in the form; 400 when tampered with."""
    payload = request.form.get("payload", "")
    signature = request.form.get("signature", "").encode()  # bytes: any text compares
    if not payload or not hmac.compare_digest(_sign(payload).encode(), signature):
        abort(400)
    try:
        return base64.b64decode(payload, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        abort(400)


def _new_regions() -> list[str]:
    return [r for r in request.form.getlist("new_region") if r.strip()][:50]


@bp.route("/members/import", methods=["GET", "POST"])
@admin_required
def import_upload():
    """Upload a CSV file and preview what importing it would do."""
    form = ImportForm()
    if request.method == "GET":
        return _preview(form, None, None)
    if not form.validate_on_submit():
        abort(400)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _preview(form, None, None, file_error=_("Choose a CSV file to import."))
    data = upload.read(UPLOAD_MAX + 1)
    if len(data) > UPLOAD_MAX:
        return _preview(
            form,
            None,
            None,
            file_error=_("The file is larger than 256 KB; it cannot be a registry."),
        )
    try:
        text = decode(data)
    except NotUtf8:
        return _preview(form, None, None, file_error=describe(Problem(0, "not_utf8")))
    plan = services.plan_import(text)
    kept = text if not plan.problems or plan.unknown_regions else None
    return _preview(form, kept, plan, filename=upload.filename)


@bp.post("/members/import/regions")
@admin_required
def import_regions():
    """Preview the file again, creating the regions the administrator confirmed as new."""
    text = _signed_text()
    plan = services.plan_import(text, _new_regions())
    kept = text if not plan.problems or plan.unknown_regions else None
    return _preview(ImportForm(formdata=None), kept, plan)


@bp.post("/members/import/confirm")
@admin_required
def import_confirm():
    """Import the previewed file: all rows or none."""
    text = _signed_text()
    form = ImportForm(formdata=None)
    try:
        plan = services.apply_import(
            text, current_user.id, request.form.get("plan", ""), new_regions=_new_regions()
        )
    except services.ImportFailed as failed:
        plan = services.ImportPlan((), tuple(failed.errors), ())
        return _preview(form, text if plan.unknown_regions else None, plan)
    except services.PlanChanged as changed:
        return _preview(
            form,
            text,
            changed.plan,
            notice=_(
                "The registry changed since the preview, so nothing was imported. Here is what "
                "the import would do now."
            ),
            status=409,
        )
    return done(
        _(
            "Import done: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
            created=plan.count("create"),
            updated=plan.count("update"),
            unchanged=plan.count("unchanged"),
        ),
        url_for("members.index"),
    )


@bp.get("/members/import/example.csv")
@admin_required
def import_example():
    """A small example file to start a spreadsheet from."""
    body = (
        "code,name,kind,region,name_fr,name_es\r\n"
        "CHE,,member_state,Europe,,\r\n"
        "SEN,,member_state,Africa,,\r\n"
        "VAT,Holy See,observer_state,Europe,Saint-Siège,Santa Sede\r\n"
        "ICRC,International Committee of the Red Cross,observer_org,Europe,"
        "Comité international de la Croix-Rouge,Comité Internacional de la Cruz Roja\r\n"
    )
    return current_app.response_class(
        "\ufeff" + body,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="members-example.csv"'},
    )
