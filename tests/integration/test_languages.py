"""Three languages: complete catalogs, locale choice, translated pages."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_python
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from consult.cli import BABEL_CFG, MORE_KEYWORDS
from tests.conftest import csrf_token
from tests.factories import UserFactory
from tests.worlds import built_once

ROOT = Path(__file__).parents[2]
#: The keywords of ``consult translate extract``.
KEYWORDS = {**DEFAULT_KEYWORDS, **dict.fromkeys(MORE_KEYWORDS)}


#: Where a name the extractor reads as a call to translate could stand in Python source (as a
#: whole name: ``_`` but not ``to_``); in strings and comments too, so that no file with one is
#: passed over.
KEYWORD_NAME = re.compile(
    rb"(?<!\w)(?:" + b"|".join(re.escape(k.encode()) for k in KEYWORDS) + rb")(?!\w)"
)


def marked_python(fileobj, keywords, comment_tags, options):
    """Babel's Python extractor, on the files that name a keyword: more than half of the source
    (by size) names none and holds no message, and tokenizing it was half the time."""
    source = fileobj.read()
    if not KEYWORD_NAME.search(source):
        return iter(())
    return extract_python(io.BytesIO(source), keywords, comment_tags, options)


def method_map() -> tuple[list[tuple[str, object]], dict[str, dict[str, str]]]:
    """babel.cfg's map of files to extractors (as ``consult translate extract`` reads it),
    Python's through :func:`marked_python`."""
    with BABEL_CFG.open(encoding="utf-8") as f:
        methods, options = parse_mapping_cfg(f)
    return [(p, marked_python if m == "python" else m) for p, m in methods], options


def extracted() -> frozenset[str]:
    """The messages marked in the source."""
    found = set()
    methods, options = method_map()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "consult"), methods, options, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return frozenset(found)


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory: pytest.TempPathFactory) -> frozenset[str]:
    """The messages marked in the source, extracted once per run (1-2.5 s of CPU): both
    catalogues are compared with them, in whichever worker their tests run."""
    return built_once(tmp_path_factory, "source-messages", extracted)


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_catalog_is_complete(lang, source_messages):
    path = ROOT / "consult" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    catalog = read_po(io.BytesIO(path.read_bytes()), locale=lang)
    translated = {}
    for m in catalog:
        if not m.id:
            continue
        key = m.id if isinstance(m.id, str) else m.id[0]
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        translated[key] = all(strings) and not m.fuzzy
    missing = sorted(s for s in source_messages if not translated.get(s))
    assert missing == [], f"{lang}: untranslated or fuzzy: {missing[:10]}"


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_catalog_holds_only_messages_the_source_marks(lang, source_messages):
    """Every message of the catalogue is one the extractor finds in the source: one it no
    longer finds is dropped by the next ``consult translate update``, and its page shows
    English from then on. The usual cause is a call inside an f-string
    (``f"<b>{_('winner')}</b>"``), which the extractor cannot read."""
    path = ROOT / "consult" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    catalog = read_po(io.BytesIO(path.read_bytes()), locale=lang)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert sorted(ids - source_messages) == []


def test_french_punctuation_keeps_to_its_word():
    """French puts a space before ``: ; ? ! »`` and after ``«``; an ordinary one lets a line
    break leave the sign alone at the start of a line (on a phone, often), so it is a no-break
    space."""
    path = ROOT / "consult" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    catalog = read_po(io.BytesIO(path.read_bytes()), locale="fr")
    loose = re.compile(r" [:;?!»]|« ")
    found = [
        text
        for m in catalog
        if m.id
        for text in (m.string if isinstance(m.string, tuple) else (m.string,))
        if loose.search(text)
    ]
    assert found == []


def test_demo_french_keeps_punctuation_to_its_word():
    """The demo's own French (titles, questions, a delegate's comment) follows the same rule:
    it is what a new user reads first."""
    text = (ROOT / "consult" / "demo" / "consultations.yaml").read_text(encoding="utf-8")
    loose = [line.strip() for line in text.splitlines() if re.search(r" [:;?!»]|« ", line)]
    assert loose == []
    assert "DIM 2010\u00a0: choix du thème général" in text


def test_browser_language_is_used_before_sign_in(client):
    page = client.get("/login", headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert 'lang="es"' in page.get_data(as_text=True)
    assert "Iniciar sesión" in page.get_data(as_text=True)


def test_browser_language_followed_when_it_changes(client):
    """The language chosen for a browser's Accept-Language (kept per process) follows the
    header from one request to the next, a long header included."""
    for header, lang in [
        ("es-ES,es;q=0.9", "es"),
        ("fr-CH,fr;q=0.9,en;q=0.8", "fr"),
        ("es-ES,es;q=0.9", "es"),
        ("de-DE,de;q=0.9", "en"),
        ("", "en"),
        ("de;q=0.9," * 40 + "fr;q=0.5", "fr"),
    ]:
        page = client.get("/login", headers={"Accept-Language": header})
        assert f'<html lang="{lang}">' in page.get_data(as_text=True), header


def test_switcher_sets_language_for_anonymous_visitor(client):
    token = csrf_token(client)
    client.post("/language", data={"lang": "fr", "csrf_token": token, "next": "/login"})
    assert "Se connecter" in client.get("/login").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    token = csrf_token(client)
    client.post("/language", data={"lang": "xx", "csrf_token": token})
    assert 'lang="en"' in client.get("/login").get_data(as_text=True)


def test_user_choice_wins_over_browser(client, auth):
    UserFactory(email="d@example.org", locale="fr")
    auth.login("d@example.org")
    page = client.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert 'lang="fr"' in page


@pytest.mark.parametrize(
    ("lang", "text"),
    [("en", "Page not found"), ("fr", "Page introuvable"), ("es", "Página no encontrada")],
)
def test_error_pages_in_three_languages(client, lang, text):
    response = client.get("/no/such/page", headers={"Accept-Language": lang})
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "name"),
    [
        ("en", "International Dialogue on Migration"),
        ("fr", "Dialogue international sur la migration"),
        ("es", "Diálogo Internacional sobre la Migración"),
    ],
)
def test_organisation_named_in_the_readers_language(client, lang, name):
    page = client.get("/login", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert page.count(name) >= 3  # the title, the header and the footer
