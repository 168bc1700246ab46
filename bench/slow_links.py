"""Delegate pages on a slow link: bytes transferred, requests and load time in Chromium with
its network emulation at 400 kbit/s each way and 400 ms of latency per request.

Seeds a fresh SQLite database (bench/seed.py: an open consultation with a five-option ranking
question), serves the app under gunicorn, signs a delegate in and submits one ballot over
plain HTTP, then opens each delegate page in Debian's Chromium (Playwright, headless) in a
new browser context holding only the session cookie — an empty cache, as on a first visit —
with the emulation on. For each page: the requests made (the page and its assets), the bytes
transferred (compressed, headers included, from the DevTools protocol's
``encodedDataLength``), the time until the ``load`` event, and then the same page loaded again
in the same context (assets from the browser's cache). The emulation adds the latency to
every request; it does not model TCP handshakes or packet loss, so a real link is slower.

Usage: ``.venv/bin/python bench/slow_links.py``
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import VENV, Goals, header
from bench.http_pages import Delegate, serve

PORT = 5813
LINK = {
    "offline": False,
    "latency": 400,  # ms added to every request
    "downloadThroughput": 400_000 / 8,  # bytes per second
    "uploadThroughput": 400_000 / 8,
}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
PAGES = {
    "sign-in page": "/login",
    "delegate home": "/",
    "ballot page": "/consultations/bench",
    "receipt": "/consultations/bench/receipt",
    "revision": "/consultations/bench/revisions/1",
    "published results": "/consultations/bench-published/results",
}
MAX_BYTES = 30 * 1024
MAX_REQUESTS = 4
BALLOT_SECONDS = 3.0


def visit(context, url: str) -> tuple[int, int, float]:
    """Requests that reached the network, bytes transferred and seconds to ``load``."""
    page = context.new_page() if not context.pages else context.pages[0]
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    cdp.send("Network.emulateNetworkConditions", LINK)
    seen: dict[str, int] = {}
    cdp.on("Network.requestWillBeSent", lambda e: seen.setdefault(e["requestId"], 0))
    cdp.on(
        "Network.loadingFinished",
        lambda e: seen.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    cached: set[str] = set()
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
    start = time.perf_counter()
    response = page.goto(url, wait_until="load")
    took = time.perf_counter() - start
    assert response is not None, url
    assert response.status == 200, (url, response.status)
    cdp.detach()
    return len(set(seen) - cached), sum(seen.values()), took


def main() -> None:
    from playwright.sync_api import sync_playwright

    header("Slow links (Chromium, 400 kbit/s, 400 ms latency)")
    goals = Goals("slow links")
    work = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    env = dict(os.environ, CONSULT_INSTANCE_DIR=str(work), SECRET_KEY="bench-secret")
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    server = None
    try:
        subprocess.run(
            [str(VENV / "consult"), "db", "upgrade"], env=env, check=True, capture_output=True
        )
        subprocess.run([str(VENV / "python"), "bench/seed.py", "2"], env=env, check=True)
        server = serve("consult:create_app()", PORT, env)
        base = f"http://127.0.0.1:{PORT}"
        delegate = Delegate(base, "bench0@example.org")
        assert delegate.submit()
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )
            signed_in = browser.new_context()
            page = signed_in.new_page()
            page.goto(f"{base}/login")
            page.fill("input[name=email]", "bench0@example.org")
            page.fill("input[name=password]", "consult-demo-2010")
            page.click("main form [type=submit]")
            page.wait_for_url(f"{base}/")
            state = signed_in.storage_state()
            signed_in.close()
            print(
                f"\n{'page':18} {'requests':>8} {'KB':>6} {'load s':>7}"
                f" {'again: requests':>15} {'KB':>6} {'load s':>7}"
            )
            for name, path in PAGES.items():
                context = browser.new_context(
                    storage_state=None if path == "/login" else state, locale="en-GB"
                )
                requests, size, took = visit(context, base + path)
                again = visit(context, base + path)
                context.close()
                print(
                    f"{name:18} {requests:8d} {size / 1024:6.1f} {took:7.2f}"
                    f" {again[0]:15d} {again[1] / 1024:6.1f} {again[2]:7.2f}"
                )
                goals.check(
                    f"{name}: transferred with its assets, first visit",
                    f"{size / 1024:.1f} KB",
                    f"≤ {MAX_BYTES // 1024} KB",
                    size <= MAX_BYTES,
                )
                goals.check(
                    f"{name}: requests, first visit",
                    str(requests),
                    f"≤ {MAX_REQUESTS}",
                    requests <= MAX_REQUESTS,
                )
                if name == "ballot page":
                    goals.check(
                        "ballot page: loaded (load event), first visit",
                        f"{took:.2f} s",
                        f"< {BALLOT_SECONDS:.0f} s",
                        took < BALLOT_SECONDS,
                    )
            browser.close()
    finally:
        if server:
            server.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
