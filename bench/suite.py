"""``make test`` against the suite as it was before the speed work (commit 9aa3964), in
alternating rounds.

The earlier tree is unpacked from git into a temporary folder (its catalogs compiled) and both
suites run on SQLite with this checkout's virtual environment, each with its own tree's ``make
test`` command (``pytest -n N``, N read from that tree's Makefile), one after the other, the
order swapped every round. For each run: the wall time and the CPU time (user + system of
pytest, its workers and the browsers they start, counted even when they outlive the driver
that started them). The figure is the median of the per-round ratios now ÷ before. As ``make
test``, both keep their compiled modules (``PYTHONDONTWRITEBYTECODE`` unset for both).

Beside it, for information, the same comparison on the tests both trees have (the same node
ids): the suite has since grown with other issues' tests, so this is what the speed work did
to the same checks. The goal stays on the whole of ``make test``.

Usage: ``.venv/bin/python bench/suite.py [--base 9aa3964] [--rounds 2]``
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, VENV, Goals, alternate, header, load, median_ratio, spread

GOAL = 0.5
#: prctl(2): the calling process adopts its descendants' orphans.
PR_SET_CHILD_SUBREAPER = 36


def unpack(commit: str, target: Path) -> None:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    for po in target.glob("consult/translations/*/LC_MESSAGES/messages.po"):
        compile_ = [str(VENV / "python"), "-m", "babel.messages.frontend", "compile"]
        subprocess.run(
            [*compile_, "-i", str(po), "-o", str(po.with_suffix(".mo"))],
            check=True,
            capture_output=True,
        )


def node_ids(tree: Path) -> set[str]:
    """The test ids of the suite in ``tree``, as pytest collects them."""
    done = subprocess.run(
        [str(VENV / "python"), "-m", "pytest", "-p", "no:cacheprovider", "-q", "--collect-only"],
        cwd=tree,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(tree)),
        check=True,
    )
    return {line for line in done.stdout.splitlines() if "::" in line}


def workers(tree: Path) -> str:
    """The number of pytest workers of ``make test`` in ``tree`` (its Makefile's ``-n``)."""
    found = re.search(r"-m pytest -n (\w+)", (tree / "Makefile").read_text(encoding="utf-8"))
    if found is None:
        sys.exit(f"no `pytest -n` in {tree / 'Makefile'}")
    return found.group(1)


def environment(tree: Path) -> dict[str, str]:
    """The environment of ``make test`` for the suite in ``tree``."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def adopt_orphans() -> None:
    """Make this process the reaper of its descendants' orphans (Linux): the processes of
    Chromium outlive the Playwright driver that started them and would be handed to init,
    their CPU time counted nowhere; adopted, it is counted in ``RUSAGE_CHILDREN`` once
    :func:`reap_orphans` has waited for them (the browser tests' Chromium time, about 40 % of
    one test file's CPU, was missing from both sides of the comparison before)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit(f"prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(ctypes.get_errno())}")


def reap_orphans() -> None:
    """Wait for every adopted descendant still running (see :func:`adopt_orphans`)."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def run_suite(tree: Path, name: str, only: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one run of the suite in ``tree`` (``only``: a file of the
    test ids to run); CPU with every process it started, browsers included."""
    reap_orphans()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    chosen = [f"@{only}"] if only else []
    pytest = [str(VENV / "python"), "-m", "pytest", "-n", workers(tree), "-p", "no:cacheprovider"]
    done = subprocess.run(
        [*pytest, "-q", *chosen],
        cwd=tree,
        capture_output=True,
        text=True,
        env=environment(tree),
        check=False,
    )
    wall = time.perf_counter() - started
    reap_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:]
    print(f"  {name:7} wall {wall:6.1f} s  CPU {cpu:6.1f} s  load {load()}  {last}", flush=True)
    if done.returncode:
        for line in done.stdout.splitlines():
            if line.startswith(("FAILED", "ERROR")):
                print(f"  {line}", flush=True)
        sys.exit(f"the {name} suite failed")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="9aa3964")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    header(f"Test suite now against {args.base}")
    adopt_orphans()
    goals = Goals("suite")
    with tempfile.TemporaryDirectory(prefix="consult-suite-") as tmp:
        base = Path(tmp)
        unpack(args.base, base)
        common = Path(tmp) / "common-tests.txt"
        shared = sorted(node_ids(base) & node_ids(ROOT))
        common.write_text("\n".join(shared) + "\n")
        results = alternate(
            [
                ("before", lambda: run_suite(base, "before")),
                ("now", lambda: run_suite(ROOT, "now")),
                ("before, same tests", lambda: run_suite(base, "before*", common)),
                ("now, same tests", lambda: run_suite(ROOT, "now*", common)),
            ],
            args.rounds,
        )
    walls = [n[0] / b[0] for n, b in zip(results["now"], results["before"], strict=True)]
    cpus = [n[1] / b[1] for n, b in zip(results["now"], results["before"], strict=True)]
    wall = median_ratio([n[0] for n in results["now"]], [b[0] for b in results["before"]])
    cpu = median_ratio([n[1] for n in results["now"]], [b[1] for b in results["before"]])
    goals.check(
        "make test, wall time now ÷ before",
        f"{wall:.2f} (rounds {spread(walls)})",
        f"≤ {GOAL}",
        wall <= GOAL,
    )
    goals.check(
        "make test, CPU time now ÷ before",
        f"{cpu:.2f} (rounds {spread(cpus)})",
        f"≤ {GOAL}",
        cpu <= GOAL,
    )
    same_now, same_before = results["now, same tests"], results["before, same tests"]
    same_wall = median_ratio([n[0] for n in same_now], [b[0] for b in same_before])
    same_cpu = median_ratio([n[1] for n in same_now], [b[1] for b in same_before])
    print(
        f"\nFor information, the {len(shared)} tests both trees have (same ids; * above): "
        f"now ÷ before, wall {same_wall:.2f}, CPU {same_cpu:.2f} (median of per-round ratios)"
    )


if __name__ == "__main__":
    main()
