"""A page's files are checked at most once every recheck_seconds: a morning's
thousands of TV starts cost no stat calls, and an edit still shows within that time."""

from __future__ import annotations

import re
from pathlib import Path

from kiosk_server.pages.assets import Manifest


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _script_hash(manifest: Manifest) -> str:
    page = manifest.page("/app/index.html")
    assert page is not None
    found = re.search(r'src="/assets/(\w+)/app/src/app.js"', page.bodies["identity"].decode())
    assert found
    return found[1]


def test_an_edit_shows_once_the_page_is_checked_again(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    script = tmp_path / "src" / "app.js"
    script.write_text("var a = 1;\n")
    (tmp_path / "index.html").write_text('<script src="src/app.js"></script>')
    manifest = Manifest(lambda url: tmp_path / url.removeprefix("/app/"), recheck_seconds=1.0)
    manifest.clock = clock = Clock()
    first = _script_hash(manifest)

    script.write_text("var a = 2; // edited\n")
    clock.now += 0.5
    assert _script_hash(manifest) == first  # not looked at yet: the page as it was

    clock.now += 0.5
    edited = _script_hash(manifest)
    assert edited != first
    assert manifest.hashed(edited, "/app/src/app.js") is not None


def test_without_a_recheck_time_every_page_load_sees_the_edit(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    script = tmp_path / "src" / "app.js"
    script.write_text("var a = 1;\n")
    (tmp_path / "index.html").write_text('<script src="src/app.js"></script>')
    manifest = Manifest(lambda url: tmp_path / url.removeprefix("/app/"))
    first = _script_hash(manifest)
    script.write_text("var a = 2; // edited\n")
    assert _script_hash(manifest) != first
