"""`consult audit verify` at growing sizes: time and memory of one verification.

For each size N it seeds a fresh database with N revisions (N/5 member states, five
submissions each of a three-option ranking), one `ballot_submitted` audit event per revision
chained as the app chains them, each revision's digest, receipt (HMAC with a receipt key,
over the content and the audit head) and head, and the answer rows of each latest revision —
written with Core inserts through the app's own functions (`receipts`, `core.audit`,
`ballots.rules.answer_rows`), so the verifier finds everything intact. Then it runs the
verification in a fresh Python process: the wall time of the verification alone, and that
process's resident memory (VmRSS) just before it and at its peak while it runs (sampled every
5 ms by a thread). The goal is judged on the growth during the verification; the whole
process's peak (Flask, SQLAlchemy and the app loaded) is printed beside it.

    .venv/bin/python bench/audit_verify.py                          # 1k, 10k, 100k on SQLite
    .venv/bin/python bench/audit_verify.py --database postgresql    # the same on PostgreSQL
    .venv/bin/python bench/audit_verify.py --sizes 1000,10000

Goal (issue 13): memory under 50 MB at 100k revisions, time linear in the size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
PER_MEMBER = 5
BATCH = 5000
PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def make_app(url: str, keys: Path):
    from consult import create_app

    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "RECEIPT_KEYS_FILE": str(keys)})


def seed(url: str, keys: Path, revisions: int) -> None:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from consult.ballots import receipts
    from consult.ballots.models import Answer, Response, ResponseStatus, Revision
    from consult.ballots.rules import ANSWER_COLUMNS, answer_rows, ballot_from_canonical
    from consult.consultations.models import Consultation
    from consult.consultations.services import create_consultation
    from consult.core import audit
    from consult.core.anchors import Head
    from consult.core.audit import GENESIS, AuditEvent
    from consult.core.keys import signing_key
    from consult.extensions import db
    from consult.members.models import Member, MemberKind, Region

    app = make_app(url, keys)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        start = datetime.now(UTC)
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
                        "options": [{"label": f"O{i}"} for i in (1, 2, 3)],
                    }
                ],
            },
            start,
        )
        consultation = db.session.scalars(sa.select(Consultation)).one()
        question = consultation.questions[0]
        options = [o.id for o in question.options]
        contents = [
            {
                "questions": [
                    {
                        "question": question.id,
                        "ranking": options[i:] + options[:i],
                        "selected": [],
                        "value": None,
                        "no_opinion": False,
                        "text": "",
                        "write_in": "",
                        "comments": {},
                    }
                ],
                "comment": "",
            }
            for i in range(3)
        ]
        key = signing_key()
        cid = consultation.id
        seq, head = db.session.execute(
            sa.select(AuditEvent.seq, AuditEvent.digest).order_by(AuditEvent.seq.desc()).limit(1)
        ).first() or (0, GENESIS)
        db.session.commit()
        members = revisions // PER_MEMBER
        with db.engine.begin() as conn:
            region = conn.execute(sa.insert(Region).values(name="Bench")).inserted_primary_key[0]
        for first in range(0, members, BATCH // PER_MEMBER):
            block = range(first, min(first + BATCH // PER_MEMBER, members))
            with db.engine.begin() as conn:
                conn.execute(
                    sa.insert(Member),
                    [
                        {
                            "id": 10 + m,
                            "code": f"M{m:06d}",
                            "name": f"Member {m}",
                            "kind": MemberKind.MEMBER_STATE,
                            "region_id": region,
                            "active": True,
                        }
                        for m in block
                    ],
                )
                events, stored, responses, answers = [], [], [], []
                for m in block:
                    response_id = 10 + m
                    previous = receipts.GENESIS
                    for number in range(1, PER_MEMBER + 1):
                        content = contents[(m + number) % 3]
                        at = start + timedelta(microseconds=len(events))
                        digest = receipts.chain_digest(previous, response_id, number, content)
                        seq += 1
                        fields = SimpleNamespace(
                            at=at,
                            actor_id=None,
                            action="ballot_submitted",
                            consultation_id=cid,
                            member_id=10 + m,
                            request_id=None,
                            details={"revision": number, "digest": digest, "previous": previous},
                        )
                        event_digest = audit._digest(head, audit._fields(fields))
                        events.append(
                            {
                                **vars(fields),
                                "seq": seq,
                                "prev_digest": head,
                                "digest": event_digest,
                            }
                        )
                        head = event_digest
                        receipt = receipts.receipt_code(
                            key.secret, response_id, number, content, Head(seq, event_digest)
                        )
                        stored.append(
                            {
                                "response_id": response_id,
                                "number": number,
                                "content": content,
                                "digest": digest,
                                "receipt": receipt,
                                "key_id": key.id,
                                "audit_seq": seq,
                                "audit_digest": event_digest,
                                "created_at": at,
                            }
                        )
                        previous = digest
                    responses.append(
                        {
                            "id": response_id,
                            "consultation_id": cid,
                            "member_id": 10 + m,
                            "status": ResponseStatus.SUBMITTED,
                            "version": PER_MEMBER,
                            "revision": PER_MEMBER,
                            "comment": "",
                            "submitted_at": at,
                            "receipt": receipt,
                            "updated_at": at,
                        }
                    )
                    for row in answer_rows(ballot_from_canonical(content)):
                        answers.append(
                            {
                                "response_id": response_id,
                                **dict(zip(ANSWER_COLUMNS, row, strict=True)),
                            }
                        )
                conn.execute(sa.insert(Response), responses)
                conn.execute(sa.insert(AuditEvent), events)
                conn.execute(sa.insert(Revision), stored)
                conn.execute(sa.insert(Answer), answers)
        db.engine.dispose()


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def measure(url: str, keys: Path) -> dict[str, float]:
    """Run in a fresh process: the verification alone, its time, and the resident memory
    sampled every 5 ms while it runs (its peak above the resident memory just before)."""
    import threading

    from consult.audit.verify import verify_all
    from consult.extensions import db

    app = make_app(url, keys)
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # connected, modules loaded
        before = _rss_mb()
        peak = [before]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.005):
                peak[0] = max(peak[0], _rss_mb())

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.perf_counter()
        report = verify_all(db.session)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        peak[0] = max(peak[0], _rss_mb())
    return {
        "seconds": seconds,
        "rss_before_mb": before,
        "rss_peak_mb": peak[0],
        "growth_mb": peak[0] - before,
        "revisions": report.revisions,
        "events": report.events,
        "intact": report.intact,
    }


def database(kind: str, tmp: Path, size: int):
    if kind == "sqlite":
        return f"sqlite:///{tmp / f'verify-{size}.sqlite'}", None
    import psycopg

    name = f"consult_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", name


def drop(name: str | None) -> None:
    if name:
        import psycopg

        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--measure", nargs=2, metavar=("URL", "KEYS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]))))
        return
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        os.environ["CONSULT_INSTANCE_DIR"] = str(tmp)
        keys = tmp / "receipt-keys"
        print(
            f"audit verify, {args.database}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
        )
        print(
            "revisions | seed s | verify s | µs per revision | process before / peak MB "
            "| growth MB | intact"
        )
        per = []
        for size in (int(s) for s in args.sizes.split(",")):
            url, name = database(args.database, tmp, size)
            try:
                started = time.perf_counter()
                seed(url, keys, size)
                seeded = time.perf_counter() - started
                out = subprocess.run(
                    [sys.executable, __file__, "--measure", url, str(keys)],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                )
                result = json.loads(out.stdout.strip().splitlines()[-1])
            finally:
                drop(name)
            per.append((size, result["seconds"] / size))
            print(
                f"{result['revisions']:>9,} | {seeded:6.1f} | {result['seconds']:8.2f} | "
                f"{1e6 * result['seconds'] / size:15.1f} | "
                f"{result['rss_before_mb']:.1f} / {result['rss_peak_mb']:.1f} | "
                f"{result['growth_mb']:9.1f} | {result['intact']}"
            )
        largest = per[-1]
        growth_ok = result["growth_mb"] < 50
        linear = largest[1] <= 1.5 * min(p for _s, p in per)
        print(
            f"goal memory < 50 MB at {largest[0]:,}: growth {result['growth_mb']:.1f} MB "
            f"({'met' if growth_ok else 'NOT MET'}); whole process {result['rss_peak_mb']:.1f} MB "
            f"({'met' if result['rss_peak_mb'] < 50 else 'not met'})"
        )
        print(
            f"goal time linear: per-revision cost at the largest size within 1.5x of the "
            f"smallest per-revision cost ({'met' if linear else 'NOT MET'})"
        )


if __name__ == "__main__":
    main()
