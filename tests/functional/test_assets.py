"""The apps' pages name their scripts and styles by content hash; those URLs are cached
for a year and answer 404 once the content changes; everything is sent compressed."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest
from flask.testing import FlaskClient

from kiosk_server.pages.assets import Manifest
from tests.factories import World, make_listing

HASHED = re.compile(r'(?:src|href)="(/assets/([0-9a-f]{10})(/[^"]+))"')


def _references(client: FlaskClient, page: str) -> list[tuple[str, str, str]]:
    reply = client.get(page)
    assert reply.status_code == 200
    assert reply.headers["Cache-Control"] == "no-cache"
    return HASHED.findall(reply.get_data(as_text=True))


@pytest.mark.parametrize("page", ["/tv/", "/kiosk/", "/admin/"])
def test_every_script_and_style_of_a_page_is_named_by_its_hash(
    client: FlaskClient, page: str
) -> None:
    html = client.get(page).get_data(as_text=True)
    plain = re.findall(r'<script src="([^"]+)"|<link rel="stylesheet" href="([^"]+)"', html)
    assert plain and all(next(filter(None, pair)).startswith("/assets/") for pair in plain)
    for url, _digest, path in _references(client, page):
        hashed = client.get(url)
        assert hashed.status_code == 200, url
        assert hashed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        # The same bytes as the plain URL, which still works and is revalidated.
        original = client.get(path)
        assert original.status_code == 200 and original.headers["Cache-Control"] == "no-cache"
        assert hashed.data == original.data and hashed.mimetype == original.mimetype


def test_an_unknown_hash_or_file_under_assets_is_not_found(client: FlaskClient) -> None:
    url, digest, _path = _references(client, "/tv/")[0]
    assert client.get(url.replace(digest, "0123456789")).status_code == 404
    assert client.get(f"/assets/{digest}/tv/src/nothing.js").status_code == 404
    # Only what the plain routes serve: not the project's other files.
    assert client.get(f"/assets/{digest}/tv/index.html/../../pyproject.toml").status_code == 404
    assert client.get(f"/assets/{digest}/kiosk_server/config.py").status_code == 404


def test_bodies_are_compressed_for_browsers_that_accept_it(client: FlaskClient) -> None:
    url = next(u for u, _, p in _references(client, "/tv/") if p.endswith("socket.io.min.js"))
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    squeezed = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert squeezed.headers["Content-Encoding"] == "gzip"
    assert squeezed.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(squeezed.data) == plain.data
    assert len(squeezed.data) < len(plain.data) / 2
    best = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert best.headers["Content-Encoding"] == "br"
    assert brotli.decompress(best.data) == plain.data
    assert len(best.data) < len(squeezed.data)


def test_a_revalidated_page_or_file_that_has_not_changed_is_not_sent_again(
    client: FlaskClient,
) -> None:
    for url in ("/tv/", "/shared/keys.js"):
        first = client.get(url, headers={"Accept-Encoding": "gzip"})
        again = client.get(
            url, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]}
        )
        assert again.status_code == 304 and not again.data
        # The other coding is another representation, with its own tag.
        other = client.get(
            url, headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]}
        )
        assert other.status_code == 200


def test_an_edited_file_gets_a_new_hash_and_its_old_one_is_not_found(tmp_path: Path) -> None:
    """Development without a build step: the next page load sees the edit."""
    (tmp_path / "src").mkdir()
    script = tmp_path / "src" / "app.js"
    script.write_text("var a = 1;\n")
    (tmp_path / "index.html").write_text(
        '<link rel="stylesheet" href="data:,"><script src="src/app.js"></script>'
        '<script src="https://example.org/x.js"></script>'
    )
    manifest = Manifest(lambda url: tmp_path / url.removeprefix("/app/"))
    first = manifest.page("/app/index.html")
    assert first is not None
    html = first.bodies["identity"].decode()
    old = re.search(r'src="/assets/(\w+)/app/src/app.js"', html)
    assert old and 'href="data:,"' in html and 'src="https://example.org/x.js"' in html
    assert manifest.hashed(old[1], "/app/src/app.js") is not None

    script.write_text("var a = 2; // edited\n")
    second = manifest.page("/app/index.html")
    assert second is not None
    new = re.search(r'src="/assets/(\w+)/app/src/app.js"', second.bodies["identity"].decode())
    assert new and new[1] != old[1]
    assert (
        manifest.hashed(new[1], "/app/src/app.js").bodies["identity"] == b"var a = 2; // edited\n"
    )
    assert manifest.hashed(old[1], "/app/src/app.js") is None


@pytest.mark.parametrize("page", ["/tv/", "/kiosk/", "/admin/"])
def test_the_vendor_files_the_pages_need_are_installed(client: FlaskClient, page: str) -> None:
    html = client.get(page).get_data(as_text=True)
    # A file the server has is named by its hash (/assets/<hash>/vendor/…); one it
    # lacks keeps its plain name.
    missing = re.findall(r'(?:src|href)="(/vendor/[^"]+)"', html)
    assert not missing, f"{missing}: run make run (npm ci)"
    assert "/vendor/" in html


def test_the_feed_is_sent_compressed_and_its_tag_still_answers_304(
    client: FlaskClient, world: World
) -> None:
    for n in range(20):
        make_listing("job", target=world.jiuquhe, title=f"社区岗位{n}")
    url = f"/api/feed?community_id={world.jiuquhe.id}"
    plain = client.get(url)
    squeezed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert squeezed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(squeezed.data) == plain.data
    assert len(squeezed.data) < len(plain.data) / 3
    again = client.get(
        url, headers={"Accept-Encoding": "gzip", "If-None-Match": squeezed.headers["ETag"]}
    )
    assert again.status_code == 304 and not again.data
