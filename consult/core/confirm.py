"""Confirmation before what cannot be undone: a page (GET) stating the consequences in the
reader's language, with a POST form that carries ``confirm=yes``. It works without JavaScript.

An action's view shows :func:`ask` until the request is :func:`confirmed`; a POST without the
field (an old page, a crafted form) gets the confirmation page too, never the action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import render_template, request

from consult.core.csrf import PageForm
from consult.core.formpage import error_list

FIELD = "confirm"


@dataclass(frozen=True)
class Confirmation:
    """What the page says: a question as title, the consequences, the button and the way back."""

    title: str
    consequences: Sequence[str]
    button: str
    back: str
    #: The object acted on, named under the title (a consultation, a member, an account).
    subject: str = ""
    danger: bool = False
    #: Where the form posts; the page's own address when empty.
    action: str = ""
    general: Sequence[str] = field(default_factory=tuple)


class ConfirmForm(PageForm):
    """An action with nothing to fill in: only the CSRF token."""


def confirmed() -> bool:
    """The request is the confirmation page's POST."""
    return request.method == "POST" and request.form.get(FIELD) == "yes"


def ask(confirmation: Confirmation, form: PageForm | None = None, status: int = 200):
    """The confirmation page; ``form`` holds the action's fields (a reason, "notify")."""
    shown = form if form is not None else ConfirmForm()
    errors = error_list(shown)
    return (
        render_template(
            "confirm.html",
            confirmation=confirmation,
            form=shown,
            errors=errors,
            action=confirmation.action or request.path,
        ),
        400 if errors or confirmation.general else status,
    )
