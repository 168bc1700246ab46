"""``consult demo``: the sample membership, accounts, consultations and answers."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from consult.auth.models import Role, User
from consult.auth.services import create_user
from consult.ballots import services as ballots
from consult.ballots.rules import comment_field, rank_field
from consult.consultations.importing import import_documents, read_text
from consult.consultations.models import Consultation
from consult.core import clock
from consult.documents.transfer import store_files
from consult.extensions import db
from consult.members.models import Member
from consult.members.services import import_members, seed_regions

HERE = Path(__file__).parent
PASSWORD = "consult-demo-2010"  # noqa: S105 - published demo password
ADMIN_EMAIL = "admin@example.org"
FRENCH = {"FRA", "SEN", "MAR", "CIV"}
SPANISH = {"MEX", "PER", "COL", "ESP", "ARG"}
REGIONS = {
    "Africa": {"fr": "Afrique", "es": "África"},
    "Americas": {"fr": "Amériques", "es": "Américas"},
    "Asia and the Pacific": {"fr": "Asie et Pacifique", "es": "Asia y el Pacífico"},
    "Europe": {"fr": "Europe", "es": "Europa"},
    "Middle East": {"fr": "Moyen-Orient", "es": "Oriente Medio"},
}


def delegate_email(code: str) -> str:
    return f"{code.lower()}@delegates.example.org"


SECOND_DELEGATE = "che.second@delegates.example.org"


class NotDemoData(RuntimeError):
    """The database holds data the demo did not write: loading the demo there could give the
    published demo password to accounts of a real membership."""

    def __init__(self, found: list[str]) -> None:
        super().__init__(", ".join(found))
        self.found = found


def _demo_codes() -> set[str]:
    with (HERE / "members.csv").open(encoding="utf-8", newline="") as f:
        return {row["code"].strip().upper() for row in csv.DictReader(f)}


def _demo_slugs() -> set[str]:
    data = yaml.safe_load((HERE / "consultations.yaml").read_text(encoding="utf-8"))
    return {str(c["slug"]) for c in data["consultations"]}


def foreign_data(limit: int = 3) -> list[str]:
    """Members, accounts and consultations the demo would not have written (a few of each)."""
    codes = _demo_codes()
    emails = {ADMIN_EMAIL, SECOND_DELEGATE, *(delegate_email(c) for c in codes)}
    found = [
        f"member {code}"
        for code in db.session.scalars(
            sa.select(Member.code).where(Member.code.not_in(codes)).order_by(Member.code)
        ).all()[:limit]
    ]
    found += [
        f"account {email}"
        for email in db.session.scalars(
            sa.select(User.email).where(User.email.not_in(emails)).order_by(User.email)
        ).all()[:limit]
    ]
    found += [
        f"consultation {slug}"
        for slug in db.session.scalars(
            sa.select(Consultation.slug)
            .where(Consultation.slug.not_in(_demo_slugs()))
            .order_by(Consultation.slug)
        ).all()[:limit]
    ]
    return found


def load_demo(*, force: bool = False) -> Iterator[str]:
    """Load what is missing; running it twice changes nothing.

    Refuses (:class:`NotDemoData`) when the database holds members, accounts or consultations
    that are not the demo's, unless ``force``. Even then, accounts with the demo password are
    created only for the members this run creates, and the demo administrator only in a
    database without any account.
    """
    found = foreign_data()
    if found and not force:
        raise NotDemoData(found)
    without_accounts = db.session.scalar(sa.select(User.id).limit(1)) is None
    before = set(db.session.scalars(sa.select(Member.code)))
    regions = seed_regions(REGIONS)
    if regions:
        yield f"regions: {regions} created"
    created, _updated = import_members((HERE / "members.csv").read_text(encoding="utf-8"))
    yield f"members: {created} created"
    new_codes = set(db.session.scalars(sa.select(Member.code))) - before
    yield from _accounts(new_codes, administrator=without_accounts)
    now = clock.now()
    # The same path as `consult consultations import`, with the demo's relative times and
    # answers as extensions of the format.
    docs = read_text(
        (HERE / "consultations.yaml").read_text(encoding="utf-8"),
        now=now,
        extra_keys={"answers"},
    )
    existing = set(db.session.scalars(sa.select(Consultation.slug)))
    docs = [doc for doc in docs if doc.slug not in existing]
    store_files(docs, HERE / "files")
    for doc in docs:
        (consultation,) = import_documents([doc])
        answered = sum(_answer(consultation.slug, a, now) for a in doc.extra.get("answers", []))
        yield f"consultation {consultation.slug}: created, {answered} demo answers"


def _accounts(new_codes: set[str], *, administrator: bool) -> Iterator[str]:
    """The demo's accounts: delegates of the members this run created, and the administrator
    when the database had no account at all."""
    emails = set(db.session.scalars(sa.select(User.email)))
    if administrator and ADMIN_EMAIL not in emails:
        create_user(ADMIN_EMAIL, role=Role.ADMIN, name="IDM Secretariat", password=PASSWORD)
        yield f"administrator: {ADMIN_EMAIL}"
    count = 0
    members = db.session.scalars(
        sa.select(Member).where(Member.code.in_(new_codes)).order_by(Member.code)
    ).all()
    for member in members:
        email = delegate_email(member.code)
        if email in emails:
            continue
        locale = "fr" if member.code in FRENCH else "es" if member.code in SPANISH else None
        create_user(
            email,
            role=Role.DELEGATE,
            name=f"{member.name} delegate",
            member_code=member.code,
            password=PASSWORD,
            locale=locale,
        )
        count += 1
    if "CHE" in new_codes and SECOND_DELEGATE not in emails:
        create_user(
            SECOND_DELEGATE,
            role=Role.DELEGATE,
            name="Switzerland second delegate",
            member_code="CHE",
            password=PASSWORD,
        )
        count += 1
    yield f"delegates: {count} created"


def _answer(slug: str, entry: dict[str, Any], now) -> int:
    """Give one demo answer through the real submit path; 1 if stored."""
    user = db.session.scalar(sa.select(User).where(User.email == delegate_email(entry["by"])))
    consultation = ballots.load_consultation(slug)
    if user is None or consultation is None:
        return 0
    form: dict[str, list[str]] = {}
    for question, value in zip(consultation.questions, entry.get("values", []), strict=False):
        if not value:
            continue
        options = {i: o.id for i, o in enumerate(question.options, start=1)}
        for rank, position in enumerate(value.get("ranking") or [], start=1):
            form[rank_field(question.id, options[position])] = [str(rank)]
        choice = value.get("choice")
        if choice is not None:
            picks = choice if isinstance(choice, list) else [choice]
            form[f"q{question.id}-choice"] = [str(options[p]) for p in picks]
        if "value" in value:
            form[f"q{question.id}-value"] = [str(value["value"]) if value["value"] else "none"]
        if value.get("text"):
            form[f"q{question.id}-text"] = [value["text"]]
        if value.get("number") is not None:
            form[f"q{question.id}-number"] = [str(value["number"])]
        for position, point in enumerate(value.get("grid") or [], start=1):
            form[f"q{question.id}-value-{options[position]}"] = [str(point) if point else "none"]
        if value.get("write_in"):
            form[f"q{question.id}-writein"] = [value["write_in"]]
        for position, text in (value.get("comments") or {}).items():
            form[comment_field(question.id, options[int(position)])] = [text]
    if entry.get("comment"):
        form["comment"] = [entry["comment"]]
    if user.member_id is None:
        raise ValueError(f"{user.email} answers for no member state")
    response = ballots.current_response(consultation.id, user.member_id)
    with clock.freeze(now - timedelta(days=entry.get("days_ago", 1))):
        outcome = ballots.save(
            consultation,
            user,
            form,
            submit=entry.get("action", "submit") == "submit",
            base_version=response.version if response else 0,
            token="",
        )
    if isinstance(outcome, list):
        raise ValueError(f"demo answer of {entry['by']} to {slug} is invalid: {outcome}")
    return 1
