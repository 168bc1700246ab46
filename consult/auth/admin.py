"""The Administration's account pages: invite delegates and administrators, resend, edit,
move, deactivate and reactivate."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.auth import accounts, queries
from consult.auth.decorators import admin_required
from consult.auth.forms import AccountForm, InviteForm
from consult.auth.models import Role, User
from consult.core.confirm import Confirmation, ConfirmForm, ask, confirmed
from consult.core.paging import page_number, page_of
from consult.core.params import parse_id
from consult.core.templating import locale_code
from consult.extensions import db
from consult.members.models import Member

bp = Blueprint("accounts", __name__, url_prefix="/admin")

REFUSALS = {
    "self": lambda: _("You cannot deactivate your own account."),
    "last admin": lambda: _("This is the last active administrator; invite another one first."),
    "already accepted": lambda: _(
        "This person has already chosen a password; they can ask for a new one from the "
        "sign-in page."
    ),
    "inactive": lambda: _("Reactivate the account before sending an invitation."),
    "not a delegate": lambda: _("Only delegates belong to a member."),
    "same member": lambda: _("The delegate already belongs to this member."),
    "no such member": lambda: _("Choose a member from the list."),
    "member inactive": lambda: _("This member is deactivated; reactivate it first."),
}


def _refusal(error: accounts.AccountError) -> str:
    found = REFUSALS.get(str(error))
    return found() if found else str(error)


def _back(user: User):
    if user.member_id is not None:
        return redirect(url_for("members.show", member_id=user.member_id))
    return redirect(url_for("accounts.administrators"))


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


def _taken_message(error: accounts.EmailTaken) -> str:
    existing = error.existing
    if existing.member is not None:
        return _(
            "An account with this e-mail address exists already (a delegate of %(member)s).",
            member=existing.member.localized("name", locale_code()),
        )
    return _("An account with this e-mail address exists already (an administrator).")


def _invite(form: InviteForm, role: Role, member: Member | None):
    if form.validate_on_submit():
        try:
            user = accounts.invite(
                current_user.id,
                email=form.email.data or "",
                name=form.name.data or "",
                role=role,
                member_id=member.id if member is not None else None,
                locale=form.locale.data,
            )
        except accounts.EmailTaken as error:
            form.email.errors.append(_taken_message(error))
        except accounts.AccountError as error:
            form.email.errors.append(_refusal(error))
        else:
            flash(
                _(
                    "%(name)s is invited: the invitation goes to %(email)s.",
                    name=user.name,
                    email=user.email,
                ),
                "success",
            )
            return _back(user)
    status = 400 if request.method == "POST" else 200
    return render_template("auth/invite.html", form=form, member=member, role=role.value), status


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
    shown = page_of(
        db.session,
        sa.select(User)
        .where(User.role == Role.ADMIN)
        .order_by(sa.not_(User.active), User.name, User.id),
        page_number(request.args.get("page")),
    )
    return render_template(
        "auth/administrators.html", rows=queries.accounts(list(shown.items)), page=shown
    )


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
    try:
        accounts.resend_invitation(current_user.id, user.id)
    except accounts.AccountError as error:
        flash(_refusal(error), "error")
    else:
        flash(_("A new invitation goes to %(email)s.", email=user.email), "success")
    return _back(user)


@bp.route("/users/<id:user_id>/deactivate", methods=["GET", "POST"])
@admin_required
def deactivate(user_id: int):
    """Deactivate an account, after the confirmation page: it cannot sign in and its open
    sessions end at once."""
    user = _user_or_404(user_id)
    if not confirmed() or not ConfirmForm().validate_on_submit():
        back = (
            url_for("members.show", member_id=user.member_id)
            if user.member_id is not None
            else url_for("accounts.administrators")
        )
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
    try:
        accounts.deactivate(current_user.id, user.id)
    except accounts.AccountError as error:
        flash(_refusal(error), "error")
    else:
        flash(
            _("%(name)s can no longer sign in; their open sessions have ended.", name=user.name),
            "success",
        )
    return _back(user)


@bp.post("/users/<id:user_id>/reactivate")
@admin_required
def reactivate(user_id: int):
    """Reactivate an account."""
    user = _user_or_404(user_id)
    accounts.reactivate(current_user.id, user.id)
    flash(_("%(name)s can sign in again.", name=user.name), "success")
    return _back(user)


@bp.route("/users/<id:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(user_id: int):
    """Change an account's name and the language of its messages."""
    user = _user_or_404(user_id)
    form = AccountForm()
    if request.method == "GET":
        form.name.data = user.name
        form.locale.data = user.locale or "en"
    if form.validate_on_submit():
        accounts.update(
            current_user.id, user.id, name=form.name.data or "", locale=form.locale.data
        )
        flash(_("The account is saved."), "success")
        return _back(user)
    status = 400 if request.method == "POST" else 200
    return render_template("auth/account_form.html", form=form, user=user), status


@bp.route("/users/<id:user_id>/move", methods=["GET", "POST"])
@admin_required
def move(user_id: int):
    """Move a delegate to another member; their open sessions end at once."""
    user = _user_or_404(user_id)
    if user.role is not Role.DELEGATE:
        abort(404)
    members = list(db.session.scalars(sa.select(Member).where(Member.active).order_by(Member.code)))
    error = None
    if request.method == "POST":
        target = parse_id(request.form.get("member", "")) or 0
        try:
            accounts.move(current_user.id, user.id, target)
        except accounts.AccountError as refused:
            error = _refusal(refused)
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
