"""Sign-in, password and account forms."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from consult.auth.models import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from consult.core.csrf import PageForm

#: Enough to catch typing mistakes; the invitation message proves the address works.
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"


class LoginForm(PageForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)]
    )
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class SetPasswordForm(PageForm):
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
                message=_l(
                    "The password needs between %(min)d and %(max)d characters.",
                    min=PASSWORD_MIN_LENGTH,
                    max=PASSWORD_MAX_LENGTH,
                ),
            ),
        ],
        description=_l(
            "At least %(min)d characters. A few unrelated words make a good password.",
            min=PASSWORD_MIN_LENGTH,
        ),
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )
    submit = SubmitField(_l("Save the password and sign in"))


class ChangePasswordForm(SetPasswordForm):
    """A signed-in person changes their password: the current one first."""

    current = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(message=_l("Enter your current password.")),
            Length(max=PASSWORD_MAX_LENGTH),
        ],
    )
    submit = SubmitField(_l("Change the password"))


class ForgotPasswordForm(PageForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Enter your e-mail address.")),
            Length(max=254),
            Regexp(EMAIL, message=_l("Enter an e-mail address such as name@example.org.")),
        ],
    )
    submit = SubmitField(_l("Send me a link"))


LOCALE_CHOICES = [
    # Each language named in itself, and marked as such for screen readers.
    SelectChoice("en", "English", render_kw={"lang": "en"}),
    SelectChoice("fr", "Français", render_kw={"lang": "fr"}),
    SelectChoice("es", "Español", render_kw={"lang": "es"}),
]


class InviteForm(PageForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Enter the e-mail address.")),
            Length(max=254),
            Regexp(EMAIL, message=_l("Enter an e-mail address such as name@example.org.")),
        ],
    )
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Enter the name.")), Length(max=200)],
    )
    locale = SelectField(_l("Language of messages"), choices=LOCALE_CHOICES, default="en")
    submit = SubmitField(_l("Send the invitation"))


class AccountForm(PageForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("Enter the name.")), Length(max=200)],
    )
    locale = SelectField(_l("Language of messages"), choices=LOCALE_CHOICES, default="en")
    submit = SubmitField(_l("Save"))


class LanguageForm(PageForm):
    locale = SelectField(_l("Language of the pages and messages"), choices=LOCALE_CHOICES)
    submit = SubmitField(_l("Save the language"))
