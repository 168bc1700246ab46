"""Messages rendered from templates in the recipient's language: subject, plain text, HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale

from consult.core.templating import organisation_name

_BLANK_LINES = re.compile(r"\n{3,}")
#: Runs of white space, the no-break spaces of French typography left alone.
_SPACE = re.compile(r"[^\S\u00a0\u202f]+")


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str


def recipient_locale(locale: str | None) -> str:
    """The user's language when it is one we have, else English."""
    return locale if locale and locale in current_app.config["LANGUAGES"] else "en"


def render_message(name: str, locale: str | None, **context: Any) -> Message:
    """Render ``mail/<name>.txt`` (with its ``subject`` block) and ``mail/<name>.html``.

    Templates are rendered without the request's context processors, so a message reads the
    same whether it is built during a request, by a signal receiver or by the command line.
    """
    env = current_app.jinja_env
    language = recipient_locale(locale)
    context = {"organisation": organisation_name(language), **context}
    with force_locale(language):
        text_template = env.get_template(f"mail/{name}.txt")
        subject = "".join(text_template.blocks["subject"](text_template.new_context(context)))
        text = text_template.render(context)
        html = env.get_template(f"mail/{name}.html").render(context)
    # A header never carries a line break, whatever a name or title contains.
    subject = _SPACE.sub(" ", subject).strip()[:300]
    text = _BLANK_LINES.sub("\n\n", "\n".join(line.rstrip() for line in text.splitlines()))
    return Message(subject=subject, text=text.strip() + "\n", html=html)
