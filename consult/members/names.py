"""Country names in English, French and Spanish from pycountry."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def country_names(code: str) -> dict[str, str] | None:
    """``{"en": ..., "fr": ..., "es": ...}`` for an ISO 3166 alpha-3 code, or None."""
    country = pycountry.countries.get(alpha_3=code.upper())
    if country is None:
        return None
    english = getattr(country, "common_name", None) or country.name
    return {
        "en": english,
        "fr": _catalog("fr").gettext(country.name),
        "es": _catalog("es").gettext(country.name),
    }
