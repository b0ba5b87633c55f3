"""The webOS and Tizen apps open the hosted /tv/ page through one launch page,
deploy/tv/index.html, that deploy/tv/stage.py puts into both packages."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TV = ROOT / "deploy" / "tv"
sys.path.insert(0, str(TV))

from stage import PACKAGES, stage  # noqa: E402


def test_both_packages_get_the_one_launch_page_for_the_sites_address(tmp_path: Path) -> None:
    shutil.copy(TV / "index.html", tmp_path / "index.html")
    for package in PACKAGES:
        (tmp_path / package).mkdir()

    stage(tmp_path, "https://jobs.example.cn/")

    pages = {package: (tmp_path / package / "index.html").read_text() for package in PACKAGES}
    assert set(pages) == {"webos", "tizen"}
    assert len(set(pages.values())) == 1
    [page] = set(pages.values())
    assert "var TV_URL = 'https://jobs.example.cn/tv/';" in page
    assert "screens.example.org" not in page


def test_without_an_address_the_packages_get_the_page_as_it_is(tmp_path: Path) -> None:
    shutil.copy(TV / "index.html", tmp_path / "index.html")
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    stage(tmp_path)
    for package in PACKAGES:
        assert (tmp_path / package / "index.html").read_text() == (TV / "index.html").read_text()


def test_no_package_keeps_a_launch_page_of_its_own_in_the_repository() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "deploy/tv"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert [path for path in tracked if path.endswith(".html")] == ["deploy/tv/index.html"]


def test_both_manifests_open_the_staged_page() -> None:
    appinfo = json.loads((TV / "webos" / "appinfo.json").read_text())
    assert appinfo["main"] == "index.html"
    widget = ElementTree.parse(TV / "tizen" / "config.xml").getroot()
    content = widget.find("{http://www.w3.org/ns/widgets}content")
    assert content is not None and content.get("src") == "index.html"
