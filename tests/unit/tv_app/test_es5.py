"""Every script the TV page loads parses as ES5, the language old TV engines speak;
the kiosk and the staff console, written the same way, are held to it too."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask

ROOT = Path(__file__).resolve().parents[3]
CHECKER = ROOT / "scripts" / "check-es5.js"


def _scripts_the_page_loads(app: Flask, page_path: str) -> list[str]:
    page = app.test_client().get(page_path).get_data(as_text=True)
    return re.findall(r'<script src="([^"]+)"', page)


def _check(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed to check the TV's JavaScript (apt-get install nodejs)")
    return subprocess.run(
        [node, str(CHECKER), *map(str, paths)], capture_output=True, text=True, cwd=ROOT
    )


@pytest.mark.parametrize("page_path", ["/tv/", "/kiosk/", "/admin/"])
def test_every_script_on_the_page_is_es5(app: Flask, tmp_path: Path, page_path: str) -> None:
    client = app.test_client()
    sources = _scripts_the_page_loads(app, page_path)
    assert len(sources) > 10  # the vendor client, shared code and the app itself
    paths = []
    for n, source in enumerate(sources):
        url = source if source.startswith("/") else f"{page_path}{source}"
        response = client.get(url)
        assert response.status_code == 200, url
        path = tmp_path / f"{n:02d}-{Path(source).name}"
        path.write_bytes(response.get_data())
        paths.append(path)

    result = _check(paths)

    assert result.returncode == 0, result.stdout


def test_the_checker_refuses_modern_syntax(tmp_path: Path) -> None:
    modern = {
        "let.js": "let x = 1;",
        "arrow.js": "var f = () => 1;",
        "class.js": "class A {}",
        "template.js": "var s = `x`;",
    }
    for name, code in modern.items():
        (tmp_path / name).write_text(code)
    (tmp_path / "fine.js").write_text("var ok = function () { return 1; };")

    result = _check(sorted(tmp_path.iterdir()))

    assert result.returncode == 1
    flagged = {line.split(":")[0] for line in result.stdout.splitlines()}
    assert flagged == {str(tmp_path / name) for name in modern}
