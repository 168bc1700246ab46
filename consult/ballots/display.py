"""What the ballot page writes of a kept structure in one language: each question's prompt and
help, each option's label, background and rank label, worked out once per structure version
and language (the page then fills in only the member's answers)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from babel.support import NullTranslations
from flask_babel import get_translations
from markupsafe import Markup

from consult.consultations.kinds.base import N_
from consult.consultations.structure import KEPT, Structure
from consult.core.kept import Kept
from consult.core.markdown import render_markdown


@dataclass(frozen=True, slots=True)
class OptionTexts:
    label: str
    #: The background, rendered from Markdown.
    description: Markup
    #: "Rank for <label>", the label of the option's rank field.
    rank_label: Markup
    #: The name of the option's rank field.
    rank_name: str


@dataclass(frozen=True, slots=True)
class QuestionTexts:
    prompt: str
    #: The help, rendered from Markdown.
    help: Markup
    options: dict[int, OptionTexts]


_kept: Kept[tuple[Structure, str], dict[int, QuestionTexts]] = Kept(2 * KEPT)


def ballot_texts(kept: Structure, locale: str) -> dict[int, QuestionTexts]:
    """The texts of ``kept`` in ``locale`` (the page's language), by question id."""
    return _kept.get_or_make((kept, locale), lambda: _texts(kept, locale, get_translations()))


def _texts(
    kept: Structure, locale: str, translations: NullTranslations
) -> dict[int, QuestionTexts]:
    rank_for = Markup(translations.ugettext(N_("Rank for %(option)s")))  # noqa: S704 - a msgstr
    out: dict[int, QuestionTexts] = {}
    for q in kept.questions:
        options = {}
        for o in q.options:
            label = o.localized("label", locale)
            options[o.id] = OptionTexts(
                label,
                render_markdown(o.localized("description", locale)),
                rank_for % {"option": label},
                f"q{q.id}-rank-{o.id}",
            )
        out[q.id] = QuestionTexts(
            q.localized("prompt", locale),
            render_markdown(q.localized("help", locale)) if q.help else Markup(""),
            options,
        )
    return out


@functools.lru_cache(maxsize=16)
def _ranking_attributes(locale: str, translations: NullTranslations) -> Markup:
    t = translations.ugettext
    return Markup(
        'data-ranking data-move-up="{}" data-move-down="{}" data-add="{}" data-remove="{}" '
        'data-ranked="{}" data-unranked="{}" data-position="{}" data-removed="{}" '
        'data-undo="{}" data-keys="{}"'
    ).format(
        t(N_("Move up")),
        t(N_("Move down")),
        t(N_("Add to ranking")),
        t(N_("Remove from ranking")),
        t(N_("Your ranking")),
        t(N_("Not ranked")),
        t(N_("Rank %(n)s")) % {"n": "{n}"},
        t(N_("%(option)s removed from the ranking.")) % {"option": "{label}"},
        t(N_("Undo")),
        t(N_("Arrow keys move the focused option; Delete removes it.")),
    )


def ranking_attributes(locale: str) -> Markup:
    """The texts the ranking script shows (moving, adding, removing, announcing), as the
    attributes of a ranking question's fieldset, in ``locale``."""
    return _ranking_attributes(locale, get_translations())
