"""`make run` ends with `python -m kiosk_server`: the production server (gunicorn with
the project's gevent WebSocket worker, one process) on the embedded SQLite and the
in-process queue, saying only where to go and how to log in."""

from __future__ import annotations

import os
import secrets
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import socketio as socketio_client

from kiosk_server import create_app
from kiosk_server.extensions import db
from tests.conftest import make_config
from tests.live_server import Server, free_port

BANNER_END = "管理员登录"


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """What `make setup` leaves: a database with the demo and the first admin's login."""
    folder = tmp_path_factory.mktemp("make-run")
    url = f"sqlite:///{folder / 'kiosk.sqlite3'}"
    app = create_app(make_config(url, folder))
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    environ = {
        key: value
        for key, value in os.environ.items()
        # What this shell may have set for other tests; make run reads none of them.
        if key not in ("DATABASE_URL", "MESSAGE_QUEUE_URL", "SOCKETIO_ASYNC_MODE")
    }
    env = {
        **environ,
        "INSTANCE_PATH": str(folder),
        "DATABASE_URL": url,
        "HOST": "127.0.0.1",
        "SECRET_KEY": secrets.token_hex(8),
    }
    yield folder, env


def _start(instance: tuple[Path, dict[str, str]], name: str) -> Server:
    folder, env = instance
    server = Server(env, free_port(), folder / f"{name}.log")
    server.wait_ready()
    return server


def _output(server: Server) -> str:
    deadline = time.monotonic() + 10
    while BANNER_END not in server.log.read_text():
        assert time.monotonic() < deadline, server.log.read_text()
        time.sleep(0.1)
    return server.log.read_text()


def _workers(pid: int) -> list[str]:
    """The command lines of a process's children (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        # "pid (comm) state ppid …"; comm may hold spaces, so split after its ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(cmdline)
    return found


def _screen(server: Server) -> socketio_client.Client:
    reply = requests.post(f"{server.url}/api/screens", json={"community_id": _community(server)})
    reply.raise_for_status()
    client = socketio_client.Client(reconnection=False)
    client.connect(
        server.url,
        namespaces=["/screens"],
        auth={"token": reply.json()["token"]},
        transports=["websocket"],
        wait_timeout=10,
    )
    return client


def _community(server: Server) -> int:
    def first(places: list[dict]) -> int | None:  # type: ignore[type-arg]
        for place in places:
            if place["level"] == "community":
                return int(place["id"])
            found = first(place.get("children", []))
            if found is not None:
                return found
        return None

    community = first(requests.get(f"{server.url}/api/places").json()["places"])
    assert community is not None
    return community


def test_make_run_serves_through_gunicorn_and_prints_only_its_addresses(
    instance: tuple[Path, dict[str, str]],
) -> None:
    folder, _env = instance
    server = _start(instance, "output")
    try:
        # A person's own page: a reference and its token must not reach any log.
        requests.get(f"{server.url}/r/13912345678?t=secret-token-123")
        page = requests.get(f"{server.url}/l/1")
        output = _output(server)
    finally:
        server.stop()

    base = server.url
    username, password = (folder / "initial-admin.txt").read_text().split()
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    assert lines == [
        f"就享家 已启动：{base}",
        f"电视      {base}/tv/",
        f"自助机    {base}/kiosk/   绑定码：flask --app kiosk_server screens enrolment-code",
        f"工作台    {base}/admin/",
        f"公开接口  {base}/api/places   {base}/api/feed?community_id=<社区编号>",
        f"手机页    {base}/l/<信息编号>",
        f"接口说明  {base}/api/openapi.json",
        f"管理员登录：用户名 {username}  密码 {password}",
    ], output
    assert "Werkzeug" not in page.headers.get("Server", "")


def test_one_gunicorn_worker_holds_a_screens_websocket(
    instance: tuple[Path, dict[str, str]],
) -> None:
    server = _start(instance, "websocket")
    try:
        [worker] = _workers(server.process.pid)
        assert "gunicorn" in worker or "kiosk_server" in worker, worker
        client = _screen(server)
        try:
            assert client.transport() == "websocket"
            reply = client.call("sync", {"cursors": {}}, namespace="/screens", timeout=10)
            assert "changes" in reply or "resync" in reply, reply
        finally:
            client.disconnect()
    finally:
        server.stop()


def test_sigterm_stops_it_promptly_with_a_screen_connected(
    instance: tuple[Path, dict[str, str]],
) -> None:
    server = _start(instance, "stop")
    client = _screen(server)
    try:
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=10) == 0
        # Tests and systemd wait this long; the screen reconnects when it is back.
        assert time.monotonic() - started < 8
    finally:
        client.disconnect()
        server.stop()
    output = server.log.read_text()
    assert "Traceback" not in output and "Error" not in output, output
