"""Follow docs/deploy.md step by step on this machine, then check what it promises.

Runs every ``sh`` block of the document in order (the settings block before each), with names,
ports and folders of its own: a throw-away certificate, a database and two roles named after
this process, a Redis database of its own, an SMTP server (aiosmtpd) standing in for the relay.
Between the steps it checks, through nginx, what the deployment is for: sign-in, the client's
address behind the proxy in gunicorn's log, the rate limit shared by the four workers (Redis),
a reset link that dies once opened, the application role unable to rewrite the record; the
document's own last steps check a restored backup and a key rotation. Everything it started or
created is removed at the end, whatever happened.
"""

from __future__ import annotations

import contextlib
import http.client
import mailbox
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "deploy.md"
SUFFIX = f"ci{os.getpid()}"
REDIS_DB = 13  # emptied before and after: no other user on this machine
_BLOCK = re.compile(r"^## (.+?)\n(?:(?!^## ).)*?^```sh\n(.*?)^```", re.M | re.S)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def steps() -> list[tuple[str, str]]:
    found = _BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert found and found[0][0].endswith("Settings"), "deploy.md must start with its settings"
    return found


def run_step(title: str, settings: str, block: str, env: dict[str, str]) -> str:
    print(f"== deploy.md: {title}", flush=True)
    script = f"set -euo pipefail\n{settings}\n{block}"
    done = subprocess.run(
        ["bash", "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    sys.stdout.write(done.stdout)
    if done.returncode:
        sys.stdout.write(done.stderr)
        raise SystemExit(f"deploy.md step '{title}' failed ({done.returncode})")
    return done.stdout


class Client:
    """A browser of its own at a source address of the loopback, through nginx (TLS)."""

    def __init__(self, port: int, cafile: str, source: str) -> None:
        self.port, self.source = port, source
        self.context = ssl.create_default_context(cafile=cafile)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None):
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=self.context, source_address=(self.source, 0)
        )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:  # as a browser sends a form: HTTPS posts are checked for origin
            origin = f"https://127.0.0.1:{self.port}"
            headers.update({"Origin": origin, "Referer": origin + path})
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, response.headers, text

    def csrf(self, path: str) -> str:
        _status, _headers, page = self.request("GET", path)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def login(self, email: str, password: str) -> int:
        token = self.csrf("/login")
        form = {"email": email, "password": password, "csrf_token": token}
        status, _headers, page = self.request("POST", "/login", form)
        self.last = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))[:600]
        return status


def check_service(env: dict[str, str], tmp: Path, port: int) -> None:
    cafile = str(tmp / "cert.pem")
    log = Path(env["CONSULT_LOG"]) / "access.log"

    print("== check: a delegate signs in through nginx; gunicorn logs the client's address")
    delegate = Client(port, cafile, "127.0.0.2")
    assert delegate.login("che@delegates.example.org", "consult-demo-2010") == 302, delegate.last
    status, _h, home = delegate.request("GET", "/")
    assert status == 200, status
    assert "Switzerland" in home
    time.sleep(0.5)
    lines = log.read_text().splitlines()
    # nginx reaches gunicorn from 127.0.0.1: the log names the client behind it.
    assert any(line.startswith("127.0.0.2 ") and '"POST /login' in line for line in lines), lines

    print("== check: the address limit holds across the four workers (Redis)")
    noisy = Client(port, cafile, "127.0.0.3")
    statuses = [noisy.login(f"nobody{n}@example.org", "wrong password") for n in range(51)]
    assert statuses[:50] == [200] * 50, statuses
    assert statuses[50] == 429, statuses[50]
    assert Client(port, cafile, "127.0.0.4").login("nobody@example.org", "wrong") == 200

    print("== check: a reset link works once as an address, and the logged one is dead")
    asker = Client(port, cafile, "127.0.0.5")
    token = asker.csrf("/password/forgot")
    form = {"email": "mex@delegates.example.org", "csrf_token": token}
    assert asker.request("POST", "/password/forgot", form)[0] == 200
    sent = subprocess.run(
        ["bash", "-c", f"{env['SETTINGS']}\nconsult mail send"], env=env, capture_output=True
    )
    assert sent.returncode == 0, sent.stderr
    bodies = []
    for message in mailbox.Maildir(tmp / "mail"):
        for part in message.walk():
            bodies.append(part.get_payload(decode=True) or b"")
    links = set(re.findall(rb"https://[^/\s]+(/password/reset/[A-Za-z0-9_-]+)", b"".join(bodies)))
    assert len(links) == 1, links
    path = links.pop().decode()
    status, headers, _page = asker.request("GET", path)
    assert status == 303, status
    assert headers["Location"].endswith("/password/reset")
    assert asker.request("GET", "/password/reset")[0] == 200
    assert Client(port, cafile, "127.0.0.6").request("GET", path)[0] == 400

    print("== check: the application's role cannot rewrite the record")
    for sql in ("DELETE FROM audit_event", "UPDATE revision SET content = '{}'"):
        refused = subprocess.run(
            ["psql", "-U", env["CONSULT_APP_ROLE"], "-d", env["CONSULT_DB"], "-c", sql],
            env=env,
            capture_output=True,
            text=True,
        )
        assert refused.returncode != 0, sql
        assert "permission denied" in refused.stderr, refused.stderr


def main() -> None:
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "nginx-light"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            stdout=subprocess.DEVNULL,
        )
    empty_redis_db()
    tmp = Path(tempfile.mkdtemp(prefix="consult-deploy-"))
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"/usr/sbin:{os.environ.get('PATH', '')}",
        "CONSULT_HOME": str(ROOT),
        "CONSULT_ETC": str(tmp / "etc"),
        "CONSULT_INSTANCE_DIR": str(tmp / "instance"),
        "CONSULT_DOCUMENTS_DIR": str(tmp / "instance" / "documents"),
        "CONSULT_LOG": str(tmp / "log"),
        "CONSULT_RUN": str(tmp / "run"),
        "CONSULT_BACKUP": str(tmp / "backup"),
        "CONSULT_HOSTNAME": f"127.0.0.1:{port}",
        "CONSULT_HTTPS_PORT": str(port),
        "CONSULT_APP_PORT": str(free_port()),
        "CONSULT_TLS_CERT": str(tmp / "cert.pem"),
        "CONSULT_TLS_KEY": str(tmp / "key.pem"),
        "PGHOST": "127.0.0.1",
        "CONSULT_DB": f"consult_{SUFFIX}",
        "CONSULT_OWNER": f"consult_owner_{SUFFIX}",
        "CONSULT_APP_ROLE": f"consult_app_{SUFFIX}",
        "CONSULT_REDIS": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(free_port()),
        "CURL_CA_BUNDLE": str(tmp / "cert.pem"),
    }
    for name in ("CONSULT_CONFIG", "DATABASE_URL", "SECRET_KEY", "CONSULT_RECEIPT_KEYS_FILE"):
        env.pop(name, None)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", env["CONSULT_TLS_KEY"], "-out", env["CONSULT_TLS_CERT"]],
        check=True, capture_output=True,
    )  # fmt: skip
    smtp = subprocess.Popen(
        [str(ROOT / ".venv/bin/python"), "-m", "aiosmtpd", "-n", "-l",
         f"127.0.0.1:{env['MAIL_PORT']}", "-c", "aiosmtpd.handlers.Mailbox", str(tmp / "mail")],
    )  # fmt: skip
    found = steps()
    settings = found[0][1]
    env["SETTINGS"] = settings
    try:
        for title, block in found[1:]:
            if title.startswith("9."):
                subprocess.run(
                    ["bash", "-c", f"{settings}\nconsult demo"], env=env, check=True,
                    capture_output=True,
                )  # fmt: skip
                check_service(env, tmp, port)
            output = run_step(title, settings, block, env)
            if title.startswith(("9.", "10.")):
                assert "audit chain intact" in output, output
        print("== deploy.md followed: every step ran and every check held")
    finally:
        cleanup(env, tmp, smtp)


def empty_redis_db() -> None:
    """The limiter's counters live in a Redis database of this check's own."""
    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "FLUSHDB"], capture_output=True, check=True)


def cleanup(env: dict[str, str], tmp: Path, smtp: subprocess.Popen) -> None:
    for pid_file in ("gunicorn.pid", "nginx.pid"):
        pid = Path(env["CONSULT_RUN"]) / pid_file
        if pid.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid.read_text().strip()), signal.SIGTERM)
    smtp.terminate()
    smtp.wait(timeout=10)
    time.sleep(1)
    sql = [
        f'DROP DATABASE IF EXISTS "{env["CONSULT_DB"]}" WITH (FORCE)',
        f'DROP DATABASE IF EXISTS "{env["CONSULT_DB"]}_restored" WITH (FORCE)',
        f'DROP ROLE IF EXISTS "{env["CONSULT_APP_ROLE"]}"',
        f'DROP ROLE IF EXISTS "{env["CONSULT_OWNER"]}"',
    ]
    for statement in sql:
        subprocess.run(["psql", "-U", "postgres", "-qc", statement], env=env, check=False)
    empty_redis_db()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
