"""The load run (issue 14): 200 simulated delegates of 175 member states for a few minutes
against gunicorn with 4 workers in the production configuration, on SQLite and on
PostgreSQL, then the checks.

Seeds a fresh database (a SQLite file, or a new PostgreSQL database) with an administrator,
175 member states (ISO codes), a delegate for each and a second delegate for 25 of them (200
people), and an open consultation: a five-option ranking (required), a choose-two of four, a
five-point Likert scale and a free text. Serves it with ``gunicorn -w 4 'consult:create_app()'``
(``CONSULT_CONFIG=production``, rate limits in Redis at 127.0.0.1:6379 under a key prefix of
its own) on 127.0.0.1 only. Each simulated delegate signs in, then until the time is up reads
its home page and the ballot, saves a draft, reads the ballot again and submits, reads the
receipt, and one time in three revises its response; between two steps it pauses 1 to 4 s
(a person reading; ``--pause`` sets it), so 200 delegates offer about 80 requests a second.
Two delegates of one state may submit from the same version: one of them gets 409 "changed
by …", which is the product's answer, counted apart and not as a failure.

Then the checks: the submitted responses are the members whose delegates had a submission
accepted; the revisions are the accepted submissions; the first preferences and selections the
results page shows equal a recount from the raw answer rows; ``consult audit verify`` passes;
the server logged no "database is locked"; no response was a 5xx. Latencies (p50, p95, p99)
are measured by the clients, per step; server CPU per request is the gunicorn workers' CPU
time over the requests served.

Usage: ``.venv/bin/python bench/load.py [--database sqlite|postgresql|both] [--seconds 120]
[--pause 1,4]``
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, VENV, Goals, children, header, percentile, process_cpu

SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "120"))
MEMBERS, SECOND_DELEGATES = 175, 25
PASSWORD = "bench-password-2010"
PORT = 5820
PAUSE = [1.0, 4.0]  # seconds between two steps of one delegate (``--pause``)
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="(version|token)" value="([^"]*)">')
#: Goal of the reliability catalogue (CONC-4), kept after the first run.
SUBMIT_P95_MS = 500


# Seeding ------------------------------------------------------------------------------------


def seed(url: str, instance: Path) -> dict[str, object]:
    """Migrate ``url`` and write the membership, the accounts and the consultation; the ids
    the clients need."""
    import pycountry
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    os.environ["CONSULT_INSTANCE_DIR"] = str(instance)
    from consult import create_app
    from consult.auth.models import Role, User
    from consult.consultations.services import create_consultation
    from consult.core import clock
    from consult.extensions import db
    from consult.members.models import Member
    from consult.members.services import ANY_REGION, import_members

    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        codes = sorted(c.alpha_3 for c in pycountry.countries)[:MEMBERS]
        regions = ["Africa", "Americas", "Asia and the Pacific", "Europe", "Middle East"]
        rows = "\n".join(
            f"{c},,member_state,{regions[i % len(regions)]}" for i, c in enumerate(codes)
        )
        import_members("code,name,kind,region\n" + rows + "\n", new_regions=[ANY_REGION])
        members = {m.code: m.id for m in db.session.query(Member)}
        hashed = generate_password_hash(PASSWORD, method="scrypt")
        people = [("admin@example.org", Role.ADMIN, None)]
        people += [(f"{c.lower()}@delegates.example.org", Role.DELEGATE, c) for c in codes]
        people += [
            (f"{c.lower()}.second@delegates.example.org", Role.DELEGATE, c)
            for c in codes[:SECOND_DELEGATES]
        ]
        for email, role, code in people:
            db.session.add(
                User(
                    email=email,
                    name=email.split("@")[0],
                    role=role,
                    member_id=members[code] if code else None,
                    password_hash=hashed,
                )
            )
        db.session.commit()
        consultation = create_consultation(
            {
                "slug": "load",
                "title": "Load run",
                "status": "open",
                "opens_in_days": -1,
                "closes_in_days": 7,
                "questions": [
                    {
                        "kind": "ranking",
                        "prompt": "Rank the themes",
                        "required": True,
                        "allow_write_in": True,
                        "options": [{"label": f"Theme {i}"} for i in range(1, 6)],
                    },
                    {
                        "kind": "choose",
                        "prompt": "Pick two workshops",
                        "min_choices": 2,
                        "max_choices": 2,
                        "options": [{"label": f"Workshop {i}"} for i in range(1, 5)],
                    },
                    {
                        "kind": "likert",
                        "prompt": "How useful was the Dialogue?",
                        "scale": [f"Point {i}" for i in range(1, 6)],
                    },
                    {"kind": "text", "prompt": "Suggestions", "max_length": 500},
                ],
            },
            clock.now(),
        )
        q = consultation.questions
        ids = {
            "rank": (q[0].id, [o.id for o in q[0].options]),
            "choose": (q[1].id, [o.id for o in q[1].options]),
            "likert": q[2].id,
            "text": q[3].id,
            "people": [email for email, role, _ in people if role is Role.DELEGATE],
            "member_of": {email: code for email, _, code in people if code},
        }
        db.session.remove()
        db.engine.dispose()
    return ids


# Clients ------------------------------------------------------------------------------------


@dataclass
class Record:
    """What the clients saw."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    #: Per step, (when the request was sent, seconds after the start; its latency).
    timeline: dict[str, list[tuple[float, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    started: float = field(default_factory=time.perf_counter)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    conflicts: int = 0
    submissions: int = 0
    submitted_by: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, step: str, status: int, seconds: float) -> None:
        sent = time.perf_counter() - seconds - self.started
        with self.lock:
            self.latencies[step].append(seconds)
            self.timeline[step].append((sent, seconds))
            self.statuses[(step, status)] += 1

    def last_sign_in(self) -> float:
        """When the last sign-in was answered (seconds after the start): the end of the
        arrivals, each with its password hash checked (scrypt in production, slow on purpose)."""
        return max((sent + took for sent, took in self.timeline.get("sign in", [])), default=0.0)


class Delegate:
    """One person: a session cookie (sent back over HTTP although it is meant for HTTPS), the
    ballot page's hidden fields, and answers that change from one submission to the next."""

    def __init__(self, email: str, member: str, ids: dict, record: Record) -> None:
        self.email, self.member, self.ids, self.record = email, member, ids, record
        self.cookie = ""
        self.hidden: dict[str, str] = {}
        self.csrf = ""

    def request(self, step: str, method: str, path: str, data=None) -> tuple[int, str, str]:
        body = urlencode(data, doseq=True) if data is not None else None
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            connection.close()
        except OSError as error:
            with self.record.lock:
                self.record.failures[f"{step}: {type(error).__name__}"] += 1
            return 0, "", ""
        self.record.note(step, response.status, time.perf_counter() - started)
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        if response.status >= 500 or response.status not in EXPECTED[step]:
            with self.record.lock:
                self.record.failures[f"{step}: {response.status}"] += 1
        return response.status, text, response.getheader("Location") or ""

    def sign_in(self) -> bool:
        _status, page, _ = self.request("sign-in page", "GET", "/login")
        found = CSRF.search(page)
        if not found:
            return False
        data = {"email": self.email, "password": PASSWORD, "csrf_token": found.group(1)}
        return self.request("sign in", "POST", "/login", data)[0] == 302

    def read_ballot(self) -> bool:
        status, page, _ = self.request("ballot page", "GET", "/consultations/load")
        found = CSRF.search(page)
        if status != 200 or not found:
            return False
        self.csrf = found.group(1)
        self.hidden = dict(HIDDEN.findall(page))
        return True

    def answers(self) -> dict[str, object]:
        rank_q, rank_options = self.ids["rank"]
        choose_q, choose_options = self.ids["choose"]
        order = random.sample(rank_options, len(rank_options))
        data: dict[str, object] = {
            f"q{rank_q}-rank-{option}": str(position)
            for position, option in enumerate(order, start=1)
        }
        data[f"q{choose_q}-choice"] = [str(o) for o in random.sample(choose_options, 2)]
        data[f"q{self.ids['likert']}-value"] = str(random.randint(1, 5))
        data[f"q{self.ids['text']}-text"] = f"Suggestion {secrets.token_hex(4)} from {self.member}"
        return data

    def save(self, action: str) -> None:
        if not self.read_ballot():
            return
        data = {
            **self.answers(),
            **self.hidden,
            "csrf_token": self.csrf,
            "action": action,
            "comment": "Load run",
        }
        status, _, location = self.request(action, "POST", "/consultations/load", data)
        if status == 409:
            with self.record.lock:
                self.record.conflicts += 1
        elif status == 303 and action == "submit" and location.endswith("/receipt"):
            with self.record.lock:
                self.record.submissions += 1
                self.record.submitted_by.add(self.member)

    def live(self, deadline: float, arrivals: float) -> None:
        time.sleep(random.uniform(0, arrivals))  # people arrive over the first seconds
        if not self.sign_in():
            return
        while time.monotonic() < deadline:
            for step in (self.home, lambda: self.save("draft"), lambda: self.save("submit")):
                step()
                time.sleep(random.uniform(*PAUSE))
            self.request("receipt", "GET", "/consultations/load/receipt")
            time.sleep(random.uniform(*PAUSE))
            if random.random() < 1 / 3:
                self.save("submit")
                time.sleep(random.uniform(*PAUSE))

    def home(self) -> None:
        self.request("home", "GET", "/")


EXPECTED = {
    "sign-in page": {200},
    "sign in": {302},
    "home": {200},
    "ballot page": {200},
    "draft": {303, 409},
    "submit": {303, 409},
    "receipt": {200},
}


# The run ------------------------------------------------------------------------------------


def new_database(engine: str, folder: Path) -> tuple[str, str | None]:
    if engine == "sqlite":
        return f"sqlite:///{folder / 'load.sqlite'}", None
    name = f"consult_load_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return POSTGRES.rsplit("/", 1)[0] + "/" + name, name


def drop_database(name: str | None) -> None:
    if name:
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def serve(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    env = {
        **env,
        "CONSULT_CONFIG": "production",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "RATELIMIT_KEY_PREFIX": f"consult-load-{uuid.uuid4().hex}",
    }
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(VENV / "gunicorn"), "-w", "4", "-b", f"127.0.0.1:{PORT}", "consult:create_app()"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            connection.request("GET", "/login")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit(f"gunicorn did not start:\n{log.read_text()}")


def checks(env: dict[str, str], record: Record) -> dict[str, tuple[str, bool]]:
    """The post-run checks, each with what it found."""
    import sqlalchemy as sa

    from consult import create_app
    from consult.ballots.models import Answer, Response, ResponseStatus, Revision
    from consult.ballots.services import load_consultation
    from consult.extensions import db
    from consult.results.services import consultation_results

    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"]})
    out: dict[str, tuple[str, bool]] = {}
    with app.app_context():
        submitted = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Response)
            .where(Response.status == ResponseStatus.SUBMITTED)
        )
        members = len(record.submitted_by)
        out["responses = members that submitted"] = (
            f"{submitted} = {members}",
            submitted == members,
        )
        revisions = db.session.scalar(sa.select(sa.func.count()).select_from(Revision))
        out["revisions = accepted submissions"] = (
            f"{revisions} = {record.submissions}",
            revisions == record.submissions,
        )
        consultation = load_consultation("load")
        shown = {r.question.id: r for r in consultation_results(consultation).questions}

        def recount(question_id: int, *where) -> dict[int, int]:
            """Answer rows of submitted responses per option, counted in SQL."""
            return dict(
                db.session.execute(
                    sa.select(Answer.option_id, sa.func.count())
                    .join(Response, Response.id == Answer.response_id)
                    .where(
                        Answer.question_id == question_id,
                        Response.status == ResponseStatus.SUBMITTED,
                        *where,
                    )
                    .group_by(Answer.option_id)
                ).all()
            )

        def nonzero(counts) -> dict[int, int]:
            return {option: n for option, n in counts.items() if n}

        ranking, choose = consultation.questions[0].id, consultation.questions[1].id
        same = nonzero(shown[ranking].ranking.first.counts) == recount(ranking, Answer.rank == 1)
        same &= nonzero(shown[choose].selections.counts) == recount(choose)
        out["results page = recount from the answer rows"] = ("equal" if same else "differ", same)
        db.session.remove()
        db.engine.dispose()
    verify = subprocess.run(
        [str(VENV / "consult"), "audit", "verify"], env=env, capture_output=True, text=True
    )
    out["consult audit verify"] = (
        "passes" if verify.returncode == 0 else " / ".join(verify.stderr.splitlines()[:2]),
        verify.returncode == 0,
    )
    return out


def run(engine: str, seconds: float, goals: Goals) -> None:
    folder = Path(tempfile.mkdtemp(prefix=f"consult-load-{engine}-"))
    instance = folder / "instance"
    instance.mkdir()
    url, name = new_database(engine, folder)
    try:
        ids = seed(url, instance)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "CONSULT_INSTANCE_DIR": str(instance),
            "SECRET_KEY": secrets.token_urlsafe(48),
            "CONSULT_RECEIPT_KEYS_FILE": str(folder / "receipt-keys"),
        }
        subprocess.run(
            [str(VENV / "consult"), "keys", "rotate"], env=env, check=True, capture_output=True
        )
        log = folder / "gunicorn.log"
        server = serve(env, log)
        workers = children(server.pid)
        cpu = process_cpu(workers)
        client_cpu = time.process_time()
        record = Record()
        people = [Delegate(email, ids["member_of"][email], ids, record) for email in ids["people"]]
        deadline = time.monotonic() + seconds
        started = time.perf_counter()
        arrivals = min(30.0, seconds / 4)
        threads = [threading.Thread(target=p.live, args=(deadline, arrivals)) for p in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - started
        cpu = process_cpu(workers) - cpu
        client_cpu = time.process_time() - client_cpu
        server.terminate()
        server.wait(timeout=60)
        report(engine, seconds, took, (cpu, client_cpu), record, log, checks(env, record), goals)
    finally:
        drop_database(name)
        shutil.rmtree(folder, ignore_errors=True)


def report(engine, seconds, took, cpus, record, log, found, goals: Goals) -> None:
    cpu, client_cpu = cpus
    requests = sum(record.statuses.values())
    print(f"\n## {engine}: {len(record.submitted_by)} members submitted, {seconds:.0f} s")
    print(
        f"{requests} requests in {took:.0f} s ({requests / took:.0f}/s), "
        f"server CPU {1000 * cpu / max(requests, 1):.1f} ms per request (4 workers), "
        f"client CPU {1000 * client_cpu / max(requests, 1):.1f} ms per request (same cores)"
    )
    print(f"accepted submissions {record.submissions}, 409 conflicts {record.conflicts}")
    print("\nstep           count    p50 ms   p95 ms   p99 ms")
    every: list[float] = []
    for step in EXPECTED:
        values = record.latencies.get(step, [])
        every += values
        if values:
            p50, p95, p99 = (1000 * percentile(values, p) for p in (50, 95, 99))
            print(f"{step:14} {len(values):5} {p50:9.0f} {p95:8.0f} {p99:8.0f}")
    if every:
        p50, p95, p99 = (1000 * percentile(every, p) for p in (50, 95, 99))
        print(f"{'all':14} {len(every):5} {p50:9.0f} {p95:8.0f} {p99:8.0f}")
    arrived = record.last_sign_in()
    print(
        f"\nsent after the last sign-in was answered ({arrived:.0f} s after the start; before it,"
        " every request shares the cores with the sign-ins' password checks):"
    )
    for step in ("submit", None):
        values = [
            took
            for name, timeline in record.timeline.items()
            if step in (None, name)
            for sent, took in timeline
            if sent >= arrived
        ]
        if values:
            p50, p95, p99 = (1000 * percentile(values, p) for p in (50, 95, 99))
            print(f"{step or 'all':14} {len(values):5} {p50:9.0f} {p95:8.0f} {p99:8.0f}")
    statuses = ", ".join(
        f"{s} {n}" for s, n in sorted(Counter(s for _, s in record.statuses.elements()).items())
    )
    print(f"statuses: {statuses}")
    failures = sum(record.failures.values())
    if failures:
        print("failures: " + ", ".join(f"{k} ×{n}" for k, n in record.failures.most_common()))
    server_errors = sum(n for (_, status), n in record.statuses.items() if status >= 500)
    locked = log.read_text(errors="replace").count("database is locked")
    for what, (figure, ok) in found.items():
        print(f"check: {what}: {figure} ({'ok' if ok else 'FAILED'})")
    ratio = failures / max(requests, 1)
    submit = record.latencies.get("submit", [0.0])
    submit_p95 = 1000 * percentile(submit, 95)
    goals.check(f"{engine}: 5xx responses", str(server_errors), "0", server_errors == 0)
    goals.check(f"{engine}: 'database is locked' in the server log", str(locked), "0", locked == 0)
    goals.check(f"{engine}: failed requests", f"{100 * ratio:.3f} %", "< 0.1 %", ratio < 0.001)
    goals.check(
        f"{engine}: submit p95",
        f"{submit_p95:.0f} ms",
        f"< {SUBMIT_P95_MS} ms",
        submit_p95 < SUBMIT_P95_MS,
    )
    goals.check(
        f"{engine}: post-run checks",
        ", ".join(f"{k}: {f}" for k, (f, _) in found.items()),
        "all pass",
        all(ok for _, ok in found.values()),
    )
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--pause", default="1,4", help="shortest,longest pause in seconds")
    args = parser.parse_args()
    PAUSE[:] = [float(x) for x in args.pause.split(",")]
    header("Load run: 200 delegates of 175 member states, gunicorn with 4 workers")
    print(
        f"# {PAUSE[0]:g}–{PAUSE[1]:g} s pause between steps (about "
        f"{200 / statistics.fmean(PAUSE):.0f} requests a second offered), "
        f"{args.seconds:.0f} s per database"
    )
    goals = Goals("load")
    engines = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    for engine in engines:
        run(engine, args.seconds, goals)


if __name__ == "__main__":
    main()
