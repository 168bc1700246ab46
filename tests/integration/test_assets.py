"""Static assets fingerprinted and cached for a year; pages and assets sent compressed."""

from __future__ import annotations

import gzip
import re

from consult.core.assets import Assets
from tests.conftest import csrf_token

ASSET = re.compile(r'(?:href|src)="(/static/[^"?]+)\?v=([0-9a-f]{12})"')


def test_pages_link_assets_by_fingerprint_and_those_are_cached_for_a_year(client):
    page = client.get("/login").get_data(as_text=True)
    links = ASSET.findall(page)
    assert {path for path, _ in links} >= {"/static/css/consult.css", "/static/img/favicon.svg"}
    for path, fingerprint in links:
        response = client.get(f"{path}?v={fingerprint}")
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in response.headers.get("Vary", "")
        # Without the current fingerprint, the browser must check again.
        stale = client.get(f"{path}?v=000000000000")
        assert stale.headers["Cache-Control"] == "no-cache"
        again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
        assert again.data == b""


def test_the_fingerprint_follows_the_content(tmp_path):
    (tmp_path / "site.css").write_text("body { color: black }")
    before = Assets(tmp_path).get("site.css").fingerprint
    (tmp_path / "site.css").write_text("body { color: navy }")
    assert Assets(tmp_path).get("site.css").fingerprint != before
    assert Assets(tmp_path).get("../site.css") is None
    assert Assets(tmp_path).get("missing.css") is None


def test_files_outside_static_are_not_served(client):
    assert client.get("/static/../config.py").status_code == 404
    assert client.get("/static/%2e%2e/config.py").status_code == 404
    assert client.get("/static/css/missing.css").status_code == 404


def test_pages_and_assets_are_compressed_for_browsers_that_accept_it(client):
    plain = client.get("/login")
    assert "Content-Encoding" not in plain.headers
    packed = client.get("/login", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 2
    # The same page, apart from the per-request CSRF token.
    token = re.compile(rb'value="[^"]{40,}"')
    assert token.sub(b"", gzip.decompress(packed.data)) == token.sub(b"", plain.data)

    css = client.get("/static/css/consult.css", headers={"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip"
    assert b"body" in gzip.decompress(css.data)


def test_the_ballot_scripts_come_as_one_fingerprinted_file(client, auth):
    """The ballot page fetches one script, js/ranking.js and js/conditions.js joined (a
    request less on a slow link); the page works without it (the selects are the fields)."""
    from tests.factories import UserFactory, build_consultation

    delegate = UserFactory()
    build_consultation("idm-2010")
    auth.login(delegate.email)
    page = client.get("/consultations/idm-2010").get_data(as_text=True)
    scripts = re.findall(r'<script src="(/static/[^"?]+)\?v=([0-9a-f]{12})"', page)
    assert [path for path, _ in scripts] == ["/static/js/ballot.js"]
    bundle = client.get(f"/static/js/ballot.js?v={scripts[0][1]}")
    assert bundle.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert bundle.mimetype in ("text/javascript", "application/javascript")
    parts = [client.get(f"/static/js/{name}").data for name in ("ranking.js", "conditions.js")]
    assert bundle.data == b"\n".join(parts)
    assert "<select" in page


def test_a_small_emblem_is_written_into_the_page_and_a_large_one_is_linked(tmp_path):
    (tmp_path / "small.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (tmp_path / "large.svg").write_text("<svg>" + " " * 4096 + "</svg>")
    assets = Assets(tmp_path)
    assert assets.data_uri("small.svg").startswith("data:image/svg+xml;base64,")
    assert assets.data_uri("large.svg") is None
    assert assets.data_uri("missing.svg") is None


def test_the_pages_fetch_the_stylesheet_and_the_icon_only(client):
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'<img class="emblem" src="data:image/svg\+xml;base64,', page)
    assert {path for path, _ in ASSET.findall(page)} == {
        "/static/css/consult.css",
        "/static/img/favicon.svg",
    }


def test_a_signed_in_page_varies_by_cookie_and_encoding_and_sends_no_cookie(client, auth):
    """A page of a signed-in reader depends on their session cookie (and, compressed, on the
    encoding); the cookie itself is not sent again while the session is unchanged."""
    from tests.factories import UserFactory

    UserFactory(email="d@example.org")
    auth.login("d@example.org")
    client.get("/")
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200
    varies = {part.strip() for part in page.headers["Vary"].split(",")}
    assert varies == {"Accept-Encoding", "Cookie"}
    assert "Set-Cookie" not in page.headers
    signed_out = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert "Set-Cookie" in signed_out.headers  # the session changed: sent again
    assert client.get("/").status_code == 302
