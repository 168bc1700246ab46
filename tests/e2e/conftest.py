"""A live server and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.conftest import Rows, restore
from tests.smtp import mailbox, smtp_server  # noqa: F401 - the SMTP fixtures, for mail tests
from tests.worlds import NamedRows, built_once, kept, store_files, tables

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]


def pytest_collection_modifyitems(items):
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM}")
    skip = pytest.mark.skip(
        reason=f"NO CHROMIUM at {CHROMIUM}: browser tests skipped (install Debian's chromium)"
    )
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def world(app, tmp_path_factory) -> tuple[dict[str, list[str]], Rows]:
    """The demo's world and the pages of each role (tests/e2e/walk.py), built and walked once
    per run (by the first worker that needs it, tests/worlds.py), kept as rows with the
    files it stored; the tables are left empty for the next test."""

    def build() -> tuple[dict[str, list[str]], NamedRows, dict[str, bytes]]:
        from .walk import build_world, walk_all

        with app.app_context():
            build_world(app)
            walks = dict(walk_all(app))
            rows, files = kept()
        return walks, rows, files

    walks, rows, files = built_once(tmp_path_factory, "browser-world", build)
    with app.app_context():
        store_files(files)
    return walks, tables(rows)


@pytest.fixture
def pages(app, world) -> dict[str, list[str]]:
    """The world put back as it was built (whatever the previous test that read it did to it)
    and the pages of each role."""
    walks, rows = world
    restore(rows)
    return walks
