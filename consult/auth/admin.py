"""The Administration's account pages: invite delegates and administrators, resend, edit,
move, deactivate and reactivate."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.auth import accounts, queries
from consult.auth.decorators import admin_required
from consult.auth.forms import AccountForm, InviteForm
from consult.auth.messages import refusal
from consult.auth.models import Role, User
from consult.core.confirm import Confirmation, ConfirmForm, ask, confirmed
from consult.core.formpage import act, done, flashed, form_page
from consult.core.paging import page_number
from consult.core.params import parse_id
from consult.core.templating import locale_code
from consult.extensions import db
from consult.members.models import Member

bp = Blueprint("accounts", __name__, url_prefix="/admin")


def _back_url(user: User) -> str:
    if user.member_id is not None:
        return url_for("members.show", member_id=user.member_id)
    return url_for("accounts.administrators")


def _back(user: User):
    return redirect(_back_url(user))


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


def _invite(form: InviteForm, role: Role, member: Member | None):
    return form_page(
        form,
        lambda: accounts.invite(
            current_user.id,
            email=form.email.data or "",
            name=form.name.data or "",
            role=role,
            member_id=member.id if member is not None else None,
            locale=form.locale.data,
        ),
        then=lambda user: flashed(
            _(
                "%(name)s is invited: the invitation goes to %(email)s.",
                name=user.name,
                email=user.email,
            ),
            _back(user),
        ),
        page=lambda _general: render_template(
            "auth/invite.html", form=form, member=member, role=role.value
        ),
        describe=refusal,
        # every refusal of an invitation is told beside the address
        aliases={"member": "email"},
    )


@bp.route("/members/<id:member_id>/delegates/new", methods=["GET", "POST"])
@admin_required
def invite_delegate(member_id: int):
    """Invite a delegate of a member."""
    member = db.get_or_404(Member, member_id)
    return _invite(InviteForm(), Role.DELEGATE, member)


@bp.get("/delegates")
@admin_required
def delegates():
    """Find delegates across members by name, e-mail or member."""
    args = request.args
    status = args.get("status", "active")
    status = status if status in queries.DELEGATE_STATUSES else "active"
    search = args.get("q", "")[:100]
    found = queries.find_delegates(search, status=status, page=page_number(args.get("page")))
    return render_template(
        "auth/delegates.html", found=found, filters={"q": search, "status": status}
    )


@bp.get("/administrators")
@admin_required
def administrators():
    """The administrators' accounts."""
    shown, rows = queries.administrators(page_number(request.args.get("page")))
    return render_template("auth/administrators.html", rows=rows, page=shown)


@bp.route("/administrators/new", methods=["GET", "POST"])
@admin_required
def invite_administrator():
    """Invite an administrator."""
    return _invite(InviteForm(), Role.ADMIN, None)


@bp.post("/users/<id:user_id>/resend")
@admin_required
def resend(user_id: int):
    """Send a new invitation link; the earlier one stops working."""
    user = _user_or_404(user_id)
    return act(
        lambda: accounts.resend_invitation(current_user.id, user.id),
        done=_("A new invitation goes to %(email)s.", email=user.email),
        back=_back_url(user),
        describe=refusal,
    )


@bp.route("/users/<id:user_id>/deactivate", methods=["GET", "POST"])
@admin_required
def deactivate(user_id: int):
    """Deactivate an account, after the confirmation page: it cannot sign in and its open
    sessions end at once."""
    user = _user_or_404(user_id)
    if not confirmed() or not ConfirmForm().validate_on_submit():
        back = _back_url(user)
        return ask(
            Confirmation(
                title=_("Deactivate the account of %(name)s?", name=user.name),
                subject=user.email,
                consequences=[
                    _(
                        "%(name)s can no longer sign in; their open sessions end at once and "
                        "any invitation or reset link stops working.",
                        name=user.name,
                    ),
                    _("What they did stays in the record; responses of their member are kept."),
                    _("The account can be reactivated later."),
                ],
                button=_("Deactivate the account"),
                back=back,
                danger=True,
            )
        )
    return act(
        lambda: accounts.deactivate(current_user.id, user.id),
        done=_("%(name)s can no longer sign in; their open sessions have ended.", name=user.name),
        back=_back_url(user),
        describe=refusal,
    )


@bp.post("/users/<id:user_id>/reactivate")
@admin_required
def reactivate(user_id: int):
    """Reactivate an account."""
    user = _user_or_404(user_id)
    accounts.reactivate(current_user.id, user.id)
    return done(_("%(name)s can sign in again.", name=user.name), _back_url(user))


@bp.route("/users/<id:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(user_id: int):
    """Change an account's name and the language of its messages."""
    user = _user_or_404(user_id)
    form = AccountForm()
    if request.method == "GET":
        form.name.data = user.name
        form.locale.data = user.locale or "en"
    return form_page(
        form,
        lambda: accounts.update(
            current_user.id, user.id, name=form.name.data or "", locale=form.locale.data
        ),
        then=lambda _none: done(_("The account is saved."), _back_url(user)),
        page=lambda _general: render_template("auth/account_form.html", form=form, user=user),
        describe=refusal,
    )


@bp.route("/users/<id:user_id>/move", methods=["GET", "POST"])
@admin_required
def move(user_id: int):
    """Move a delegate to another member; their open sessions end at once."""
    user = _user_or_404(user_id)
    if user.role is not Role.DELEGATE:
        abort(404)
    members = queries.active_members()
    error = None
    if request.method == "POST":
        target = parse_id(request.form.get("member", "")) or 0
        try:
            accounts.move(current_user.id, user.id, target)
        except accounts.AccountError as refused:
            error = refusal(refused)
        else:
            flash(
                _(
                    "%(name)s now answers for %(member)s; their open sessions have ended.",
                    name=user.name,
                    member=db.session.get_one(Member, target).localized("name", locale_code()),
                ),
                "success",
            )
            return redirect(url_for("members.show", member_id=target))
    status = 400 if error else 200
    return (
        render_template("auth/move.html", user=user, members=members, error=error),
        status,
    )
