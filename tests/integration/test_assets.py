"""Static assets fingerprinted and cached for a year; pages and assets sent compressed."""

from __future__ import annotations

import gzip
import re

from consult.core.assets import Assets

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
