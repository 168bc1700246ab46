"""`make screenshots`: every page of every role (one address per kind of page) at 1280 and
360 px in English, French and Spanish, as PNG files in screenshots/ (git-ignored), to look at.
Not part of `make test` (the name does not start with test_)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .test_every_page import visit
from .walk import ROLES, one_per_endpoint

OUT = Path(__file__).parents[2] / "screenshots"
NAMES = {"fr": "Français", "es": "Español"}


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("language", ["en", "fr", "es"])
@pytest.mark.parametrize("role", list(ROLES))
def test_screenshots(app, browser, live, pages, role, language, width):
    context, page = visit(browser, live, role, width=width, locale=language)
    if language in NAMES:
        page.goto(f"{live}{pages[role][0]}")
        page.get_by_role("button", name=NAMES[language]).click()
        page.wait_for_load_state()
    folder = OUT / language / str(width)
    folder.mkdir(parents=True, exist_ok=True)
    for path in one_per_endpoint(app, pages[role]):
        page.goto(f"{live}{path}")
        name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
        page.screenshot(path=str(folder / f"{role}--{name}.png"), full_page=True)
    context.close()
