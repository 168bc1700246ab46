"""Benchmark of the real submit path against a minimal insert endpoint, in the same run.

Both run under gunicorn with 2 sync workers; a pool of client threads keeps 32 requests in
flight for a fixed time. The submit path: signed-in delegates of distinct member states post
a full ballot (CSRF, validation, upsert, answers, revision, audit). Usage:

    .venv/bin/python bench/submit.py [--seconds 20] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv" / "bin"
CONNECTIONS = 32
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="(version|token)" value="([^"]*)">')
SELECT = re.compile(r'<select name="(q\d+-rank-\d+)"')


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
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.1)
    return proc


def load(worker, seconds: float) -> tuple[int, int, list[float]]:
    """Run ``worker(i)`` in CONNECTIONS threads for ``seconds``; (ok, errors, latencies)."""
    ok = errors = 0
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def loop(i: int) -> None:
        nonlocal ok, errors
        while time.perf_counter() < stop:
            start = time.perf_counter()
            success = worker(i)
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                ok += success
                errors += not success

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ok, errors, latencies


class Delegate:
    def __init__(self, base: str, email: str) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), NoRedirect()
        )
        page = self.opener.open(f"{base}/login").read().decode()
        token = CSRF.search(page).group(1)
        self.post("/login", {"email": email, "password": "consult-demo-2010", "csrf_token": token})
        page = self.opener.open(f"{base}/consultations/bench").read().decode()
        self.csrf = CSRF.search(page).group(1)
        self.version = int(dict(HIDDEN.findall(page))["version"])
        self.ranks = SELECT.findall(page)

    def post(self, path: str, data: dict[str, str]) -> int:
        body = urllib.parse.urlencode(data).encode()
        try:
            return self.opener.open(f"{self.base}{path}", body).status
        except urllib.error.HTTPError as error:
            return error.code

    def submit(self) -> bool:
        data = {name: str(i) for i, name in enumerate(self.ranks, start=1)}
        data |= {
            "csrf_token": self.csrf,
            "version": str(self.version),
            "token": secrets.token_urlsafe(8),
            "action": "submit",
            "comment": "Benchmark ballot",
        }
        status = self.post("/consultations/bench", data)
        if status == 303:
            self.version += 1
            return True
        return False


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    env = dict(
        os.environ, CONSULT_INSTANCE_DIR=str(work), BENCH_MINIMAL_DB=str(work / "min.sqlite")
    )
    env["SECRET_KEY"] = "bench-secret"
    db_name = None
    if args.database == "postgresql":
        db_name = f"consult_bench_{os.getpid()}"
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {db_name}"],
            check=True,
        )
        env["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{db_name}"
    subprocess.run(
        [str(VENV / "consult"), "db", "upgrade"], env=env, check=True, capture_output=True
    )
    subprocess.run(
        [str(VENV / "python"), str(ROOT / "bench" / "seed.py"), str(CONNECTIONS)],
        env=env,
        check=True,
    )
    try:
        minimal = serve("bench.minimal_app:app", 5811, env)
        ok, errors, lat = load(
            lambda _i: (
                urllib.request.urlopen(
                    urllib.request.Request("http://127.0.0.1:5811/insert", method="POST", data=b"")
                ).status
                == 201
            ),
            args.seconds,
        )
        minimal.terminate()
        report("minimal insert", ok, errors, lat, args.seconds)
        base_rate, base_p99 = ok / args.seconds, percentile(lat, 99)

        app = serve("consult:create_app()", 5812, env)
        delegates = [
            Delegate("http://127.0.0.1:5812", f"bench{i}@example.org") for i in range(CONNECTIONS)
        ]
        ok, errors, lat = load(lambda i: delegates[i].submit(), args.seconds)
        app.terminate()
        report("submit path", ok, errors, lat, args.seconds)
        revisions = subprocess.run(
            [str(VENV / "python"), str(ROOT / "bench" / "seed.py"), "--count-revisions"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        rate = ok / args.seconds
        print(f"revisions in database: {revisions} (successful submissions: {ok})")
        print(f"throughput ratio: {rate / base_rate:.2f} (goal >= 0.50)")
        print(f"p99 ratio: {percentile(lat, 99) / base_p99:.2f} (goal <= 2.00)")
    finally:
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


def percentile(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else 0.0


def report(name: str, ok: int, errors: int, lat: list[float], seconds: float) -> None:
    print(
        f"{name:15s} {ok / seconds:8.1f} req/s  errors {errors}  "
        f"p50 {percentile(lat, 50) * 1000:6.1f} ms  p99 {percentile(lat, 99) * 1000:6.1f} ms"
    )


if __name__ == "__main__":
    sys.exit(main())
