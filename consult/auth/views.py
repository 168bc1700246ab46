"""Sign-in, sign-out, language choice, and choosing a password from an invitation or reset link."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError

from consult.auth import passwords, services
from consult.auth import session as sessions
from consult.auth.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from consult.auth.models import TokenPurpose
from consult.auth.permissions import is_safe_next
from consult.core.errors import CSRF_RECOVERY
from consult.extensions import limiter

bp = Blueprint("auth", __name__)


def _account_key() -> str:
    return "account:" + request.form.get("email", "").strip().lower()[:254]


def _failed(response) -> bool:
    """Only failed attempts count against the limits; a successful sign-in redirects."""
    return response.status_code != 302


def _target(candidate: str | None) -> str:
    return candidate if candidate and is_safe_next(candidate) else url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
    scope="login-account",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed,
    scope="login-address",
)
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        # the sign-in is recorded first: if it cannot be written, no session starts
        user = services.sign_in(form.email.data or "", form.password.data or "")
        if user is not None:
            sessions.start(user)  # no pre-login key survives (session fixation)
            return redirect(_target(form.next.data))
        form.password.errors.append(_("The e-mail address or password is not correct."))
        return render_template("auth/login.html", form=form), 200
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


def _login_csrf(error: CSRFError):
    form = LoginForm(formdata=None)
    form.email.data = request.form.get("email", "")[:254]
    form.next.data = request.form.get("next", "")
    flash(_("The sign-in form had expired. Please enter your password again."), "error")
    return render_template("auth/login.html", form=form), 400


CSRF_RECOVERY["auth.login"] = _login_csrf


@bp.post("/logout")
def logout():
    """Sign out, ending every session of this user."""
    locale = session.get("locale")
    if current_user.is_authenticated:
        locale = current_user.locale or locale
        services.sign_out(current_user.id)
        logout_user()
    session.clear()
    if locale:
        session["locale"] = locale  # the sign-in page stays in the language just used
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language():
    """Switch the interface language (remembered for the signed-in user)."""
    chosen = request.form.get("lang", "")
    if chosen in current_app.config["LANGUAGES"]:
        session["locale"] = chosen
        if current_user.is_authenticated:
            services.set_locale(current_user.id, chosen)
    return redirect(_target(request.form.get("next")))


def _private(response):
    """Pages reached through a secret link are never stored by the browser or a proxy."""
    response.headers["Cache-Control"] = "no-store"
    return response


#: Where the token of an opened link waits, out of every URL, until the password is chosen.
LINK_KEY = "link_token"
FORMS = {
    TokenPurpose.INVITATION: ("auth.accept_invitation", "auth/accept_invitation.html"),
    TokenPurpose.PASSWORD_RESET: ("auth.reset_password", "auth/reset_password.html"),
}


def _invalid_link(purpose: TokenPurpose):
    return _private(
        current_app.make_response(
            (render_template("auth/link_invalid.html", purpose=purpose.value), 400)
        )
    )


def _open_link(raw: str, purpose: TokenPurpose):
    """The link from the e-mail: its token is exchanged for one kept in the session, and the
    browser goes on to the same page without it (LOG-1: logs never keep a usable link)."""
    fresh = passwords.take_link(raw, purpose)
    if fresh is None:
        return _invalid_link(purpose)
    session[LINK_KEY] = [purpose.value, fresh]
    return _private(redirect(url_for(FORMS[purpose][0]), code=303))


def _held_token(purpose: TokenPurpose) -> str:
    held = session.get(LINK_KEY)
    if isinstance(held, list) and len(held) == 2 and held[0] == purpose.value:
        return str(held[1])
    return ""


def _choose_password(purpose: TokenPurpose):
    raw = _held_token(purpose)
    if passwords.check_token(raw, purpose) is None:
        return _invalid_link(purpose)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = passwords.use_token(raw, purpose, form.password.data or "")
        except passwords.InvalidLink:
            return _invalid_link(purpose)
        sessions.start(user)  # also drops the held token
        services.record_sign_in(user)
        flash(_("Your password is saved and you are signed in."), "success")
        return redirect(url_for("main.home"))
    status = 400 if request.method == "POST" else 200
    template = FORMS[purpose][1]
    return _private(current_app.make_response((render_template(template, form=form), status)))


@bp.get("/invitation/<token:token>")
def invitation_link(token: str):
    """Open an invitation link: on to the password page, the token out of the address."""
    return _open_link(token, TokenPurpose.INVITATION)


@bp.route("/invitation", methods=["GET", "POST"])
def accept_invitation():
    """Choose a password from an invitation link and land signed in."""
    return _choose_password(TokenPurpose.INVITATION)


@bp.get("/password/reset/<token:token>")
def reset_link(token: str):
    """Open a reset link: on to the password page, the token out of the address."""
    return _open_link(token, TokenPurpose.PASSWORD_RESET)


@bp.route("/password/reset", methods=["GET", "POST"])
def reset_password():
    """Choose a new password from a reset link; every other session ends."""
    return _choose_password(TokenPurpose.PASSWORD_RESET)


def _reset_account_key() -> str:
    return "reset:" + request.form.get("email", "").strip().lower()[:254]


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RESET_LIMIT_ACCOUNT"],
    key_func=_reset_account_key,
    methods=["POST"],
    scope="reset-account",
)
@limiter.limit(
    lambda: current_app.config["RESET_LIMIT_ADDRESS"], methods=["POST"], scope="reset-address"
)
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the address is known."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        passwords.request_reset(form.email.data or "")
        return render_template("auth/reset_sent.html")
    status = 400 if request.method == "POST" else 200
    return render_template("auth/forgot_password.html", form=form), status
