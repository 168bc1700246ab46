"""The submit path and the read pages over HTTP, each against a bare endpoint on the same
database, in alternating rounds.

Seeds a fresh database (a SQLite file, or a new PostgreSQL database with ``--database
postgresql``): an administrator, 32 member states with a delegate each, and an open
consultation with a five-option ranking question that every member has answered once. Serves
the app and ``bench/bare_app.py`` (same engine, same settings) side by side under gunicorn with
2 sync workers each, and keeps 8 requests in flight from client threads for two seconds per
measure. Each round measures every page and its baseline back to back, the order rotated from
round to round; a figure is the median over the rounds of the per-round ratio. Server CPU per
request is the CPU time of the gunicorn workers (``/proc/PID/stat``) over the requests served.

* submit: a signed-in delegate of its own member state posts a full ballot (CSRF, version,
  token, validation, answers, revision, receipt, audit, the receipt e-mail queued in the
  outbox); baseline: one row inserted in a writing transaction (``POST /insert``). The app
  leaves writing the receipt e-mail and delivering it to the mail worker as in production
  (``MAIL_DELIVER_IN_REQUEST=false``): the page waits for neither, so neither is counted;
* delegate home, ballot page, receipt, results page (the administrator's): baseline a bare
  ``GET /read`` of one row.

Each client sends ``Accept-Encoding`` as Chromium does, so the app gzips its pages as it does
for every browser, and that compression is part of each page's server CPU.

Then, in-process, the SQL statements of each request are counted (every statement the
database receives through SQLAlchemy, ``BEGIN`` included, ``COMMIT`` not).

Usage: ``.venv/bin/python bench/http_pages.py [--database sqlite|postgresql] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import gzip
import http.cookiejar
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    ROOT,
    ROUNDS,
    VENV,
    Goals,
    alternate,
    children,
    header,
    median_ratio,
    percentile,
    process_cpu,
    spread,
)

MEMBERS = 32
CLIENTS = 8
SECONDS = float(os.environ.get("BENCH_SECONDS", "2"))
PASSWORD = "consult-demo-2010"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="(version|token)" value="([^"]*)">')
SELECT = re.compile(r'<select name="(q\d+-rank-\d+)"')
APP_PORT, BARE_PORT = 5812, 5811
#: What Chromium sends: the app then compresses its pages, and that CPU is part of each figure.
ACCEPT_ENCODING = "gzip, deflate, br, zstd"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class Client:
    """A browser of one signed-in user: cookies, CSRF token, no redirects followed."""

    def __init__(self, base: str, email: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )
        self.opener.addheaders = [("Accept-Encoding", ACCEPT_ENCODING)]
        token = CSRF.search(self.get_text("/login")).group(1)
        assert self.post("/login", {"email": email, "password": PASSWORD, "csrf_token": token})
        self.csrf = token

    def get_text(self, path: str) -> str:
        with self.opener.open(f"{self.base}{path}") as response:
            body = response.read()
            if response.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            return body.decode()

    def get(self, path: str) -> bool:
        try:
            with self.opener.open(f"{self.base}{path}") as response:
                response.read()
                return response.status == 200
        except urllib.error.HTTPError:
            return False

    def post(self, path: str, data: dict[str, str]) -> int:
        body = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(f"{self.base}{path}", body) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


class Delegate(Client):
    def __init__(self, base: str, email: str) -> None:
        super().__init__(base, email)
        page = self.get_text("/consultations/bench")
        self.csrf = CSRF.search(page).group(1)
        self.version = int(dict(HIDDEN.findall(page))["version"])
        self.ranks = SELECT.findall(page)

    def submit(self) -> bool:
        data = {name: str(i) for i, name in enumerate(self.ranks, start=1)}
        data |= {
            "csrf_token": self.csrf,
            "version": str(self.version),
            "token": secrets.token_urlsafe(8),
            "action": "submit",
            "comment": "Benchmark ballot",
        }
        if self.post("/consultations/bench", data) == 303:
            self.version += 1
            return True
        return False


@dataclass
class Segment:
    """One measure of one round: requests served, errors, latencies, server CPU."""

    ok: int
    errors: int
    latencies: list[float]
    cpu: float
    seconds: float

    @property
    def rate(self) -> float:
        return self.ok / self.seconds

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / max(self.ok + self.errors, 1)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 99)


def segment(work: Callable[[int], bool], workers: list[int]) -> Segment:
    """Run ``work(i)`` from CLIENTS threads for SECONDS."""
    ok = errors = 0
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + SECONDS

    def loop(i: int) -> None:
        nonlocal ok, errors
        while time.perf_counter() < stop:
            start = time.perf_counter()
            success = work(i)
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                ok += success
                errors += not success

    cpu = process_cpu(workers)
    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - started
    return Segment(ok, errors, latencies, process_cpu(workers) - cpu, took)


def serve(app: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            str(VENV / "gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ],
        env=env,
        cwd=ROOT,
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=1)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.1)
    return proc


def bare(port: int, method: str) -> Callable[[int], bool]:
    url = f"http://127.0.0.1:{port}/{'insert' if method == 'POST' else 'read'}"

    def work(_i: int) -> bool:
        request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
        try:
            with urllib.request.urlopen(request) as response:
                response.read()
                return response.status in (200, 201)
        except urllib.error.HTTPError:
            return False

    return work


def count_statements(env: dict[str, str]) -> dict[str, int]:
    """SQL statements of one request of each kind, counted in-process on the same database."""
    code = f"""
import json, re, sqlalchemy as sa
from consult import create_app
from consult.extensions import db
app = create_app()
app.config["RATELIMIT_ENABLED"] = False
counts, seen = {{}}, []
with app.app_context():
    sa.event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
token = re.compile(r'name="csrf_token" value="([^"]+)"')
def login(email):
    c = app.test_client()
    t = token.search(c.get("/login").get_data(as_text=True)).group(1)
    c.post("/login", data={{"email": email, "password": "{PASSWORD}", "csrf_token": t}})
    return c
def measure(name, call):
    call()
    seen.clear()
    response = call()
    assert response.status_code in (200, 303), (name, response.status_code)
    counts[name] = len(seen)
    return response
d = login("bench0@example.org")
page = d.get("/consultations/bench").get_data(as_text=True)
ranks = re.findall(r'<select name="(q\\d+-rank-\\d+)"', page)
state = {{"version": int(re.search(r'name="version" value="(\\d+)"', page).group(1))}}
def submit():
    data = {{name: str(i) for i, name in enumerate(ranks, start=1)}}
    data |= {{"csrf_token": token.search(page).group(1), "version": str(state["version"]),
              "token": str(state["version"]), "action": "submit", "comment": "Benchmark"}}
    response = d.post("/consultations/bench", data=data)
    state["version"] += 1
    return response
measure("submit", submit)
measure("delegate home", lambda: d.get("/"))
measure("ballot page", lambda: d.get("/consultations/bench"))
measure("receipt", lambda: d.get("/consultations/bench/receipt"))
a = login("admin@example.org")
measure("results page", lambda: a.get("/admin/consultations/bench/results"))
print(json.dumps(counts))
"""
    done = subprocess.run(
        [str(VENV / "python"), "-c", code],
        env=env,
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode:  # say why: the statements' count is part of the goals
        sys.stderr.write(done.stderr)
        done.check_returncode()
    out = done.stdout
    import json

    return json.loads(out.strip().splitlines()[-1])


PAGES = {
    "delegate home": "/",
    "ballot page": "/consultations/bench",
    "receipt": "/consultations/bench/receipt",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument(
        "--only",
        choices=["submit", "pages"],
        help="measure only the submit path or only the read pages (while iterating)",
    )
    args = parser.parse_args()
    header(f"HTTP pages and submit path on {args.database}")
    goals = Goals(f"submit and pages ({args.database})")
    work = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    env = dict(os.environ, CONSULT_INSTANCE_DIR=str(work), SECRET_KEY="bench-secret")
    env["PYTHONPATH"] = str(ROOT)
    env["MAIL_DELIVER_IN_REQUEST"] = "false"  # as in production: the mail worker delivers
    db_name = None
    if args.database == "postgresql":
        db_name = f"consult_bench_{os.getpid()}"
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {db_name}"],
            check=True,
        )
        env["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{db_name}"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        subprocess.run(
            [str(VENV / "consult"), "db", "upgrade"], env=env, check=True, capture_output=True
        )
        subprocess.run(
            [str(VENV / "python"), str(ROOT / "bench" / "seed.py"), str(MEMBERS)],
            env=env,
            check=True,
        )
        procs = [
            serve("bench.bare_app:app", BARE_PORT, env),
            serve("consult:create_app()", APP_PORT, env),
        ]
        bare_workers, app_workers = children(procs[0].pid), children(procs[1].pid)
        base = f"http://127.0.0.1:{APP_PORT}"
        delegates = [Delegate(base, f"bench{i}@example.org") for i in range(MEMBERS)]
        for d in delegates:
            assert d.submit(), "the first submission failed"
        admin = Client(base, "admin@example.org")
        for worker in range(4):  # warm every worker: templates compiled, caches filled
            for path in PAGES.values():
                delegates[worker].get(path)
            admin.get("/admin/consultations/bench/results")

        def page(path: str, client_of: Callable[[int], Client]) -> Callable[[], Segment]:
            return lambda: segment(lambda i: client_of(i).get(path), app_workers)

        measures = [("bare read", lambda: segment(bare(BARE_PORT, "GET"), bare_workers))]
        measures += [(name, page(path, lambda i: delegates[i])) for name, path in PAGES.items()]
        measures.append(
            ("results page", page("/admin/consultations/bench/results", lambda _i: admin))
        )
        reads = alternate(measures, args.rounds) if args.only != "submit" else {}
        writes = (
            alternate(
                [
                    ("bare insert", lambda: segment(bare(BARE_PORT, "POST"), bare_workers)),
                    ("submit", lambda: segment(lambda i: delegates[i].submit(), app_workers)),
                ],
                args.rounds,
            )
            if args.only != "pages"
            else {}
        )
        for p in procs:
            p.terminate()
            p.wait()
        procs = []
        revisions = subprocess.run(
            [str(VENV / "python"), str(ROOT / "bench" / "seed.py"), "--count-revisions"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        statements = count_statements(env)
    finally:
        for p in procs:
            p.terminate()
        if db_name:
            subprocess.run(
                [
                    "psql",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-qc",
                    f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)",
                ],
                check=False,
            )
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"\n{'measure':15} {'req/s':>7} {'× bare':>6} {'round spread':>12} {'p99 ms':>7}"
        f" {'p99 × bare':>10} {'CPU ms/req':>10} {'SQL':>4} {'errors':>6}"
    )
    rows = []
    if writes:
        rows += [("bare insert", writes, "bare insert"), ("submit", writes, "bare insert")]
    if reads:
        rows += [(name, reads, "bare read") for name, _ in measures]
    figures = {}
    for name, results, baseline in rows:
        segs, base_segs = results[name], results[baseline]
        ratio = median_ratio([s.rate for s in segs], [s.rate for s in base_segs])
        p99 = median_ratio([s.p99 for s in segs], [s.p99 for s in base_segs])
        cpu = sorted(s.cpu_ms for s in segs)[len(segs) // 2]
        errors = sum(s.errors for s in segs)
        rate = sorted(s.rate for s in segs)[len(segs) // 2]
        p99_ms = sorted(s.p99 for s in segs)[len(segs) // 2] * 1000
        ratios = [s.rate / b.rate for s, b in zip(segs, base_segs, strict=True)]
        sql = statements.get(name, "")
        print(
            f"{name:15} {rate:7.0f} {ratio:6.2f} {spread(ratios):>12} {p99_ms:7.1f}"
            f" {p99:10.2f} {cpu:10.2f} {sql!s:>4} {errors:6d}"
        )
        figures[name] = (ratio, p99, cpu, errors)
    if writes:
        check_submit(goals, figures["submit"], statements, revisions, writes)
    if reads:
        check_pages(goals, figures)


def check_submit(
    goals: Goals,
    figure: tuple[float, float, float, int],
    statements: dict[str, int],
    revisions: str,
    writes: dict[str, list[Segment]],
) -> None:
    ok = sum(s.ok for s in writes["submit"]) + MEMBERS
    print(f"\nrevisions in the database: {revisions}; successful submissions: {ok}")
    ratio, p99, cpu, errors = figure
    goals.check(
        "submit: SQL statements", str(statements["submit"]), "≤ 8", statements["submit"] <= 8
    )
    goals.check("submit: server CPU per request", f"{cpu:.1f} ms", "≤ 4 ms", cpu <= 4)
    goals.check("submit: throughput × bare insert", f"{ratio:.2f}", "≥ 0.25", ratio >= 0.25)
    goals.check("submit: p99 × bare insert", f"{p99:.1f}", "≤ 3", p99 <= 3)
    goals.check("submit: errors", str(errors), "0", errors == 0)
    goals.check(
        "submit: revisions = successful submissions",
        f"{revisions} = {ok}",
        "equal",
        int(revisions) == ok,
    )


def check_pages(goals: Goals, figures: dict[str, tuple[float, float, float, int]]) -> None:
    for name in PAGES:
        cpu = figures[name][2]
        goals.check(f"{name}: server CPU per request", f"{cpu:.1f} ms", "≤ 3 ms", cpu <= 3)
        goals.check(f"{name}: errors", str(figures[name][3]), "0", figures[name][3] == 0)
    cpu = figures["results page"][2]
    goals.check(
        f"results page ({MEMBERS} responses): server CPU", f"{cpu:.1f} ms", "≤ 10 ms", cpu <= 10
    )


if __name__ == "__main__":
    main()
