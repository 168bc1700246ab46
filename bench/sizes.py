"""Pages and actions whose cost must stay flat (or linear) as the data grows, measured at a
small and a large size in alternating rounds.

For each case two fresh SQLite files are seeded with Core bulk inserts, one small and one
large; both apps live in one process and the administrator's request is timed through the
Flask test client on each, alternately (the order rotated every round), in CPU time of the
process (it reads the SQLite files itself), and its SQL statements are counted. The figure is
the median of the per-round ratios large ÷ small.

* audit page, 1,000 and 100,000 events: the newest page, a page filtered by an action that
  occurs once, and a page filtered by member — flat (ratio ≤ 1.5);
* follow-up page of a published consultation with 1,000 and 10,000 write-in suggestions (50
  distinct, differing in case and accents) — linear (ratio ≤ 13 for ten times the data);
* "remind all" for 100 and 1,000 members that have not answered, one delegate each, messages
  delivered in the request (to the console) in batches of 200 — a fixed number of statements
  per batch, none per member, linear time;
* results page with 1,000 and 10,000 responses drawn from the same 50 distinct rankings —
  its cost should follow the distinct rankings, not the responses (ratio ≤ 1.5);
* ``consult consultations import --replace`` of 10 and of 100 draft consultations (three
  questions of five options each) over the same drafts — linear, its statements batched;
* members list, 100 and 2,000 members — one page of fifty shown: flat statements and time
  (ratio ≤ 1.5); the search (accents and case ignored) and the order by the name in the
  reader's language run in SQL over folded copies the member table keeps, with LIMIT/OFFSET.

Usage: ``.venv/bin/python bench/sizes.py [--rounds 5] [--only "results page"]``
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import bulk
from bench.bulk import bench_app
from bench.common import ROUNDS, Goals, alternate, header, median_ratio, spread
from consult.mail.outbox import BATCH

ACTIONS = [
    "ballot_submitted",
    "draft_saved",
    "sign_in",
    "question_updated",
    "option_updated",
    "consultation_updated",
    "reminders_sent",
    "results_exported",
]


def _app(db_path: Path):
    app = bench_app(db_path)
    client = app.test_client()
    client.post("/login", data={"email": "admin@example.org", "password": bulk.PASSWORD})
    return app, client


def _members(conn, count: int, start: int = 0, *, delegates: bool = False) -> list[int]:
    from consult.auth.models import Role, User
    from consult.consultations.models import invitation
    from consult.members.models import Member, MemberKind

    region = conn.execute(sa.text("SELECT id FROM region")).scalar()
    if region is None:
        region = conn.execute(
            sa.text("INSERT INTO region (name, translations) VALUES ('R', '{}')")
        ).lastrowid
    ids = [100_000 + i for i in range(start, start + count)]
    conn.execute(
        sa.insert(Member),
        [
            {"id": i, "code": f"Z{i}", "name": f"Zone {i}", "kind": MemberKind.MEMBER_STATE}
            | {"region_id": region, "active": True, "translations": {}}
            for i in ids
        ],
    )
    conn.execute(sa.insert(invitation), [{"consultation_id": 1, "member_id": i} for i in ids])
    if delegates:
        conn.execute(
            sa.insert(User),
            [
                {"email": f"d{i}@example.org", "name": f"Delegate {i}", "role": Role.DELEGATE}
                | {"member_id": i, "session_nonce": f"n{i}", "active": True}
                for i in ids
            ],
        )
    return ids


def seed_audit(db_path: Path, events: int) -> None:
    from consult.core.audit import AuditEvent
    from consult.extensions import db

    bulk.seed(db_path, 0, lambda i, o: o)
    app = bench_app(db_path)
    now = datetime.now(UTC)
    with app.app_context(), db.engine.begin() as conn:
        members = _members(conn, 100)
        numbered = conn.scalar(sa.select(sa.func.max(AuditEvent.seq))) or 0
        for start in range(0, events, 5000):
            conn.execute(
                sa.insert(AuditEvent),
                [
                    {
                        "at": now - timedelta(seconds=events - i),
                        "actor_id": 1,
                        "action": "options_merged" if i == 10 else ACTIONS[i % len(ACTIONS)],
                        "consultation_id": 1,
                        "member_id": members[i % len(members)],
                        "details": {},
                        "prev_digest": f"{i:064x}",
                        "digest": f"{i + 1:064x}",
                        "seq": numbered + i + 1,
                    }
                    for i in range(start, min(start + 5000, events))
                ],
            )


def seed_follow_up(db_path: Path, write_ins: int) -> None:
    from consult.ballots.models import Answer
    from consult.extensions import db

    spellings = ["Migration et santé", "migration et sante", "MIGRATION ET SANTÉ."]
    bulk.seed(db_path, write_ins, lambda i, options: options[:1])
    app = bench_app(db_path)
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE consultation SET status = 'published', published_at = :now"),
            {"now": datetime.now(UTC).replace(tzinfo=None)},
        )
        question = conn.execute(sa.text("SELECT id FROM question")).scalar()
        conn.execute(
            sa.insert(Answer),
            [
                {
                    "response_id": i,
                    "question_id": question,
                    "option_id": None,
                    "text": f"{spellings[i % 3]} {i % 50}",
                    "selected": False,
                }
                for i in range(1, write_ins + 1)
            ],
        )


def seed_results(db_path: Path, responses: int) -> None:
    """``responses`` ballots drawn from the same 50 distinct rankings of ten options."""
    import random

    rng = random.Random(2010)
    orders = [rng.sample(range(bulk.OPTIONS), rng.randint(1, bulk.OPTIONS)) for _ in range(50)]
    bulk.seed(db_path, responses, lambda i, options: [options[k] for k in orders[i % 50]])


def seed_reminders(db_path: Path, members: int) -> None:
    from consult.extensions import db

    bulk.seed(db_path, 0, lambda i, o: o)
    app = bench_app(db_path)
    with app.app_context(), db.engine.begin() as conn:
        _members(conn, members, delegates=True)


def seed_members(db_path: Path, members: int) -> None:
    from consult.extensions import db

    bulk.seed(db_path, 0, lambda i, o: o)
    app = bench_app(db_path)
    with app.app_context(), db.engine.begin() as conn:
        _members(conn, members, delegates=True)


def measure(app, request: Callable[[], object], reset: Callable[[], None] | None = None):
    """A measure for ``alternate``: (CPU seconds, statements) of one request."""
    from consult.extensions import db

    def run() -> tuple[float, int]:
        if reset:
            with app.app_context():
                reset()
        count = [0]

        def before(*_args: object) -> None:
            count[0] += 1

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        start = time.process_time()
        response = request()
        took = time.process_time() - start
        sa.event.remove(engine, "before_cursor_execute", before)
        assert response.status_code in (200, 302), response.status_code
        return took, count[0]

    return run


def measure_case(
    goals: Goals,
    name: str,
    sizes: tuple[str, str],
    seeds: tuple[Callable[[Path], None], Callable[[Path], None]],
    path: str,
    *,
    method: str = "get",
    reset: Callable[[], None] | None = None,
    limit: float,
    batches: tuple[int, int] | None = None,
    rounds: int,
) -> None:
    """``batches``: the delivery batches at each size, when statements may grow per batch."""
    with tempfile.TemporaryDirectory() as tmp:
        measures = []
        for label, seed in zip(sizes, seeds, strict=True):
            db_path = Path(tmp) / f"{label}.sqlite"
            seed(db_path)
            app, client = _app(db_path)
            call = getattr(client, method)
            measure(app, lambda call=call: call(path), reset)()  # warm up
            measures.append((label, measure(app, lambda call=call: call(path), reset)))
        results = alternate(measures, rounds)
    small, large = (results[label] for label in sizes)
    ratio = median_ratio([t for t, _ in large], [t for t, _ in small])
    ratios = [b[0] / a[0] for a, b in zip(small, large, strict=True)]
    statements = (small[0][1], large[0][1])
    print(
        f"{name:44} {sorted(t for t, _ in small)[len(small) // 2] * 1000:8.1f} ms"
        f" {sorted(t for t, _ in large)[len(large) // 2] * 1000:8.1f} ms  ×{ratio:5.2f}"
        f" ({spread(ratios)})  SQL {statements[0]} / {statements[1]}"
    )
    goals.check(
        f"{name}: CPU {sizes[1]} ÷ {sizes[0]}", f"{ratio:.2f}", f"≤ {limit:g}", ratio <= limit
    )
    if batches:
        per_batch = (statements[1] - statements[0]) / (batches[1] - batches[0])
        goals.check(
            f"{name}: SQL statements added per delivery batch of {BATCH} messages",
            f"{per_batch:.0f} ({statements[0]} at {sizes[0]}, {statements[1]} at {sizes[1]})",
            "≤ 8, none per member",
            per_batch <= 8,
        )
    else:
        goals.check(
            f"{name}: SQL statements at {sizes[0]} and {sizes[1]}",
            f"{statements[0]} and {statements[1]}",
            "equal",
            statements[0] == statements[1],
        )


def yaml_file(count: int) -> str:
    """``count`` draft consultations, three questions of five options each."""
    import yaml

    docs = [
        {
            "slug": f"yaml-{i:04d}",
            "title": f"Consultation {i}",
            "status": "draft",
            "opens_at": "2030-01-01T09:00:00+01:00",
            "closes_at": "2030-02-01T18:00:00+01:00",
            "invite": "all",
            "questions": [
                {
                    "kind": "ranking",
                    "prompt": f"Question {q}",
                    "options": [{"label": f"Option {o}"} for o in range(1, 6)],
                }
                for q in range(1, 4)
            ],
        }
        for i in range(count)
    ]
    return yaml.safe_dump({"consultations": docs}, allow_unicode=True)


def compare_yaml_replace(goals: Goals, rounds: int) -> None:
    """``consult consultations import --replace`` of 10 and of 100 draft consultations."""
    from consult.consultations.importing import import_documents, read_text
    from consult.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        measures = []
        for count in (10, 100):
            db_path = Path(tmp) / f"{count}.sqlite"
            bulk.seed(db_path, 0, lambda i, o: o)
            with bench_app(db_path).app_context(), db.engine.begin() as conn:
                _members(conn, 30)
            app = bench_app(db_path)
            text = yaml_file(count)
            with app.app_context():
                import_documents(read_text(text))  # the drafts that --replace overwrites

            def run(app=app, text=text) -> tuple[float, int]:
                count_ = [0]

                def before(*_args: object) -> None:
                    count_[0] += 1

                with app.app_context():
                    sa.event.listen(db.engine, "before_cursor_execute", before)
                    start = time.process_time()
                    import_documents(read_text(text), replace=True)
                    took = time.process_time() - start
                    sa.event.remove(db.engine, "before_cursor_execute", before)
                return took, count_[0]

            measures.append((f"{count} consultations", run))
        results = alternate(measures, rounds)
    small, large = results["10 consultations"], results["100 consultations"]
    ratio = median_ratio([t for t, _ in large], [t for t, _ in small])
    ratios = [b[0] / a[0] for a, b in zip(small, large, strict=True)]
    per = (small[0][1] / 10, large[0][1] / 100)
    middle = len(small) // 2
    print(
        f"{'YAML import --replace':44} {sorted(t for t, _ in small)[middle] * 1000:8.1f} ms"
        f" {sorted(t for t, _ in large)[middle] * 1000:8.1f} ms  ×{ratio:5.2f}"
        f" ({spread(ratios)})  SQL {small[0][1]} / {large[0][1]}"
    )
    goals.check(
        "YAML import --replace: CPU 100 ÷ 10 consultations", f"{ratio:.2f}", "≤ 13", ratio <= 13
    )
    goals.check(
        "YAML import --replace: SQL statements per consultation",
        f"{per[0]:.1f} at 10, {per[1]:.1f} at 100",
        "≤ 10 (batched), not growing",
        per[1] <= 10 and per[1] <= per[0],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # console mail and migrations
    header("Flat with size")
    goals = Goals("sizes")
    print(f"\n{'case':44} {'small':>11} {'large':>11}  ratio (rounds)       statements")
    r = args.rounds

    def compare(goals: Goals, name: str, *rest: Any, **options: Any) -> None:
        if args.only in name:
            measure_case(goals, name, *rest, **options)

    audit = (lambda p: seed_audit(p, 1_000), lambda p: seed_audit(p, 100_000))
    for name, path in (
        ("audit page, newest events", "/admin/audit/"),
        ("audit page, an action that occurs once", "/admin/audit/?action=options_merged"),
        ("audit page, one member's events", "/admin/audit/?member=100007"),
    ):
        compare(goals, name, ("1k events", "100k events"), audit, path, limit=1.5, rounds=r)
    compare(
        goals,
        "follow-up page",
        ("1k write-ins", "10k write-ins"),
        (lambda p: seed_follow_up(p, 1_000), lambda p: seed_follow_up(p, 10_000)),
        "/admin/consultations/bench/follow-up",
        limit=13,
        rounds=r,
    )

    compare(
        goals,
        "results page, 50 distinct rankings",
        ("1k responses", "10k responses"),
        (lambda p: seed_results(p, 1_000), lambda p: seed_results(p, 10_000)),
        "/admin/consultations/bench/results",
        limit=1.5,
        rounds=r,
    )

    def forget_reminders() -> None:
        from consult.extensions import db

        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM reminder"))
            conn.execute(sa.text("DELETE FROM mail_outbox"))

    compare(
        goals,
        'remind all ("send to all")',
        ("100 members", "1,000 members"),
        (lambda p: seed_reminders(p, 100), lambda p: seed_reminders(p, 1_000)),
        "/admin/consultations/bench/reminders",
        method="post",
        reset=forget_reminders,
        limit=13,
        batches=(1, 5),
        rounds=r,
    )
    if args.only in "YAML import --replace":
        compare_yaml_replace(goals, r)
    compare(
        goals,
        "members list, first page",
        ("100 members", "2,000 members"),
        (lambda p: seed_members(p, 100), lambda p: seed_members(p, 2_000)),
        "/admin/members",
        limit=1.5,
        rounds=r,
    )


if __name__ == "__main__":
    main()
