"""factory_boy factories and a consultation builder for tests."""

from __future__ import annotations

import itertools
import string
from datetime import timedelta
from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory

from consult.auth.models import Role, User
from consult.consultations.models import Consultation
from consult.consultations.services import create_consultation
from consult.core import clock
from consult.extensions import db
from consult.members.models import Member, MemberKind, Region

PASSWORD = "correct horse battery"
_codes = (
    "".join(p) for p in itertools.product("XYZ", string.ascii_uppercase, string.ascii_uppercase)
)


class Base(SQLAlchemyModelFactory):
    """Each object flushed as it is made (its key known to the next), and one commit for the
    whole call: ``UserFactory()`` makes a region, a member and a user, and committing each
    (factory_boy's ``"commit"``) cost three commits and the reloads of what each expired."""

    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"

    @classmethod
    def _generate(cls, strategy: str, params: dict[str, Any]) -> Any:
        """The call's objects committed together (a sub-factory's objects are made inside it,
        not through this)."""
        made = super()._generate(strategy, params)
        if strategy == factory.enums.CREATE_STRATEGY:
            db.session.commit()
        return made


class RegionFactory(Base):
    class Meta:
        model = Region
        sqlalchemy_get_or_create = ("name",)

    name = "Europe"


class MemberFactory(Base):
    class Meta:
        model = Member

    code = factory.LazyFunction(lambda: next(_codes))
    name = factory.LazyAttribute(lambda m: f"State {m.code}")
    kind = MemberKind.MEMBER_STATE
    region = factory.SubFactory(RegionFactory)
    active = True


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"delegate{n}@example.org")
    name = factory.Sequence(lambda n: f"Delegate {n}")
    role = Role.DELEGATE
    member = factory.SubFactory(MemberFactory)
    password_hash = factory.LazyFunction(lambda: _hash())


class AdminFactory(UserFactory):
    email = factory.Sequence(lambda n: f"admin{n}@example.org")
    role = Role.ADMIN
    member = None


_cached: dict[str, str] = {}


def _hash() -> str:
    if "h" not in _cached:
        user = User()
        user.set_password(PASSWORD)
        _cached["h"] = user.password_hash or ""
    return _cached["h"]


THEMES = ("South-South Migration", "Migration and Social Change")


def build_consultation(
    slug: str = "idm-2010",
    *,
    status: str = "open",
    closes_in_days: float = 7,
    observers_may: str = "comment",
    questions: list[dict[str, Any]] | None = None,
) -> Consultation:
    """A consultation inviting every member: a ranking, a choose-2, a Likert and a text question
    unless ``questions`` says otherwise."""
    now = clock.now()
    data = {
        "slug": slug,
        "title": {"en": "IDM 2010 theme", "fr": "Thème du DIM 2010", "es": "Tema del DIM 2010"},
        "reference": "IC/2009/1",
        "summary": "Choose the **theme**.",
        "status": status,
        "opens_in_days": -1,
        "closes_in_days": closes_in_days,
        "observers_may": observers_may,
        "questions": questions
        if questions is not None
        else [
            {
                "kind": "ranking",
                "prompt": "Rank the themes",
                "required": True,
                "allow_write_in": True,
                "allow_option_comments": True,
                "options": [
                    {
                        "label": {
                            "en": THEMES[0],
                            "fr": "Migration Sud-Sud",
                            "es": "Migración Sur-Sur",
                        }
                    },
                    {
                        "label": {
                            "en": THEMES[1],
                            "fr": "Migration et changement social",
                            "es": "Migración y cambio social",
                        }
                    },
                    {"label": "Migration and Health"},
                ],
            },
            {
                "kind": "choose",
                "prompt": "Pick two workshops",
                "min_choices": 2,
                "max_choices": 2,
                "options": [{"label": f"Workshop {i}"} for i in range(1, 5)],
            },
            {
                "kind": "likert",
                "prompt": "How useful were the workshops?",
                "scale": [{"en": f"Point {i}"} for i in range(1, 6)],
                "allow_no_opinion": True,
            },
            {"kind": "text", "prompt": "Suggestions", "max_length": 200},
        ],
    }
    return create_consultation(data, now - timedelta(seconds=1))


def official_winners(consultation_id: int) -> list[int]:
    """The options the count selects (questions without a tie): what an outcome that follows the
    count names."""
    from consult.consultations.outcomes import official_results

    consultation = db.session.get(Consultation, consultation_id)
    assert consultation is not None
    return [o.id for r in official_results(consultation) if r.decided for o in r.winners]
