"""What every benchmark shares: alternating A/B rounds, medians of per-round ratios, the CPU
time of server processes, the machine's load, and one way to print a goal.

Single runs one after another swing by several times on a shared machine, so no figure here
compares two runs taken at different moments: each round measures A and B back to back (the
order rotated from round to round) and the published figure is the median of the per-round
ratios. CPU time (user + system, from ``/proc``) moves far less with the load than wall time,
so absolute goals are stated in server CPU per request.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv" / "bin"
TICK = os.sysconf("SC_CLK_TCK")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


def load() -> str:
    """The load average over 1, 5 and 15 minutes, as ``/proc/loadavg`` gives it."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine() -> str:
    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {__import__('sqlite3').sqlite_version}"
    )


def alternate(
    measures: Sequence[tuple[str, Callable[[], Any]]], rounds: int = ROUNDS
) -> dict[str, list[Any]]:
    """Run every measure once per round, in an order rotated by one each round; the results
    of each measure, round by round."""
    results: dict[str, list[Any]] = {name: [] for name, _ in measures}
    for r in range(rounds):
        order = list(measures[r % len(measures) :]) + list(measures[: r % len(measures)])
        for name, measure in order:
            results[name].append(measure())
    return results


def median_ratio(tops: Sequence[float], bottoms: Sequence[float]) -> float:
    """The median of the per-round ratios ``tops[i] / bottoms[i]``."""
    return statistics.median(t / b for t, b in zip(tops, bottoms, strict=True))


def spread(values: Sequence[float]) -> str:
    """``min–max`` of the per-round values, to state the noise beside a median."""
    return f"{min(values):.2f}–{max(values):.2f}"


def percentile(values: Sequence[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]


def process_cpu(pids: Sequence[int]) -> float:
    """Seconds of CPU (user + system) the processes have used so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def children(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@dataclass
class Goals:
    """The goals a benchmark checked, each with its figure and verdict."""

    title: str
    rows: list[tuple[str, str, str, bool]] = field(default_factory=list)

    def check(self, what: str, figure: str, goal: str, met: bool) -> bool:
        self.rows.append((what, figure, goal, met))
        print(f"GOAL | {what} | {figure} | {goal} | {'met' if met else 'NOT met'}", flush=True)
        return met


def header(title: str) -> None:
    print(f"# {title}")
    print(f"# {time.strftime('%Y-%m-%d %H:%M %Z')}; {machine()}; load average {load()}")
    sys.stdout.flush()


def run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=True, text=True, **kwargs)
