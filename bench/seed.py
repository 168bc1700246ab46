"""Seed the benchmark database: an administrator, N member states with a delegate each, one
open consultation with a five-option ranking question and one published consultation."""

from __future__ import annotations

import sys

import pycountry
import sqlalchemy as sa

from consult import create_app
from consult.auth.models import Role
from consult.auth.services import create_user
from consult.ballots.models import Revision
from consult.consultations.services import create_consultation
from consult.core import clock
from consult.extensions import db
from consult.members.services import ANY_REGION, import_members


def main() -> None:
    app = create_app()
    with app.app_context():
        if sys.argv[1] == "--count-revisions":
            print(db.session.scalar(sa.select(sa.func.count()).select_from(Revision)))
            return
        n = int(sys.argv[1])
        codes = sorted(c.alpha_3 for c in pycountry.countries)[:n]
        rows = "\n".join(f"{c},Bench {c},member_state,Europe" for c in codes)
        import_members("code,name,kind,region\n" + rows + "\n", new_regions=[ANY_REGION])
        create_user("admin@example.org", role=Role.ADMIN, password="consult-demo-2010")
        for i, code in enumerate(codes):
            create_user(
                f"bench{i}@example.org",
                role=Role.DELEGATE,
                member_code=code,
                password="consult-demo-2010",
            )
        create_consultation(
            {
                "slug": "bench",
                "title": "Benchmark",
                "status": "open",
                "opens_in_days": -1,
                "closes_in_days": 1,
                "observers_may": "vote",
                "questions": [
                    {
                        "kind": "ranking",
                        "prompt": "Rank",
                        "required": True,
                        "options": [{"label": f"Option {i}"} for i in range(1, 6)],
                    },
                ],
            },
            clock.now(),
        )
        # A published consultation, for the delegates' results page.
        create_consultation(
            {
                "slug": "bench-published",
                "title": "Benchmark, published",
                "status": "published",
                "opens_in_days": -10,
                "closes_in_days": -1,
                "published_at": clock.now().isoformat(),
                "outcome": "The membership has selected *Option 1*.",
                "questions": [
                    {
                        "kind": "ranking",
                        "prompt": "Rank",
                        "options": [{"label": f"Option {i}"} for i in range(1, 6)],
                    },
                ],
            },
            clock.now(),
        )


if __name__ == "__main__":
    main()
