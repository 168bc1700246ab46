"""The membership registry."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.config import LANGUAGES
from consult.core.base import enum_column
from consult.core.plaintext import fold
from consult.core.translated import TranslatedMixin, in_language
from consult.extensions import Model


class MemberKind(enum.StrEnum):
    MEMBER_STATE = "member_state"
    OBSERVER_STATE = "observer_state"
    OBSERVER_ORG = "observer_org"

    @property
    def is_observer(self) -> bool:
        return self is not MemberKind.MEMBER_STATE


class Region(TranslatedMixin, Model):
    """A region of the membership (a managed list); names in fr/es in ``translations``."""

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)


def searchable(code: str, name: str, translations: dict[str, Any] | None) -> str:
    """A member's code and names in every language, as one text to search."""
    names = [code, name]
    names += [v.get("name", "") for v in (translations or {}).values()]
    return " ".join(names)


def folded_names(code: str, name: str, translations: dict[str, Any] | None) -> dict[str, str]:
    """The member table's folded texts (``core.plaintext.fold``): ``search`` (code and every
    name) and, per language, the name the list sorts by in that language."""
    folded = {"search": fold(searchable(code, name, translations))}
    for lang in LANGUAGES:
        folded[lang] = fold(in_language(translations, "name", lang, name))
    return folded


def _folded(key: str) -> Callable[[Any], str]:
    """The column default of a folded text: computed from the inserted row's code and names,
    so that Core inserts (bulk loads) get it too; :func:`_refold` keeps it on updates."""

    def default(context: Any) -> str:
        row = context.get_current_parameters()
        return folded_names(row.get("code") or "", row.get("name") or "", row.get("translations"))[
            key
        ]

    return default


class Member(TranslatedMixin, Model):
    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[MemberKind] = mapped_column(enum_column(MemberKind))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    #: Folded (lower case, no accents) copies of the code and names, so that the registry's
    #: list searches and sorts in SQL, a page at a time; kept by the ORM and column defaults.
    search_folded: Mapped[str] = mapped_column(
        sa.Text, default=_folded("search"), server_default=""
    )
    sort_en: Mapped[str] = mapped_column(sa.String(200), default=_folded("en"), server_default="")
    sort_fr: Mapped[str] = mapped_column(sa.String(200), default=_folded("fr"), server_default="")
    sort_es: Mapped[str] = mapped_column(sa.String(200), default=_folded("es"), server_default="")

    region: Mapped[Region] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Member {self.code}>"

    @classmethod
    def sort_column(cls, locale: str) -> sa.orm.InstrumentedAttribute[str]:
        """The column holding the folded name in ``locale`` (English for another locale)."""
        return getattr(cls, f"sort_{locale}" if locale in LANGUAGES else "sort_en")  # type: ignore[no-any-return]


@sa.event.listens_for(Member, "before_update")
def _refold(_mapper: Any, _connection: Any, member: Member) -> None:
    """Keep the folded texts in step with the code and names (ORM updates)."""
    folded = folded_names(member.code, member.name, member.translations)
    member.search_folded = folded["search"]
    for lang in LANGUAGES:
        setattr(member, f"sort_{lang}", folded[lang])
