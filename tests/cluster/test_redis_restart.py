"""Redis, the message queue between processes, restarts: screens recover without a reload.

The test runs its own redis-server on a free port, so the machine's Redis is
never touched. The screen sits on one process and staff publish through the
other, so every live message crosses Redis.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from scripts import cluster
from tests.cluster.conftest import Prepared, app_env, change_log, prepare, skip_unless
from tests.cluster.screen import SyncingScreen
from tests.factories import listing_input

skip_unless(redis_=False, nginx=False)
REDIS_SERVER = shutil.which("redis-server")
if REDIS_SERVER is None:
    pytest.skip("redis-server not installed", allow_module_level=True)


class PrivateRedis:
    def __init__(self, log: Path) -> None:
        self.port = cluster.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> PrivateRedis:
        assert REDIS_SERVER
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ],
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping():
                    return self
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def setup(
    fresh_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Prepared, PrivateRedis, list[cluster.AppProcess]]]:
    run: Path = tmp_path_factory.mktemp("redis-restart")
    queue = PrivateRedis(run / "redis.log").start()
    try:
        prepared = prepare(fresh_database, run / "instance")
        env = app_env(fresh_database, queue.url, run / "instance")
        apps = cluster.start_apps(env, [cluster.free_port(), cluster.free_port()], run)
        try:
            yield prepared, queue, apps
        finally:
            cluster.stop_apps(apps)
    finally:
        queue.kill()


def test_screens_recover_from_a_redis_restart_without_a_reload(setup) -> None:
    prepared, queue, (home, publisher) = setup
    screen = SyncingScreen(home.url, prepared.ids["jiuquhe"])
    try:
        staff = prepared.staff(publisher.url)
        first = staff.publish(listing_input(target_id=prepared.ids["jiuquhe"], title="重启前"))
        assert screen.wait_for_ids([first["id"]]) == [first["id"]]

        queue.kill()
        time.sleep(0.5)
        # Published while Redis is away: stored, and its message lost.
        during = staff.publish(listing_input(target_id=prepared.ids["street"], title="重启中"))
        queue.start()

        # The processes resubscribe on their own; once a live message crosses again
        # the screen sees the gap it left and syncs the one it missed.
        after: list[int] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            after.append(
                staff.publish(listing_input(target_id=prepared.ids["street"], title="重启后"))["id"]
            )
            if after[-1] in screen.wait_for_ids(after[-1:], timeout=1.5):
                break
        screen.wait_for_ids([first["id"], during["id"], *after], timeout=10)

        log = change_log(prepared.url, prepared.ids["scope"], screen.start_cursors)
        assert sorted((c["seq"], c["prev"], c["scope"], c["id"]) for c in screen.applied) == log
        assert len(screen.applied) == len(log)
        assert screen.connects == 1  # the socket to its own process never dropped
        assert screen.resyncs == []  # and the feed was never reloaded
        assert home.alive() and publisher.alive()
    finally:
        screen.close()
