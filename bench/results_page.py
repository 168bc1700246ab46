"""Benchmark the administrators' results page on a large consultation (SQLite).

Seeds a fresh SQLite file with N member states (default 100,000) that each submitted a random
ranking of ten options, half of them truncated at a random length, then times GET
``/admin/consultations/bench/results`` (every method, every instant-runoff round, the
participation tables) through the app's HTTP interface, as the median of a few runs.

Usage: ``.venv/bin/python bench/results_page.py [--ballots 100000] [--runs 3]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from export import OPTIONS, PASSWORD, _app


def seed(db_path: Path, ballots: int, rng: random.Random) -> None:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from consult.auth.models import Role
    from consult.auth.services import create_user
    from consult.ballots.models import Answer, Response
    from consult.consultations.models import Consultation, invitation
    from consult.consultations.services import create_consultation
    from consult.extensions import db
    from consult.members.models import Member, MemberKind, Region

    app = _app(db_path)
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
            for start in range(0, ballots, 5000):
                ids = range(start + 1, min(start + 5000, ballots) + 1)
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
                            "submitted_at": now,
                            "receipt": f"BENCH-{i:06d}",
                            "updated_at": now,
                        }
                        for i in ids
                    ],
                )
                rows = []
                for i in ids:
                    ranking = rng.sample(option_ids, OPTIONS)
                    if i % 2:
                        ranking = ranking[: rng.randint(1, OPTIONS - 1)]
                    rows += [
                        {
                            "response_id": i,
                            "question_id": qid,
                            "option_id": option,
                            "rank": rank,
                            "selected": False,
                        }
                        for rank, option in enumerate(ranking, start=1)
                    ]
                conn.execute(sa.insert(Answer), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite"
        seed(db_path, args.ballots, random.Random(2010))
        app = _app(db_path)
        client = app.test_client()
        client.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get("/admin/consultations/bench/results")
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
        runs = ", ".join(f"{t:.2f}" for t in times)
        print(
            f"results page, {args.ballots:,} ballots over {OPTIONS} options: "
            f"median {statistics.median(times):.2f} s (runs: {runs})"
        )


if __name__ == "__main__":
    main()
