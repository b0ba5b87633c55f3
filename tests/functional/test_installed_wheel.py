"""`pip install .` gives a server that serves the screens: the wheel carries the TV's,
the kiosk's and the console's files, the code they share and the front-end packages
they load, so an installed copy needs no checkout beside it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("/tv/", "/kiosk/", "/admin/")
SCRIPT_OR_STYLE = re.compile(r'<script src="([^"]+)"|<link rel="stylesheet" href="([^"]+)"')


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args, "--quiet"], check=True)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The project's wheel installed into a folder of its own, and the environment that
    runs it from there: outside the checkout, the test environment's packages for its
    dependencies, a new instance folder and database."""
    wheels = tmp_path_factory.mktemp("wheels")
    _pip("wheel", "--no-deps", "--wheel-dir", str(wheels), str(ROOT))
    (wheel,) = wheels.glob("kiosk_server-*.whl")
    site = tmp_path_factory.mktemp("site")
    _pip("install", "--no-deps", "--target", str(site), str(wheel))
    instance = tmp_path_factory.mktemp("instance")
    return {
        **os.environ,
        "PYTHONPATH": str(site),
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'kiosk.sqlite3'}",
        "MESSAGE_QUEUE_URL": "",
        "SECRET_KEY": "installed-test",
    }


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], env=env, cwd=env["INSTANCE_PATH"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def server(installed: dict[str, str]) -> Iterator[str]:
    _run(installed, "-m", "flask", "--app", "kiosk_server", "db", "upgrade")
    port = free_port()
    log = Path(installed["INSTANCE_PATH"]) / "server.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "kiosk_server.wsgi:app"],
        env=installed,
        cwd=installed["INSTANCE_PATH"],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_it_answers(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_it_answers(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        try:
            requests.get(f"{url}/api/health", timeout=1)
            return
        # gunicorn listens at once and its worker answers once it has loaded the app.
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)


def test_the_installed_copy_is_the_one_that_runs(installed: dict[str, str]) -> None:
    where = _run(installed, "-c", "import kiosk_server; print(kiosk_server.__file__)")
    assert where.startswith(installed["PYTHONPATH"] + "/"), where


@pytest.mark.parametrize("page", PAGES)
def test_an_installed_server_serves_each_screen_with_its_files(server: str, page: str) -> None:
    reply = requests.get(server + page, timeout=10)
    assert reply.status_code == 200
    names = [next(filter(None, pair)) for pair in SCRIPT_OR_STYLE.findall(reply.text)]
    # A file the server has is named by its hash; a plain name is one it lacks.
    assert names and [name for name in names if not name.startswith("/assets/")] == []
    for name in names:
        assert requests.get(server + name, timeout=10).status_code == 200, name
    # And under its plain name, as the screens' own code asks for some of them.
    plain = names[-1].split("/", 3)[3]
    assert requests.get(f"{server}/{plain}", timeout=10).status_code == 200, plain


def test_an_installed_server_serves_the_kiosks_service_worker(server: str) -> None:
    """Its route is made from a listing of the kiosk's folder as the app starts."""
    assert requests.get(f"{server}/kiosk/sw.js", timeout=10).status_code == 200
