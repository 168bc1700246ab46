"""A signed-in person's own account: language, password, and the other delegates of their
member state."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.auth import services
from consult.auth import session as sessions
from consult.auth.delegates import delegates_of
from consult.auth.forms import ChangePasswordForm, LanguageForm
from consult.auth.messages import refusal
from consult.auth.models import User
from consult.core.formpage import done, form_page
from consult.extensions import db, limiter

bp = Blueprint("account", __name__, url_prefix="/account")


def _user_key() -> str:
    return f"password-change:{current_user.get_id() if current_user.is_authenticated else ''}"


def _page(password_form: ChangePasswordForm, language_form: LanguageForm) -> str:
    user = current_user
    colleagues = []
    if user.member_id is not None:
        colleagues = delegates_of(db.session, [user.member_id]).get(user.member_id, [])
    return render_template(
        "auth/account.html",
        password_form=password_form,
        language_form=language_form,
        colleagues=colleagues,
    )


@bp.get("/")
@login_required
def show():
    """The account page: language, password, and the member's delegates."""
    language_form = LanguageForm()
    language_form.locale.data = current_user.locale or "en"
    return _page(ChangePasswordForm(formdata=None), language_form)


def _language_saved(chosen: str):
    session["locale"] = chosen
    with force_locale(chosen):
        flash(_("The language is saved."), "success")
    return redirect(url_for("account.show"), code=303)


@bp.post("/language")
@login_required
def language():
    """Choose the language of the pages and of the messages sent to this account."""
    form = LanguageForm()
    chosen = form.locale.data or "en"
    return form_page(
        form,
        lambda: services.set_locale(current_user.id, chosen),
        then=lambda _none: _language_saved(chosen),
        page=lambda _general: _page(ChangePasswordForm(formdata=None), form),
        describe=refusal,
    )


@bp.post("/password")
@login_required
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"],
    key_func=_user_key,
    deduct_when=lambda response: response.status_code != 303,
    scope="password-change",
)
def password():
    """Change the password; every other session of the account ends."""
    form = ChangePasswordForm()
    language_form = LanguageForm(formdata=None)
    language_form.locale.data = current_user.locale or "en"
    return form_page(
        form,
        lambda: services.change_password(
            current_user.id,
            form.current.data or "",
            form.password.data or "",
        ),
        then=_password_changed,
        page=lambda _general: _page(form, language_form),
        describe=refusal,
    )


def _password_changed(user: User):
    sessions.renew(user)  # this session carries on with the new nonce; the others end
    return done(
        _("Your password is changed. Your other sessions have ended."),
        url_for("account.show"),
        303,
    )
