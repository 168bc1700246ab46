"""A consultation's row read without its model, for the pages read most (the ballot page, the
receipt, the results page): the columns they show and the model's few methods, from the same rules
(:mod:`.lifecycle`, :mod:`consult.core.translated`). Building the ORM's entity cost about
0.3 ms more than the plain row on SQLite and PostgreSQL alike."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached

from consult.core.translated import Localized
from consult.extensions import db

from .enums import ObserversMay
from .lifecycle import Dated, Status
from .models import Consultation


@dataclass(frozen=True, slots=True)
class ConsultationRow(Dated, Localized):
    """A consultation as the delegate's pages show it: ``phase()``, ``closed_early`` and
    ``localized`` answer as the model's do."""

    id: int
    slug: str
    title: str
    reference: str
    summary: str
    status: Status
    opens_at: datetime | None
    closes_at: datetime
    observers_may: ObserversMay
    extended_at: datetime | None
    original_closes_at: datetime | None
    close_reason: str
    outcome: str
    outcome_reason: str
    rationale: str
    structure_version: int
    translations: dict[str, Any]


#: The consultation table's columns of :class:`ConsultationRow`, in its fields' order.
COLUMNS: tuple[sa.Column[Any], ...] = tuple(
    cast(sa.Table, Consultation.__table__).c[f.name] for f in fields(ConsultationRow)
)


def as_model(row: ConsultationRow) -> Consultation:
    """The model of ``row``, made without a statement (the session's own when it has one):
    for what walks its relationships (a published outcome's selected options and
    corrections), loaded when read, as they are for a model read by a query."""
    model = Consultation(**{f.name: getattr(row, f.name) for f in fields(ConsultationRow)})
    make_transient_to_detached(model)  # its other columns are read if asked for
    return db.session.merge(model, load=False)
