"""The streamed responses CSV against a plain stream of the same answer rows.

For each size (answers in the database) it seeds a fresh SQLite file — member states, one
consultation with a ten-option ranking question, every response ranking all ten options, so
one response = ten answer rows — then, in a fresh process per size, alternates rounds of:

* ours: ``SLUG-responses.csv`` downloaded over the app's HTTP interface (an administrator's
  POST through the Flask test client, streamed chunk by chunk and thrown away);
* plain: the same rows the export reads, as plain SQL text streamed from the app's own
  engine and connection settings into a bare ``csv.writer``: each response of the consultation
  with its member, region, submitter and the secretariat's entry (the columns the file shows,
  raw), joined to the answer rows the file needs (no sort, no formatting, no formula check).
  The export reads a ranking whole from the ranking text stored on its first-ranked answer
  row (``Answer.ranking_key``), so neither side reads a ranking's later rows: one row per
  ballot here, where before this change both read one row per ranked option (ten) and the
  plain side read the answer rows alone. Against the old plain stream of every answer row
  the export would look faster than it is; against the answer rows alone it would be
  handicapped by the response columns only it reads.

Times are CPU seconds of the process (it reads the SQLite file itself, so that is all the
work), steadier than wall time on a busy machine. The figure is the median of the per-round
ratios. The first download of each process
also measures the growth of its peak resident memory (``VmHWM``, reset through
``/proc/self/clear_refs`` just before).

Usage: ``.venv/bin/python bench/export.py [--answers 100000,1000000] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import bulk
from bench.bulk import OPTIONS, PASSWORD, bench_app
from bench.common import ROUNDS, Goals, alternate, header, median_ratio, spread


def seed(db_path: Path, answers: int) -> None:
    """``answers`` answer rows: ``answers / 10`` responses, each ranking all ten options."""
    bulk.seed(
        db_path,
        answers // OPTIONS,
        lambda i, options: [options[(i + k) % OPTIONS] for k in range(OPTIONS)],
    )


class _Sink:
    def __init__(self) -> None:
        self.size = 0

    def write(self, data: str) -> int:
        self.size += len(data)
        return len(data)


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def measure(db_path: Path, rounds: int) -> dict[str, object]:
    """Run in a fresh process: memory of the first download, then alternating rounds."""
    import sqlalchemy as sa

    from consult.extensions import db

    app = bench_app(db_path)
    client = app.test_client()
    client.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
    client.get("/")  # imports and templates warmed up before the memory counter is reset

    def ours() -> float:
        start = time.process_time()
        response = client.post("/admin/consultations/bench/export/responses.csv", buffered=False)
        assert response.status_code == 200, response.status_code
        sink["bytes"] = sum(len(chunk) for chunk in response.response)
        response.close()
        return time.process_time() - start

    query = sa.text(
        "SELECT r.id, m.code, m.name, m.translations, m.kind, g.name, r.status, r.revision,"
        " r.submitted_at, s.name, r.receipt, e.id, x.name, e.channel, e.received_on,"
        " e.reference, e.late, e.reason, a.question_id, a.option_id, a.rank, a.selected,"
        " a.value, a.text, a.ranking_key"
        " FROM response r JOIN member m ON m.id = r.member_id JOIN region g ON g.id = m.region_id"
        " LEFT JOIN user_account s ON s.id = r.submitted_by_id"
        " LEFT JOIN ballot_entry e ON e.response_id = r.id AND e.revision = r.revision"
        " LEFT JOIN user_account x ON x.id = e.entered_by_id"
        " LEFT JOIN answer a ON a.response_id = r.id AND (a.rank IS NULL OR a.rank = 1)"
        " WHERE r.consultation_id = 1"
    )

    def plain() -> float:
        start = time.process_time()
        writer = csv.writer(_Sink())
        with app.app_context(), db.engine.connect() as conn:
            for row in conn.execute(query):
                writer.writerow(row)
        return time.process_time() - start

    sink: dict[str, int] = {}
    Path("/proc/self/clear_refs").write_text("5")
    before = _status("VmRSS")
    first = ours()
    growth = _status("VmHWM") - before
    results = alternate([("ours", ours), ("plain", plain)], rounds)
    results["ours"][0] = min(results["ours"][0], first)
    return {"growth_mb": growth / 2**20, "bytes": sink["bytes"], **results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", default="100000,1000000")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.rounds)))
        return
    header("Export")
    goals = Goals("export")
    print(
        f"{'answers':>10} {'ours':>8} {'plain':>8} {'ratio':>6} {'round spread':>12}"
        f" {'memory growth':>14} {'CSV size':>10}"
    )
    sizes = [int(a) for a in args.answers.split(",")]
    figures = {}
    for answers in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            db_path = Path(tmp) / "bench.sqlite"
            seed(db_path, answers)
            env = dict(os.environ, CONSULT_INSTANCE_DIR=tmp)
            rounds = args.rounds if answers <= 100_000 else min(args.rounds, 3)
            run = subprocess.run(
                # Three rounds at most on the largest sizes: each takes seconds.
                [sys.executable, __file__, "--measure", str(db_path), "--rounds", str(rounds)],
                check=False,
                capture_output=True,
                text=True,
                env=env,
            )
            if run.returncode:
                sys.exit(run.stderr)
            m = json.loads(run.stdout.strip().splitlines()[-1])
            ratio = median_ratio(m["ours"], m["plain"])
            ratios = [o / p for o, p in zip(m["ours"], m["plain"], strict=True)]
            figures[answers] = (ratio, m["growth_mb"])
            print(
                f"{answers:>10,} {statistics.median(m['ours']):>7.2f}s"
                f" {statistics.median(m['plain']):>7.2f}s {ratio:>6.2f} {spread(ratios):>12}"
                f" {m['growth_mb']:>11.1f} MB {m['bytes'] / 2**20:>7.1f} MB"
            )
    for answers, (ratio, growth) in figures.items():
        goals.check(
            f"responses CSV time ÷ plain stream, {answers:,} answers",
            f"{ratio:.2f}",
            "≤ 1.5",
            ratio <= 1.5,
        )
        goals.check(
            f"responses CSV memory growth, {answers:,} answers",
            f"{growth:.1f} MB",
            "≤ 16 MB",
            growth <= 16,
        )


if __name__ == "__main__":
    main()
