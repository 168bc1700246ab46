"""Production's defaults are safe (RL-2, issue 14): the app refuses to start with a secret
from this repository or a short one, with DEBUG, or with per-process rate-limit storage; run
as in production (gunicorn, 4 workers) it refuses memory storage, and with Redis the sign-in
limit holds across the workers."""

from __future__ import annotations

import concurrent.futures
import contextlib
import http.client
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from consult import create_app
from consult.config import DEVELOPMENT_SECRET, TESTING_SECRET, ProductionConfig
from consult.core import clock, keyfile
from tests.factories import UserFactory
from tests.smtp import free_port

GUNICORN = Path(sys.executable).with_name("gunicorn")
REDIS = "redis://127.0.0.1:6379/0"
GOOD = {"SECRET_KEY": "k" * 48, "RATELIMIT_STORAGE_URI": REDIS, "DEBUG": False}


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"SECRET_KEY": DEVELOPMENT_SECRET}, "SECRET_KEY"),
        ({"SECRET_KEY": TESTING_SECRET}, "SECRET_KEY"),
        ({"SECRET_KEY": "short-but-set"}, "SECRET_KEY"),
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"DEBUG": True}, "DEBUG"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
        ({"RATELIMIT_ENABLED": False}, "RATELIMIT_STORAGE_URI"),
    ],
)
def test_production_refuses_unsafe_settings(change, says, tmp_path):
    keys = tmp_path / "receipt-keys"
    keyfile.rotate(keys, clock.now())
    good = {**GOOD, "RECEIPT_KEYS_FILE": str(keys)}
    assert ProductionConfig.problems(good) == []
    (problem,) = ProductionConfig.problems({**good, **change})
    assert says in problem
    with pytest.raises(RuntimeError, match=says):
        create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://", **good, **change})


def _environment(database: str, storage: str, keys: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CONSULT_RECEIPT_KEYS_FILE": str(keys),
        "CONSULT_CONFIG": "production",
        "SECRET_KEY": "s" * 48,
        "DATABASE_URL": database,
        "RATELIMIT_STORAGE_URI": storage,
        "RATELIMIT_KEY_PREFIX": f"consult-test-{uuid.uuid4().hex}",
        "FLASK_DEBUG": "",
    }


class Gunicorn:
    """``gunicorn -w 4 'consult:create_app()'`` started with an environment; its log (access
    lines name the worker's pid) is read as it comes."""

    WORKERS = 4

    def __init__(self, environment: dict[str, str], port: int) -> None:
        self.port = port
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "-w",
                str(self.WORKERS),
                "-b",
                f"127.0.0.1:{port}",
                "--access-logfile",
                "-",
                "--access-logformat",
                "pid=%(p)s %(m)s %(U)s %(s)s",
                "consult:create_app()",
            ],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def log(self) -> str:
        return "".join(self.lines)

    def served_by(self, pattern: str) -> set[str]:
        """The pids of the workers whose access lines match ``pattern``."""
        return set(re.findall(rf"pid=<?(\d+)>? {pattern}", self.log()))

    def exit_code(self, timeout: float) -> int:
        code = self.process.wait(timeout=timeout)
        self.reader.join(timeout=30)
        return code

    def wait_until_every_worker_serves(self) -> None:
        """Until each worker has answered a page: each loads the app after it is forked, and
        on a busy machine the first may serve for a while alone."""
        deadline = time.monotonic() + 120
        with concurrent.futures.ThreadPoolExecutor(2 * self.WORKERS) as pool:
            while len(self.served_by("GET /login 200")) < self.WORKERS:
                assert time.monotonic() < deadline, f"not every worker started:\n{self.log()}"
                assert self.process.poll() is None, self.log()
                list(pool.map(self._try_sign_in_page, range(2 * self.WORKERS)))
                time.sleep(0.25)  # the others are loading the app: leave them the processors

    def _try_sign_in_page(self, _: int) -> None:
        with contextlib.suppress(OSError):  # not listening yet
            Browser(self.port).request("GET", "/login")

    def stop(self) -> str:
        """Stop it and return its whole log."""
        if self.process.poll() is None:
            self.process.terminate()
        self.exit_code(timeout=30)
        return self.log()


@pytest.fixture
def gunicorn(database, tmp_path) -> Iterator:
    """Start gunicorn with a rate-limit storage and its own receipt key file (production
    refuses to start without one); stop it after."""
    started: list[Gunicorn] = []
    keys = tmp_path / "receipt-keys"
    keyfile.rotate(keys, clock.now())

    def start(storage: str, port: int) -> Gunicorn:
        server = Gunicorn(_environment(database, storage, keys), port)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def test_gunicorn_refuses_to_start_with_memory_rate_limit_storage(gunicorn):
    server = gunicorn("memory://", free_port())
    assert server.exit_code(timeout=60) != 0
    assert "RATELIMIT_STORAGE_URI" in server.log()


class Browser:
    """Just enough of a browser over plain HTTP: it sends back the ``__Host-`` session cookie
    (meant for HTTPS) and the CSRF token of the sign-in page."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""
        self.token = ""

    def request(self, method: str, path: str, body: str = "") -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        connection.close()
        return response.status, text

    def open_sign_in(self) -> None:
        status, page = self.request("GET", "/login")
        assert status == 200
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert found, "no CSRF token on the sign-in page"
        self.token = found.group(1)

    def sign_in(self, email: str, password: str) -> int:
        data = {"email": email, "password": password, "csrf_token": self.token}
        return self.request("POST", "/login", urlencode(data))[0]


def test_with_redis_the_sign_in_limit_holds_across_four_workers(app, gunicorn):
    UserFactory(email="target@example.org")
    limit = int(app.config["LOGIN_LIMIT_ACCOUNT"].split()[0])  # "10 per 15 minutes"
    port = free_port()
    server = gunicorn(REDIS, port)
    server.wait_until_every_worker_serves()
    browsers = [Browser(port) for _ in range(8)]
    for browser in browsers:
        browser.open_sign_in()

    # The first round of attempts leaves together (a barrier), so that several workers serve
    # them (each serves one at a time): otherwise a quick first worker may take them all.
    together = threading.Barrier(len(browsers))

    def attempt(i: int) -> int:
        if i < len(browsers):
            together.wait(timeout=30)
        return browsers[i % len(browsers)].sign_in("target@example.org", "wrong password!")

    with concurrent.futures.ThreadPoolExecutor(len(browsers)) as pool:
        statuses = list(pool.map(attempt, range(2 * limit)))
    after = browsers[0].sign_in("target@example.org", "wrong password!")
    log = server.stop()

    served_by = server.served_by("POST /login (?:200|429)")
    assert len(served_by) >= 2, f"one worker served every attempt:\n{log}"
    assert after == 429
    assert statuses.count(200) <= limit + len(browsers) - 1  # only racing attempts pass
    assert statuses.count(429) >= limit - len(browsers) + 1


def test_with_redis_down_sign_in_still_works_and_limits_hold_per_worker(app, gunicorn):
    """Redis unreachable: pages keep working (no 5xx), each worker counts in memory, and the
    fallback is logged for the operator."""
    UserFactory(email="target@example.org")
    limit = int(app.config["LOGIN_LIMIT_ACCOUNT"].split()[0])
    port = free_port()
    server = gunicorn(f"redis://127.0.0.1:{free_port()}/0", port)
    server.wait_until_every_worker_serves()
    browser = Browser(port)
    browser.open_sign_in()
    statuses = [
        browser.sign_in("target@example.org", "wrong password!") for _ in range(4 * limit + 8)
    ]
    log = server.stop()

    assert all(status in (200, 429) for status in statuses), statuses
    # However unevenly the workers share the attempts, at most 4 × the limit pass.
    assert statuses.count(429) >= 8
    assert "falling back to in-memory storage" in log
