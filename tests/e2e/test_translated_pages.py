"""Every page of every role in French and in Spanish, in a real Chromium: no string of the
catalogue that has a translation is left in English."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from .test_every_page import visit
from .walk import share, shares

CATALOGUES = Path(__file__).parents[2] / "consult" / "translations"

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sd]")
#: Digits with the locale's group and decimal separators (never ending in a space, so that a
#: number placeholder does not swallow the French space before a colon).
NUMBER = r"\d(?:[\d.,\u202f\u00a0 ]*\d)?"


@cache
def english_left(language: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The catalogue's English strings whose translation differs, as patterns that match the
    string with any value in its placeholders (and that no translation looks like); read
    once per language and worker."""
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalogue = read_po(f, locale=language)
    translated: set[str] = set()
    english: list[str] = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated.update(" ".join(s.split()) for s in strings if s)
        english += [i for i in ids if i not in strings]
    found = []
    for text in english:
        text = " ".join(text.split())
        # Markup, short words, and strings that are mostly a text placeholder (whose English
        # words could be anybody's data) are not compared.
        literal = PLACEHOLDER.sub("", text).strip(" .:·")
        short = 8 if re.search(r"%\(\w+\)s|%s", text) else 4
        if "<" in text or len(literal) < short or text in translated:
            continue
        pattern = "".join(_pieces(text))
        found.append((text, re.compile(r"(?<![\w])" + pattern + r"(?![\w])")))
    return tuple(found)


def _pieces(text: str) -> list[str]:
    """The string as regular expressions: literal parts escaped, a number placeholder as digits
    (with the locale's separators), any other placeholder as a short text."""
    out, at = [], 0
    for m in PLACEHOLDER.finditer(text):
        number = m.group()[-1] in "di"
        out += [re.escape(text[at : m.start()]), NUMBER if number else ".{1,80}?"]
        at = m.end()
    return [*out, re.escape(text[at:])]


#: What a page shows or reads out, one piece per text node and per attribute that is text for
#: people (a title, an accessible name or description, a placeholder, an image's text, the
#: words on an input button, an option group's name), with the page's title. The members'
#: own words (``.user-text``) and what is marked as English (``[lang=en]``) are left out.
TEXTS = """() => {
  const out = [];
  const skip = (el) => el.closest("script, style, [lang='en'], .user-text");
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || skip(el)) continue;
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (text) out.push(text);
  }
  const attributes = {
    "[aria-label]": "aria-label",
    "[aria-description]": "aria-description",
    "[aria-roledescription]": "aria-roledescription",
    "[aria-placeholder]": "aria-placeholder",
    "[placeholder]": "placeholder",
    "[title]": "title",
    "[alt]": "alt",
    "optgroup[label], option[label], track[label]": "label",
    "input[type=submit][value], input[type=button][value], input[type=reset][value]": "value",
  };
  for (const [selector, name] of Object.entries(attributes)) {
    for (const el of document.querySelectorAll(selector)) {
      if (el !== document.documentElement && skip(el)) continue;
      const text = (el.getAttribute(name) || "").replace(/\\s+/g, " ").trim();
      if (text) out.push(text);
    }
  }
  out.push(document.title);
  return out;
}"""

#: Where the page is, its language and its texts, in one call: a locator (the ``lang`` read
#: through ``page.locator``) would load Playwright's selector engine into every page, a fifth
#: of each page's cost in CPU.
LANG_AND_TEXTS = f"""() => [
  location.pathname, document.documentElement.getAttribute("lang"), ({TEXTS})()
]"""

#: An English string of at least this many words is looked for inside longer texts too (a
#: shorter one only as the whole text: "Status" or "Open" could be part of anybody's data).
WORDS_INSIDE = 3


def left_in(
    texts: list[str], patterns: Sequence[tuple[str, re.Pattern[str]]]
) -> list[tuple[str, str]]:
    """(English string, text) of each text that is, or holds, an English catalogue string."""
    whole, by_word, always = _keyed(tuple(patterns))
    found = []
    for text in texts:
        found += [(english, text) for english in whole.get(text, ())]
        words = set(WORD.findall(text))
        candidates = [s for w in words for s in by_word.get(w, ())] + always
        for english, pattern, literal, inside in candidates:
            if literal in text and (pattern.fullmatch(text) or (inside and pattern.search(text))):
                found.append((english, text))
    return found


WORD = re.compile(r"\w+")
Searched = tuple[str, re.Pattern[str], str, bool]


@cache
def _keyed(
    patterns: tuple[tuple[str, re.Pattern[str]], ...],
) -> tuple[dict[str, list[str]], dict[str, list[Searched]], list[Searched]]:
    """The patterns ready for :func:`left_in`, worked out once per catalogue (a page's texts
    are then compared with the few strings they could be, not with the whole catalogue).

    A string without a placeholder that is only looked for as the whole text matches exactly
    the texts equal to it (its pattern is the string escaped): a look-up by text. Any other
    can only match a text that holds each of its words, as a word (one not touching a
    placeholder): it is looked for in the texts that hold its longest such word, and there
    only if the text holds its longest literal part (both tests before the expression)."""
    whole: dict[str, list[str]] = {}
    by_word: dict[str, list[Searched]] = {}
    always: list[Searched] = []
    for english, pattern in patterns:
        inside = len(PLACEHOLDER.sub("", english).split()) >= WORDS_INSIDE
        if not inside and not PLACEHOLDER.search(english):
            whole.setdefault(english, []).append(english)
            continue
        searched = (english, pattern, max(PLACEHOLDER.split(english), key=len), inside)
        if words := whole_words(english):
            by_word.setdefault(max(words, key=len), []).append(searched)
        else:
            always.append(searched)
    return whole, by_word, always


def whole_words(english: str) -> list[str]:
    """The words of ``english`` that any text it matches holds as words: those of its
    literal parts that do not touch a placeholder (the pattern's ends are word bounds)."""
    pieces = PLACEHOLDER.split(english)
    words = []
    for i, piece in enumerate(pieces):
        for m in WORD.finditer(piece):
            if (m.start() > 0 or i == 0) and (m.end() < len(piece) or i == len(pieces) - 1):
                words.append(m.group())
    return words


@pytest.mark.parametrize(("role", "part"), shares(admin=3))
@pytest.mark.parametrize("language", ["fr", "es"])
def test_no_catalogue_string_left_in_english(browser, live, pages, language, role, part):
    """Each role's pages (the administrator's in shares, see ``walk.shares``)."""
    patterns = english_left(language)
    name = {"fr": "Français", "es": "Español"}[language]
    problems = []
    context, page = visit(browser, live, role, width=1280, locale=language)
    paths = share(pages[role], part)
    page.goto(f"{live}{paths[0]}")
    # The switch comes back to the page it was on ("next"), now in the language: its first
    # page is checked as the switch left it, not opened a third time.
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    for i, path in enumerate(paths):
        if i:
            page.goto(f"{live}{path}")
        at, lang, texts = page.evaluate(LANG_AND_TEXTS)
        assert (at, lang) == (path, language), (path, at, lang)
        for english, text in left_in(texts, patterns):
            problems.append(f"{role} {path}: {english!r} in {text[:100]!r}")
    context.close()
    assert not problems, "\n".join(sorted(set(problems)))


def test_the_patterns_find_english_and_leave_french_alone():
    patterns = english_left("fr")
    found = {e for e, p in patterns if p.fullmatch("Sign out") or p.fullmatch("3 not sent")}
    assert found == {"Sign out", "%(num)d not sent"}
    assert not [e for e, p in patterns if p.fullmatch("Se déconnecter")]
    # Inside a longer text: a phrase of three words or more, never a short word.
    inside = left_in(["Résultats · 3 not sent · Sign out · Take out of the group"], patterns)
    assert {e for e, _ in inside} == {"Take out of the group"}
    assert not left_in(["Migration et santé : Statut ouvert"], patterns)
