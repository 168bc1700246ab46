"""Locale selection: the user's choice, then the browser's, then English."""

from __future__ import annotations

from typing import Any

from babel import Locale
from babel.support import NullTranslations
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_translations
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from consult.core.kept import Kept
from consult.extensions import babel

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}

#: Babel's locales by code, parsed once per process: Flask-Babel parses the code the selector
#: returns on every request (some 40 µs), unless it is given a Locale already.
_LOCALES: dict[str, Locale] = {}


def _locale(code: str) -> Locale:
    found = _LOCALES.get(code)
    if found is None:
        found = _LOCALES[code] = Locale.parse(code)
    return found


#: The best of our languages for an ``Accept-Language`` header, by the header and languages:
#: a browser sends the same header with every request, which Werkzeug parses anew each time.
_BEST: Kept[tuple[str, tuple[str, ...]], str] = Kept(1024)
#: Longer headers are matched without being kept.
_BEST_KEPT_LENGTH = 200


def _browser_choice(header: str, languages: tuple[str, ...]) -> str:
    """The best of ``languages`` for the ``Accept-Language`` header, else English."""
    if len(header) > _BEST_KEPT_LENGTH:
        return _best(header, languages)
    key = (header, languages)
    found = _BEST.get(key)
    return found if found is not None else _BEST.keep(key, _best(header, languages))


def _best(header: str, languages: tuple[str, ...]) -> str:
    return parse_accept_header(header, LanguageAccept).best_match(languages) or "en"


def select_locale() -> Locale:
    """The user's language, else the one chosen in the session, else the browser's best
    among ours, else English."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # commands and background work: English unless forced
        return _locale(str(current_app.config["BABEL_DEFAULT_LOCALE"]))
    user = current_user._get_current_object()  # looked up once, not per attribute
    if user and user.is_authenticated and user.locale in languages:
        return _locale(str(user.locale))
    chosen = session.get("locale")
    if chosen in languages:
        return _locale(str(chosen))
    header = request.environ.get("HTTP_ACCEPT_LANGUAGE", "")
    return _locale(_browser_choice(header, tuple(languages)))


#: The template context's key for the translations of the page being rendered.
TRANSLATIONS_KEY = "_translations"


def _translations(context: Context) -> NullTranslations:
    """The page's translations, looked up once when its rendering starts (a template imported
    without context looks them up again)."""
    found = context.get(TRANSLATIONS_KEY)
    return found if found is not None else get_translations()


@pass_context
def _gettext(context: Context, string: str) -> str:
    return _translations(context).ugettext(string)


#: A template's texts without variables as Markup, by translations and text: a page shows the
#: same few dozen (templates give ``_()`` literal texts); emptied past :data:`_MARKED_BOUND`.
_MARKED: dict[tuple[NullTranslations, str], Markup] = {}
_MARKED_BOUND = 8192


@pass_context
def _template_gettext(context: Context, string: str, **variables: Any) -> str:
    """``_()`` and ``gettext()`` in templates: Jinja's new-style gettext (the text escaped as
    Markup where the page escapes, then formatted with ``variables``, escaped) in one call, where
    Jinja's own goes through three (``_``, then ``gettext``, then the translations)."""
    translations = _translations(context)
    escapes = context.eval_ctx.autoescape
    if escapes and not variables:
        key = (translations, string)
        found = _MARKED.get(key)
        if found is None:
            found = Markup(translations.ugettext(string))  # noqa: S704 - as below
            if "%" in found:
                found = found % {}
            if len(_MARKED) >= _MARKED_BOUND:
                _MARKED.clear()
            _MARKED[key] = found
        return found
    text: str = translations.ugettext(string)
    if escapes:
        text = Markup(text)  # noqa: S704 - our catalogue's text, as Jinja's gettext does
    return text % variables if variables or "%" in text else text


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return _translations(context).ungettext(singular, plural, n)


@pass_context
def _pgettext(context: Context, ctx: str, string: str) -> str:
    return _translations(context).upgettext(ctx, string)


@pass_context
def _npgettext(context: Context, ctx: str, singular: str, plural: str, n: int) -> str:
    return _translations(context).unpgettext(ctx, singular, plural, n)


#: The callables above, which read only the page's translations (``templating.PageContext``).
PAGE_GETTEXT = (_gettext, _template_gettext, _ngettext, _pgettext, _npgettext)


def init_babel(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel's template callables find the request's translations anew for every string
    # (a tenth of a delegate page's CPU): these take them from the page's context instead.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext,
        ngettext=_ngettext,
        newstyle=True,
        pgettext=_pgettext,
        npgettext=_npgettext,
    )
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext)

    @app.context_processor
    def _page_translations() -> dict[str, Any]:
        return {TRANSLATIONS_KEY: get_translations()}
