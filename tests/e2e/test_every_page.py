"""Every page of every role in a real Chromium: nothing wider than a 360 px screen, chart labels
at 12 px, and no WCAG 2.1 A/AA violation found by axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .walk import ROLES, one_per_endpoint, share, shares, sign_in_page

HERE = Path(__file__).parent
AXE = (HERE / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

OVERFLOW = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  const wide = [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1)
    .filter((e) => !e.closest("[data-scrolls]") || e.matches("[data-scrolls]"))
    .slice(0, 3)
    .map((e) => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide};
}"""

#: The members' pages (delegates, observers) stack their tables on a phone rather than scroll
#: them sideways; only a matrix (instant-runoff rounds, head to head) or a chart may scroll,
#: inside its own labelled box. The labels of the boxes that scroll otherwise.
SIDEWAYS = """() => [...document.querySelectorAll("[data-scrolls]")]
  .filter((box) => box.scrollWidth > box.clientWidth + 1)
  .filter((box) => !box.querySelector("table.irv-rounds, table.pairwise, svg"))
  .map((box) => box.getAttribute("aria-label") || box.className)"""
MEMBERS = {"delegate", "observer"}
PHONE = {"width": 360, "height": 800}
WIDE = {"width": 1280, "height": 800}

#: The size of each chart label as drawn on the screen (its font size times the SVG's scale).
CHART_LABELS = """() => [...document.querySelectorAll("svg text")].map((t) => {
  const size = parseFloat(getComputedStyle(t).fontSize);
  const scale = t.getScreenCTM() ? t.getScreenCTM().a : 1;
  return [t.textContent.trim(), Math.round(size * scale * 10) / 10];
})"""

#: What a page is checked for at one width, in one call to the browser (each call is a round
#: trip through the driver): at 360 px its overflow, the boxes that scroll sideways (asked for
#: on the members' pages), the chart labels and, when asked, axe; at 1280 px axe and the chart
#: labels. Only the violations are reported in full: axe then skips the details of what
#: passed, which is most of its time on a long page (the same rules run).
CHECKS = f"""async ({{tags, fit, sideways, wcag}}) => ({{
  overflow: fit ? ({OVERFLOW})() : null,
  sideways: sideways ? ({SIDEWAYS})() : [],
  labels: ({CHART_LABELS})(),
  violations: wcag ? (await axe.run(document, {{
    runOnly: {{type: 'tag', values: tags}}, resultTypes: ['violations']
  }})).violations : [],
}})"""


#: Each role's signed-in browser state (its session cookie), by server: the walks sign in
#: once per worker and role, not in every test. The session stays valid from one test to
#: the next: the world is put back with the same accounts (and their session nonces).
SIGNED_IN: dict[tuple[str, str], Any] = {}


def visit(browser, live, role, *, width, locale="en-GB", axe=False):
    """A browser signed in as ``role``; with ``axe``, axe-core loaded in each page it opens."""
    state = SIGNED_IN.get((live, role))
    context = browser.new_context(
        viewport={"width": width, "height": 800}, locale=locale, storage_state=state
    )
    if axe:
        # Given to the browser once, run by it before each page's own scripts (outside the
        # page's CSP, as the driver's calls are): not sent again with every page.
        context.add_init_script(AXE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    if state is None and ROLES[role]:
        sign_in_page(page, live, ROLES[role])
        SIGNED_IN[live, role] = context.storage_state()
    return context, page


def checked(page, role: str, path: str, *, phone: bool, wcag: bool) -> list[str]:
    """What is wrong with the page as laid out now: on a ``phone`` (360 px) what does not fit
    it, at any width chart labels under 12 px and, with ``wcag``, what axe finds (the page
    opened by ``visit(..., axe=True)``)."""
    at = path if phone else f"{path} at 1280 px"
    found = page.evaluate(
        CHECKS, {"tags": WCAG, "fit": phone, "sideways": phone and role in MEMBERS, "wcag": wcag}
    )
    problems = []
    if found["overflow"]:
        problems.append(f"{path}: {found['overflow']}")
    if found["sideways"]:
        problems.append(f"{path}: tables scroll sideways instead of stacking: {found['sideways']}")
    if small := [(text, size) for text, size in found["labels"] if size < 11.95]:
        problems.append(f"{at}: chart labels under 12 px: {small[:3]}")
    problems += [
        f"{at}: {v['id']} ({v['impact']}) {[n['target'] for n in v['nodes'][:3]]}"
        for v in found["violations"]
    ]
    return problems


@pytest.mark.parametrize(("role", "part"), shares(admin=5))
def test_every_page_fits_a_phone_and_axe_finds_no_wcag_violation(
    app, browser, live, pages, role, part
):
    """Each page opened at 360 px: nothing wider than the screen, chart labels at 12 px, the
    members' tables stacked, and on one address of each page no WCAG violation found by axe
    (what the width changes is the layout, which each page's template decides). Then the
    same page widened to 1280 px: no WCAG violation found by axe, chart labels at 12 px.

    One visit of each page for both widths: only CSS depends on the width (media queries,
    no script reads it), and a page widened from 360 px lays out as one opened at 1280 px
    (every element's box, display, colour and font size, on every page of every role)."""
    context, page = visit(browser, live, role, width=PHONE["width"], axe=True)
    once = set(one_per_endpoint(app, pages[role]))
    problems = []
    for path in share(pages[role], part):
        page.set_viewport_size(PHONE)
        page.goto(f"{live}{path}")
        problems += checked(page, role, path, phone=True, wcag=path in once)
        page.set_viewport_size(WIDE)
        problems += checked(page, role, path, phone=False, wcag=True)
    context.close()
    assert not problems, "\n".join(problems)


def test_axe_reports_what_it_finds(browser, live, pages):
    """The check can fail: an image without a text alternative is reported."""
    context, page = visit(browser, live, "anonymous", width=1280, axe=True)
    page.goto(f"{live}/login")
    page.evaluate("document.querySelector('main').append(document.createElement('img'))")
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    assert "image-alt" in {v["id"] for v in result["violations"]}
    context.close()


def test_admin_menu_folds_on_a_phone_and_opens_without_javascript(browser, live, pages):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="en-GB"
    )
    page = context.new_page()
    sign_in_page(page, live, ROLES["admin"])
    nav = page.get_by_role("navigation", name="Administration")
    expect(nav.get_by_role("link", name="Members")).to_be_hidden()
    header = page.locator("header.site-header").bounding_box()
    assert header is not None
    assert header["height"] <= 180, header
    nav.get_by_text("Menu").click()
    nav.get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    context.close()
