"""`pip install .` gives a server that serves the screens: the wheel carries the TV's,
the kiosk's and the console's files, the code they share, the front-end packages
they load and the gunicorn settings, so an installed copy needs no checkout beside it.
Started as a newcomer starts it, `python -m kiosk_server` in a folder of their own,
it keeps its data in ./instance of that folder."""

from __future__ import annotations

import os
import re
import shutil
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
# The banner's last line (kiosk_server/__main__.py): how to log in.
LOGIN = "管理员登录："
# What this shell may have set for other tests; a newcomer's shell sets none of them.
UNSET = ("INSTANCE_PATH", "DATABASE_URL", "MESSAGE_QUEUE_URL", "SOCKETIO_ASYNC_MODE", "SECRET_KEY")


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args, "--quiet"], check=True)


class Installed:
    """The project's wheel installed into a folder of its own (the test environment's
    packages for its dependencies), and an empty folder to run it in."""

    def __init__(self, site: Path, workdir: Path) -> None:
        self.site = site
        self.workdir = workdir
        self.env = {key: value for key, value in os.environ.items() if key not in UNSET}
        self.env["PYTHONPATH"] = str(site)

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args], env=self.env, cwd=self.workdir, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


def _source(dest: Path) -> Path:
    """The checkout's files as git sees them, committed or not, ignored ones left out.
    Built in the checkout itself, the wheel would take setuptools' build/ folder
    there, which keeps every file since removed from the source."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if name == "node_modules":
            continue  # a link to it, which .gitignore's node_modules/ does not match
        source = ROOT / name
        # Deleted and not yet committed; a link is copied as a link.
        if source.is_symlink() or source.exists():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name, follow_symlinks=False)
    # What pages/front_ends/vendor/ links to: installed, never committed.
    (dest / "node_modules").symlink_to(ROOT / "node_modules")
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    source = _source(tmp_path_factory.mktemp("source"))
    wheels = tmp_path_factory.mktemp("wheels")
    _pip("wheel", "--no-deps", "--wheel-dir", str(wheels), str(source))
    (wheel,) = wheels.glob("kiosk_server-*.whl")
    site = tmp_path_factory.mktemp("site")
    _pip("install", "--no-deps", "--target", str(site), str(wheel))
    return Installed(site, tmp_path_factory.mktemp("workdir"))


class Started:
    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log = log


@pytest.fixture(scope="module")
def server(installed: Installed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Started]:
    """`flask db upgrade`, then `python -m kiosk_server`, both in the working folder."""
    installed.run("-m", "flask", "--app", "kiosk_server", "db", "upgrade")
    port = free_port()
    log = tmp_path_factory.mktemp("log") / "server.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk_server"],
        env={**installed.env, "HOST": "127.0.0.1", "PORT": str(port)},
        cwd=installed.workdir,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_the_banner(process, log)
        yield Started(f"http://127.0.0.1:{port}", log)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for_the_banner(process: subprocess.Popen[bytes], log: Path) -> None:
    """The worker prints it once it has loaded the app, and serves from then on."""
    deadline = time.monotonic() + 30
    while LOGIN not in log.read_text():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def test_the_installed_copy_is_the_one_that_runs(installed: Installed) -> None:
    where = installed.run("-c", "import kiosk_server; print(kiosk_server.__file__)")
    assert where.startswith(f"{installed.site}/"), where


def test_it_prints_where_each_screen_is_and_how_to_log_in(server: Started) -> None:
    output = server.log.read_text()
    assert f"就享家 已启动：{server.url}" in output
    for page in PAGES:
        assert f"{server.url}{page}" in output, page
    # No one has been given a login yet (no demo loaded): it says how to make one.
    last = output.strip().splitlines()[-1].strip()
    assert last == "管理员登录：用 `flask --app kiosk_server create-admin` 设置账号和密码"


def test_its_data_is_kept_in_the_folder_it_was_started_in(
    installed: Installed, server: Started
) -> None:
    instance = installed.workdir / "instance"
    assert (instance / "kiosk.sqlite3").is_file()
    assert (instance / "secret_key").is_file()
    assert list(installed.site.rglob("instance")) == []
    # The server reads the database `flask db upgrade` made there: a new one has no tables.
    assert requests.get(f"{server.url}/api/places", timeout=10).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_an_installed_server_serves_each_screen_with_its_files(server: Started, page: str) -> None:
    reply = requests.get(server.url + page, timeout=10)
    assert reply.status_code == 200
    names = [next(filter(None, pair)) for pair in SCRIPT_OR_STYLE.findall(reply.text)]
    # A file the server has is named by its hash; a plain name is one it lacks.
    assert names and [name for name in names if not name.startswith("/assets/")] == []
    for name in names:
        assert requests.get(server.url + name, timeout=10).status_code == 200, name
    # And under its plain name, as the screens' own code asks for some of them.
    plain = names[-1].split("/", 3)[3]
    assert requests.get(f"{server.url}/{plain}", timeout=10).status_code == 200, plain


def test_an_installed_server_serves_the_kiosks_service_worker(server: Started) -> None:
    """Its route is made from a listing of the kiosk's folder as the app starts."""
    assert requests.get(f"{server.url}/kiosk/sw.js", timeout=10).status_code == 200
