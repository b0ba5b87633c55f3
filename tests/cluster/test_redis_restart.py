"""Redis, the message queue between processes, restarts: screens recover without a reload.

The test runs its own redis-server on a free port, so the machine's Redis is
never touched. The screen sits on one process and staff publish through the
other, so every live message crosses Redis.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts import cluster
from tests.cluster.conftest import (
    REDIS_SERVER,
    Prepared,
    PrivateRedis,
    change_log,
    skip_unless,
    two_apps_on_private_redis,
)
from tests.cluster.screen import SyncingScreen
from tests.factories import listing_input

skip_unless(redis_=False, nginx=False)
if REDIS_SERVER is None:
    pytest.skip("redis-server not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def setup(
    fresh_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Prepared, PrivateRedis, list[cluster.AppProcess]]]:
    run: Path = tmp_path_factory.mktemp("redis-restart")
    with two_apps_on_private_redis(fresh_database, run) as running:
        yield running


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
