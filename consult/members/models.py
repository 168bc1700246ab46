"""The membership registry."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.base import enum_column
from consult.core.translated import TranslatedMixin
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


class Member(TranslatedMixin, Model):
    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[MemberKind] = mapped_column(enum_column(MemberKind))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    region: Mapped[Region] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Member {self.code}>"
