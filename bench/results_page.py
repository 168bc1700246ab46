"""Benchmark the administrators' results page on a large consultation (SQLite).

Seeds a fresh SQLite file with N member states (default 100,000) that each submitted a random
ranking of ten options, half of them truncated at a random length, then times GET
``/admin/consultations/bench/results`` (every method, every instant-runoff round, the
participation tables) through the app's HTTP interface, in CPU time of the process (it reads
the SQLite file itself), as the median of a few runs. Goal: under 2 s.

Usage: ``.venv/bin/python bench/results_page.py [--ballots 100000] [--runs 3]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import bulk
from bench.bulk import OPTIONS, PASSWORD, bench_app

GOAL_SECONDS = 2.0


def seed(db_path: Path, ballots: int, rng: random.Random) -> None:
    """Random rankings of ten options, every second one cut at a random length."""

    def ranking_of(i: int, options: Sequence[int]) -> Sequence[int]:
        ranking = rng.sample(list(options), OPTIONS)
        return ranking[: rng.randint(1, OPTIONS - 1)] if i % 2 else ranking

    bulk.seed(db_path, ballots, ranking_of)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite"
        seed(db_path, args.ballots, random.Random(2010))
        app = bench_app(db_path)
        client = app.test_client()
        client.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
        times = []
        for _ in range(args.runs):
            start = time.process_time()
            response = client.get("/admin/consultations/bench/results")
            times.append(time.process_time() - start)
            assert response.status_code == 200, response.status_code
        runs = ", ".join(f"{t:.2f}" for t in times)
        median = statistics.median(times)
        print(
            f"results page, {args.ballots:,} ballots over {OPTIONS} options: "
            f"median {median:.2f} s CPU (runs: {runs})"
        )
        verdict = "met" if median < GOAL_SECONDS else "NOT met"
        print(
            f"GOAL | results page, {args.ballots:,} ballots | {median:.2f} s CPU"
            f" | < {GOAL_SECONDS:g} s | {verdict}"
        )


if __name__ == "__main__":
    main()
