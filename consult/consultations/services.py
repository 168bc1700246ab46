"""Creating consultations from a plain description (the demo, imports)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from consult.consultations.lifecycle import Status
from consult.consultations.models import (
    Consultation,
    ObserversMay,
    Option,
    Question,
    QuestionKind,
    TallyMethod,
)
from consult.core import audit
from consult.core.database import write_transaction
from consult.extensions import db
from consult.members.models import Member

LANGS = ("fr", "es")


def _english(value: Any) -> str:
    return value.get("en", "") if isinstance(value, dict) else str(value or "")


def _translations(fields: dict[str, Any]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for name, value in fields.items():
        if isinstance(value, dict):
            for lang in LANGS:
                if value.get(lang):
                    out.setdefault(lang, {})[name] = value[lang]
    return out


def create_consultation(
    data: dict[str, Any], now: datetime, actor_id: int | None = None
) -> Consultation:
    """Create a consultation (with questions and options) described as in demo/consultations.yaml,
    inviting every active member. Times are given relative to ``now`` in days."""
    with write_transaction(db.session):
        consultation = Consultation(
            slug=data["slug"],
            title=_english(data["title"]),
            reference=data.get("reference", ""),
            summary=_english(data.get("summary", "")),
            status=Status(data.get("status", "draft")),
            opens_at=now + timedelta(days=data.get("opens_in_days", 0)),
            closes_at=now + timedelta(days=data.get("closes_in_days", 14)),
            observers_may=ObserversMay(data.get("observers_may", "comment")),
            translations=_translations(
                {"title": data["title"], "summary": data.get("summary", "")}
            ),
        )
        for position, q in enumerate(data.get("questions", []), start=1):
            question = Question(
                position=position,
                kind=QuestionKind(q["kind"]),
                prompt=_english(q["prompt"]),
                help=_english(q.get("help", "")),
                required=bool(q.get("required", False)),
                allow_partial=bool(q.get("allow_partial", True)),
                min_choices=q.get("min_choices"),
                max_choices=q.get("max_choices"),
                allow_write_in=bool(q.get("allow_write_in", False)),
                allow_option_comments=bool(q.get("allow_option_comments", False)),
                official_method=TallyMethod(q.get("official_method", "irv")),
                scale=list(q.get("scale", [])),
                allow_no_opinion=bool(q.get("allow_no_opinion", False)),
                max_length=int(q.get("max_length", 2000)),
                translations=_translations({"prompt": q["prompt"], "help": q.get("help", "")}),
            )
            for opt_position, o in enumerate(q.get("options", []), start=1):
                question.options.append(
                    Option(
                        position=opt_position,
                        label=_english(o["label"]),
                        description=_english(o.get("description", "")),
                        translations=_translations(
                            {"label": o["label"], "description": o.get("description", "")}
                        ),
                    )
                )
            consultation.questions.append(question)
        consultation.invited = list(db.session.scalars(sa.select(Member).where(Member.active)))
        db.session.add(consultation)
        db.session.flush()
        audit.record(
            db.session, "consultation_created", actor_id=actor_id, consultation_id=consultation.id
        )
    return consultation
