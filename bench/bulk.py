"""Bulk seeding for the benchmarks: one ten-option ranking consultation, N member states that
each submitted a ranking, written with Core inserts (the submit path has its own benchmark)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

OPTIONS = 10
PASSWORD = "bench-password-2010"
BATCH = 5000


def bench_app(db_path: Path):
    """The app on a SQLite file, without CSRF and rate limits (the client is a script)."""
    from consult import create_app

    return create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        },
    )


def seed(db_path: Path, ballots: int, ranking_of: Callable[[int, Sequence[int]], Sequence[int]]):
    """Migrate ``db_path``, add an administrator and the consultation ``bench``, then
    ``ballots`` submitted responses; response ``i`` ranks ``ranking_of(i, option_ids)``."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from consult.auth.models import Role
    from consult.auth.services import create_user
    from consult.ballots.models import Answer, Response
    from consult.consultations.models import Consultation, invitation
    from consult.consultations.services import create_consultation
    from consult.extensions import db
    from consult.members.models import Member, MemberKind, Region

    app = bench_app(db_path)
    now = datetime.now(UTC)
    with app.app_context():
        upgrade(directory=str(Path(__file__).parents[1] / "migrations"))
        create_user("admin@example.org", role=Role.ADMIN, password=PASSWORD)
        create_consultation(
            {
                "slug": "bench",
                "title": "Benchmark",
                "status": "open",
                "opens_in_days": -1,
                "closes_in_days": 1,
                "questions": [
                    {
                        "kind": "ranking",
                        "prompt": "Rank",
                        "options": [{"label": f"Option {i}"} for i in range(1, OPTIONS + 1)],
                    }
                ],
            },
            now,
        )
        consultation = db.session.scalars(sa.select(Consultation)).one()
        option_ids = [o.id for o in consultation.questions[0].options]
        cid, qid = consultation.id, consultation.questions[0].id
        with db.engine.begin() as conn:
            region = conn.execute(sa.insert(Region).values(name="Bench")).inserted_primary_key[0]
            for start in range(0, ballots, BATCH):
                ids = range(start + 1, min(start + BATCH, ballots) + 1)
                conn.execute(
                    sa.insert(Member),
                    [
                        {
                            "id": 1000 + i,
                            "code": f"M{i:06d}",
                            "name": f"Member state {i}",
                            "kind": MemberKind.MEMBER_STATE,
                            "region_id": region,
                            "active": True,
                            "translations": {},
                        }
                        for i in ids
                    ],
                )
                conn.execute(
                    sa.insert(invitation),
                    [{"consultation_id": cid, "member_id": 1000 + i} for i in ids],
                )
                conn.execute(
                    sa.insert(Response),
                    [
                        {
                            "id": i,
                            "consultation_id": cid,
                            "member_id": 1000 + i,
                            "status": "submitted",
                            "version": 1,
                            "revision": 1,
                            "comment": "",
                            "submitted_at": now - timedelta(minutes=i % 500),
                            "receipt": f"BENCH-{i:06d}",
                            "updated_at": now,
                        }
                        for i in ids
                    ],
                )
                rankings = {i: list(ranking_of(i, option_ids)) for i in ids}
                conn.execute(
                    sa.insert(Answer),
                    [
                        {
                            "response_id": i,
                            "question_id": qid,
                            "option_id": option,
                            "rank": rank,
                            "selected": False,
                            # the whole ranking on its first row, as the submit path writes it
                            "ranking_key": ",".join(map(str, rankings[i])) if rank == 1 else None,
                        }
                        for i in ids
                        for rank, option in enumerate(rankings[i], start=1)
                    ],
                )
