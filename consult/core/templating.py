"""Template filters and globals."""

from __future__ import annotations

from collections import ChainMap
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any, ClassVar

from babel import Locale
from babel.numbers import NumberPattern, format_currency, parse_pattern
from flask import Flask, current_app, request, url_for
from flask.templating import _default_template_ctx_processor
from flask_babel import get_locale
from flask_login import current_user
from jinja2 import Template, pass_context
from jinja2.environment import TemplateModule
from jinja2.runtime import Context, Macro

from consult.core.i18n import LANGUAGE_NAMES, PAGE_GETTEXT
from consult.core.markdown import render_markdown
from consult.core.timefmt import format_moment


def locale_code() -> str:
    return str(get_locale() or "en")


def localized(obj: Any, field: str) -> str:
    """A translatable model field in the reader's language."""
    return str(obj.localized(field, locale_code()))


def organisation_name(locale: str | None = None) -> str:
    """The organisation's name in ``locale`` (the reader's by default), else in English."""
    config = current_app.config
    names: dict[str, str] = config.get("ORGANISATION_NAMES") or {}
    return names.get(locale or locale_code()) or str(config["ORGANISATION_NAME"])


def member_name(member: Any) -> str:
    return localized(member, "name")


def moment(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_moment(value, current_app.config["TIMEZONE"], locale_code())


@lru_cache(maxsize=64)
def _number_format(locale: str, pattern: str) -> tuple[Locale, NumberPattern]:
    """A locale and a number pattern, parsed once per process (Babel parses both on every
    call otherwise, the larger part of formatting a number)."""
    return Locale.parse(locale), parse_pattern(pattern)


@lru_cache(maxsize=4096)
def _whole(value: int, locale: str) -> str:
    """A whole number as :func:`decimal` writes it: pages show the same counts many times."""
    found, pattern = _number_format(locale, "#,##0.##")
    return pattern.apply(value, found)


def decimal(value: Decimal | float | int | None, digits: int = 2, locale: str | None = None) -> str:
    """``value`` with the digits grouped and at most ``digits`` decimals, as the reader's
    language (or ``locale``) writes numbers."""
    if value is None:
        return ""
    locale = locale or locale_code()
    if type(value) is int:
        return _whole(value, locale)
    found, pattern = _number_format(locale, f"#,##0.{'#' * digits}")
    return pattern.apply(value, found)


def money(amount: Any, currency: str) -> str:
    """An exact amount in ``currency``, written as the reader's language writes money."""
    exact = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    return format_currency(exact, currency, locale=locale_code())


@lru_cache(maxsize=4096)
def _share(value: float, locale: str) -> str:
    """A share as :func:`percent` writes it: pages show the same shares on every view."""
    found, pattern = _number_format(locale, "#,##0.#%")
    return pattern.apply(value, found)


def percent(value: float | None, locale: str | None = None) -> str:
    """A share (0.5) as a percentage (50%) in the reader's language (or ``locale``)."""
    if value is None:
        return ""
    return _share(value, locale or locale_code())


#: The template context's key for the reader's language, read once when a page's rendering
#: starts (``locale_code`` asks Flask-Babel each time, and pages ask for every text shown).
LOCALE_KEY = "_locale"


def _page_locale(context: Context) -> str:
    found = context.get(LOCALE_KEY)
    return found if found is not None else locale_code()


@pass_context
def _page_locale_code(context: Context) -> str:
    return _page_locale(context)


@pass_context
def _page_localized(context: Context, obj: Any, field: str) -> str:
    return str(obj.localized(field, _page_locale(context)))


@pass_context
def _page_member_name(context: Context, member: Any) -> str:
    return str(member.localized("name", _page_locale(context)))


@pass_context
def _page_decimal(context: Context, value: Decimal | float | int | None, digits: int = 2) -> str:
    return decimal(value, digits, _page_locale(context))


@pass_context
def _page_percent(context: Context, value: float | None) -> str:
    return percent(value, _page_locale(context))


@pass_context
def _page_moment(context: Context, value: datetime | None) -> str:
    if value is None:
        return ""
    return format_moment(value, current_app.config["TIMEZONE"], _page_locale(context))


class PageContext(Context):
    """Jinja's context, with one shortcut: the page's own callables (gettext and its kin,
    ``localized``, ``member_name``, ``locale_code``) read only what the page's rendering
    started with (its language and translations), so they are given the context as it is.
    Jinja otherwise derives a copy of the whole context, with the variables a loop or a block
    has set, for every call of a callable that takes the context: tens of copies a page."""

    #: The callables that read only the page's top-level keys (:func:`init_templating`).
    page_only: ClassVar[frozenset[Any]] = frozenset()

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        kind = type(__obj)
        if kind is FunctionType and __obj in __self.page_only:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            return __obj(__self, *args, **kwargs)
        # What takes nothing from Jinja (a macro, a method, a builtin, a function not marked
        # ``pass_*``) is called as it is: Jinja would look for its marks two ways first.
        if kind in _PLAIN or (kind in _MARKABLE and not hasattr(__obj, "jinja_pass_arg")):
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
        return Context.call(__self, __obj, *args, **kwargs)


#: Callables that never carry Jinja's ``pass_*`` mark, and those that may (a function, or a
#: method whose function is marked).
_PLAIN: frozenset[type] = frozenset([Macro, BuiltinFunctionType])
_MARKABLE: frozenset[type] = frozenset([FunctionType, MethodType])


class PageTemplate(Template):
    """Jinja's template, which finds out more cheaply whether an import can use the module it
    keeps: ``{% import %}`` without context asks which names the importing page's globals have
    that the imported template's do not (a new module when there are any), by testing each of
    the page's some 40 globals against the template's ``ChainMap`` in Python, about 40 µs an
    import (the delegate home, the receipt and the results page import macros). Here the
    same difference is taken over the ``ChainMap``'s own dicts, in C; the answer is the same."""

    def _get_default_module(self, ctx: Context | None = None) -> TemplateModule:
        found = self.globals
        if (
            ctx is not None
            and type(found) is ChainMap
            and not ctx.globals_keys.difference(*found.maps)
        ):
            ctx = None  # nothing the kept module lacks: Jinja would return it too
        return super()._get_default_module(ctx)


def _processors_once(app: Flask) -> None:
    """Flask gives every blueprint its own copy of its default context processor (``g``,
    ``request`` and ``session``), which then runs twice for the pages of a blueprint: the
    application's, run for every page, is kept alone."""
    for name, processors in app.template_context_processors.items():
        if name is not None:
            processors[:] = [f for f in processors if f is not _default_template_ctx_processor]


_FIXED: dict[tuple[str, str, str], str] = {}


def fixed_url(endpoint: str, filename: str = "") -> str:
    """The address of an endpoint without arguments (or of a static file, fingerprinted),
    built once per process and application root: every page links to the same few."""
    key = (request.script_root, endpoint, filename)
    found = _FIXED.get(key)
    if found is None:
        found = url_for(endpoint, filename=filename) if filename else url_for(endpoint)
        _FIXED[key] = found
    return found


def init_templating(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.context_class = PageContext
    app.jinja_env.template_class = PageTemplate
    _processors_once(app)
    app.jinja_env.filters.update(
        moment=_page_moment,
        decimal=_page_decimal,
        percent=_page_percent,
        money=money,
        markdown=render_markdown,
    )
    app.jinja_env.globals.update(
        localized=_page_localized,
        member_name=_page_member_name,
        languages=LANGUAGE_NAMES,
        locale_code=_page_locale_code,
        fixed_url=fixed_url,
    )
    globals_ = app.jinja_env.globals
    PageContext.page_only = frozenset(
        [_page_localized, _page_member_name, _page_locale_code]
        + [globals_[name] for name in ("_", "gettext", "ngettext", "pgettext", "npgettext")]
        + list(PAGE_GETTEXT)
    )

    @app.context_processor
    def _globals() -> dict[str, Any]:
        locale = locale_code()
        user = current_user._get_current_object()  # looked up once, not per attribute
        return {
            LOCALE_KEY: locale,
            "organisation": organisation_name(locale),
            "is_admin": bool(user.is_authenticated and user.is_admin),
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
