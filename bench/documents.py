"""The results documents: each format for a Council-sized consultation, and the workbook's
memory at 100,000 responses.

1. A consultation of 175 member states and 20 questions (8 rankings of 8 options, 5 choose-2
   of 6, 4 Likert scales, 2 numbers, 1 free text; results attributed, so every comment and
   answer is in the documents), 160 of the members having submitted, each with comments on
   options and a general comment. Each format (PDF, DOCX, XLSX) is written in French
   three times, everything included: the results read from the database, the document
   composed, the file laid out. The goal is under 5 s per document; the figure is the median
   CPU time of the process (steadier than wall time on the shared machine), with the wall
   time beside it.
2. The XLSX of a consultation with a ten-option ranking answered by 10,000 and by 100,000
   member states (the responses sheet has one row per response), each written in a fresh
   process: the growth of its peak resident memory (``VmHWM``, reset just before) must stay
   flat (XlsxWriter's constant-memory mode writes each row to a temporary file).

Usage: ``.venv/bin/python bench/documents.py [--responses 10000,100000] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import bulk
from bench.bulk import OPTIONS, bench_app
from bench.common import Goals, header

FORMATS = ("pdf", "docx", "xlsx")
MEMBERS, SUBMITTED = 175, 160


def council_questions() -> list[dict[str, object]]:
    questions: list[dict[str, object]] = []
    for n in range(1, 9):
        questions.append(
            {
                "kind": "ranking",
                "prompt": f"Classez les thèmes, série {n}",
                "allow_write_in": True,
                "allow_option_comments": True,
                "options": [{"label": f"Thème {n}.{i} : migration et société"} for i in range(8)],
            }
        )
    for n in range(1, 6):
        questions.append(
            {
                "kind": "choose",
                "prompt": f"Choisissez deux ateliers, série {n}",
                "min_choices": 1,
                "max_choices": 2,
                "options": [{"label": f"Atelier {n}.{i}"} for i in range(6)],
            }
        )
    for n in range(1, 5):
        questions.append(
            {
                "kind": "likert",
                "prompt": f"Utilité de la session {n}",
                "scale": [{"en": f"Point {i}"} for i in range(1, 6)],
                "allow_no_opinion": True,
            }
        )
    questions += [{"kind": "number", "prompt": f"Nombre d’experts, série {n}"} for n in range(1, 3)]
    questions.append({"kind": "text", "prompt": "Suggestions", "max_length": 500})
    return questions


def seed_council(db_path: Path) -> None:
    """175 member states in five regions, 160 of them submitted, 20 questions answered."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from consult.auth.models import Role
    from consult.auth.services import create_user
    from consult.ballots.models import Answer, Response
    from consult.consultations.models import Consultation, invitation
    from consult.consultations.services import create_consultation
    from consult.extensions import db
    from consult.members.models import Member, MemberKind, Region

    rng = random.Random(2010)
    app = bench_app(db_path)
    now = datetime.now(UTC)
    with app.app_context():
        upgrade(directory=str(Path(__file__).parents[1] / "migrations"))
        create_user("admin@example.org", role=Role.ADMIN, password=bulk.PASSWORD)
        create_consultation(
            {
                "slug": "council",
                "title": {"en": "Council consultation", "fr": "Consultation du Conseil"},
                "reference": "C/110/1",
                "status": "open",
                "opens_in_days": -10,
                "closes_in_days": 1,
                "results_attributed": True,
                "questions": council_questions(),
            },
            now,
        )
        consultation = db.session.scalars(sa.select(Consultation)).one()
        cid = consultation.id
        questions = [(q.id, str(q.kind), [o.id for o in q.options]) for q in consultation.questions]
        answers: list[dict[str, object]] = []
        with db.engine.begin() as conn:
            regions = [
                conn.execute(sa.insert(Region).values(name=name)).inserted_primary_key[0]
                for name in ("Africa", "Americas", "Asia and the Pacific", "Europe", "Middle East")
            ]
            conn.execute(
                sa.insert(Member),
                [
                    {
                        "id": 1000 + i,
                        "code": f"M{i:03d}",
                        "name": f"État membre {i}",
                        "kind": MemberKind.MEMBER_STATE,
                        "region_id": regions[i % len(regions)],
                        "active": True,
                        "translations": {},
                    }
                    for i in range(1, MEMBERS + 1)
                ],
            )
            conn.execute(
                sa.insert(invitation),
                [{"consultation_id": cid, "member_id": 1000 + i} for i in range(1, MEMBERS + 1)],
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
                        "comment": f"Commentaire général de l’État membre {i}.",
                        "submitted_at": now - timedelta(minutes=i),
                        "receipt": f"BENCH-{i:06d}",
                        "updated_at": now,
                    }
                    for i in range(1, SUBMITTED + 1)
                ],
            )
            for i in range(1, SUBMITTED + 1):
                for qid, kind, options in questions:
                    answers += _answers(rng, i, qid, kind, options)
            conn.execute(sa.insert(Answer), answers)


def _answers(
    rng: random.Random, response: int, qid: int, kind: str, options: list[int]
) -> list[dict[str, object]]:
    base = {
        "response_id": response,
        "question_id": qid,
        "option_id": None,
        "rank": None,
        "selected": False,
        "value": None,
        "text": None,
        "ranking_key": None,
    }
    if kind == "ranking":
        ranked = rng.sample(options, rng.randint(3, len(options)))
        rows = [{**base, "option_id": o, "rank": r} for r, o in enumerate(ranked, start=1)]
        rows[0]["text"] = f"Priorité {response}."  # a comment on the option ranked first
        rows[0]["ranking_key"] = ",".join(map(str, ranked))  # as the submit path writes it
        if response % 4 == 0:
            rows.append({**base, "option_id": None, "text": f"Migration et climat {response % 7}"})
        return rows
    if kind == "choose":
        return [{**base, "option_id": o, "selected": True} for o in rng.sample(options, 2)]
    if kind == "likert":
        return [{**base, "option_id": None, "value": rng.choice([1, 2, 3, 4, 5, 0])}]
    if kind == "number":
        return [{**base, "option_id": None, "text": str(rng.randint(0, 40))}]
    return [{**base, "option_id": None, "text": f"Suggestion de l’État membre {response}."}]


def time_formats(db_path: Path, rounds: int) -> dict[str, list[tuple[float, float, int]]]:
    """Each format ``rounds`` times: (CPU seconds, wall seconds, bytes)."""
    from consult.ballots.services import load_consultation
    from consult.results import documents

    app = bench_app(db_path)
    out: dict[str, list[tuple[float, float, int]]] = {fmt: [] for fmt in FORMATS}
    with app.app_context():
        for _round in range(rounds):
            for fmt in FORMATS:
                consultation = load_consultation("council")
                sink = io.BytesIO()
                cpu, wall = time.process_time(), time.perf_counter()
                documents.write(consultation, fmt, "fr", sink)
                out[fmt].append(
                    (time.process_time() - cpu, time.perf_counter() - wall, len(sink.getvalue()))
                )
    return out


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def measure_xlsx(db_path: Path) -> dict[str, float]:
    """In a fresh process: the workbook written once, its peak memory growth and its time."""
    from consult.ballots.services import load_consultation
    from consult.results import documents

    app = bench_app(db_path)
    with app.app_context(), tempfile.TemporaryFile() as out:
        consultation = load_consultation("bench")
        documents.write(consultation, "pdf", "en", io.BytesIO())  # imports and fonts loaded
        consultation = load_consultation("bench")
        Path("/proc/self/clear_refs").write_text("5")
        before = _status("VmRSS")
        cpu, wall = time.process_time(), time.perf_counter()
        documents.write(consultation, "xlsx", "en", out)
        return {
            "growth_mb": (_status("VmHWM") - before) / 2**20,
            "cpu": time.process_time() - cpu,
            "wall": time.perf_counter() - wall,
            "bytes": out.tell(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", default="10000,100000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_xlsx(args.measure)))
        return
    header("Results documents")
    goals = Goals("documents")
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "council.sqlite"
        os.environ["CONSULT_INSTANCE_DIR"] = tmp
        seed_council(db_path)
        figures = time_formats(db_path, args.rounds)
    print(f"{'format':>6} {'CPU (median)':>13} {'wall (median)':>14} {'rounds (wall)':>20}", end="")
    print(f" {'size':>9}")
    for fmt, rows in figures.items():
        cpu = statistics.median(r[0] for r in rows)
        wall = statistics.median(r[1] for r in rows)
        walls = "–".join(
            f"{r[1]:.2f}" for r in (min(rows, key=lambda r: r[1]), max(rows, key=lambda r: r[1]))
        )
        print(f"{fmt:>6} {cpu:>12.2f}s {wall:>13.2f}s {walls:>20} {rows[0][2] / 1024:>6.0f} KB")
        goals.check(
            f"{fmt.upper()}, 175 members and 20 questions (French): CPU time",
            f"{cpu:.2f} s (wall {wall:.2f} s)",
            "< 5 s",
            cpu < 5,
        )
    sizes = [int(n) for n in args.responses.split(",")]
    growth = {}
    print(f"\n{'responses':>10} {'memory growth':>14} {'CPU':>8} {'wall':>8} {'XLSX size':>10}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            db_path = Path(tmp) / "bench.sqlite"
            bulk.seed(
                db_path, n, lambda i, options: [options[(i + k) % OPTIONS] for k in range(OPTIONS)]
            )
            run = subprocess.run(
                [sys.executable, __file__, "--measure", str(db_path)],
                check=False,
                capture_output=True,
                text=True,
                env=dict(os.environ, CONSULT_INSTANCE_DIR=tmp),
            )
            if run.returncode:
                sys.exit(run.stderr)
            m = json.loads(run.stdout.strip().splitlines()[-1])
            growth[n] = m["growth_mb"]
            print(
                f"{n:>10,} {m['growth_mb']:>11.1f} MB {m['cpu']:>7.1f}s {m['wall']:>7.1f}s"
                f" {m['bytes'] / 2**20:>7.1f} MB"
            )
    small, large = min(sizes), max(sizes)
    goals.check(
        f"XLSX memory growth, {large:,} responses against {small:,}",
        f"{growth[large]:.1f} MB against {growth[small]:.1f} MB",
        "within 8 MB (flat) and ≤ 32 MB",
        growth[large] <= growth[small] + 8 and growth[large] <= 32,
    )


if __name__ == "__main__":
    main()
