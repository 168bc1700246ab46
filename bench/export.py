"""Benchmark the streamed responses CSV against a bare csv.writer over a plain SQL cursor.

For each size (answers in the database) it seeds a fresh SQLite file — member states, one
consultation with a ten-option ranking question, every response ranking all ten options, so
one response = ten answer rows — then, in a fresh process per size, it:

* downloads ``SLUG-responses.csv`` over the app's HTTP interface (an administrator's POST,
  through the Flask test client, streamed chunk by chunk and thrown away), measuring the time
  and the growth of the process's peak resident memory (``VmHWM`` reset before the download);
* streams the same answer rows (same joins, same order) from a plain ``sqlite3`` cursor into a
  bare ``csv.writer``, measuring the time.

Usage: ``.venv/bin/python bench/export.py [--answers 10000,100000,1000000]``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bulk
from bulk import OPTIONS, PASSWORD, bench_app


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


def measure(db_path: Path) -> dict[str, float]:
    """Run in a fresh process: time and memory of our export, then of the bare baseline."""
    app = bench_app(db_path)
    client = app.test_client()
    client.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
    # Warm up imports and templates on a tiny request, then reset the peak-memory counter.
    client.get("/")
    Path("/proc/self/clear_refs").write_text("5")
    before = _status("VmRSS")
    start = time.perf_counter()
    response = client.post("/admin/consultations/bench/export/responses.csv", buffered=False)
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.response)
    ours = time.perf_counter() - start
    growth = _status("VmHWM") - before
    response.close()

    query = """
        SELECT r.id, m.code, m.name, m.translations, m.kind, g.name, r.status, r.revision,
               r.submitted_at, u.name, r.receipt, a.question_id, a.option_id, a.rank,
               a.selected, a.value, a.text
        FROM response r JOIN member m ON m.id = r.member_id JOIN region g ON g.id = m.region_id
        LEFT JOIN user_account u ON u.id = r.submitted_by_id
        LEFT JOIN answer a ON a.response_id = r.id
        WHERE r.consultation_id = 1 ORDER BY r.id
    """
    start = time.perf_counter()
    conn = sqlite3.connect(db_path)
    writer = csv.writer(_Sink())
    rows = 0
    for row in conn.execute(query):
        writer.writerow(row)
        rows += 1
    conn.close()
    bare = time.perf_counter() - start
    return {
        "ours_s": ours,
        "bare_s": bare,
        "growth_mb": growth / 2**20,
        "bytes": size,
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", default="10000,100000,1000000")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    print(
        f"{'answers':>10} {'ours':>8} {'bare':>8} {'ratio':>6} "
        f"{'memory growth':>14} {'CSV size':>10}"
    )
    for answers in (int(a) for a in args.answers.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            db_path = Path(tmp) / "bench.sqlite"
            seed(db_path, answers)
            env = dict(os.environ, CONSULT_INSTANCE_DIR=tmp)
            run = subprocess.run(
                [sys.executable, __file__, "--measure", str(db_path)],
                check=False,
                capture_output=True,
                text=True,
                env=env,
            )
            if run.returncode:
                sys.exit(run.stderr)
            out = run.stdout
            m = json.loads(out.strip().splitlines()[-1])
            print(
                f"{answers:>10,} {m['ours_s']:>7.2f}s {m['bare_s']:>7.2f}s "
                f"{m['ours_s'] / m['bare_s']:>6.2f} {m['growth_mb']:>11.1f} MB "
                f"{m['bytes'] / 2**20:>7.1f} MB"
            )


if __name__ == "__main__":
    main()
