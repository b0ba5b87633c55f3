"""Two app processes (as `make cluster` starts them) on the machine's PostgreSQL
and Redis, behind a real nginx.

A screen that reaches one process through nginx hears what staff publish
through the other; when its process is killed it reconnects through nginx to
the other and catches up with every change it missed, once each and in order;
and the expiry sweep both processes run records each expiry once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk_server.timeutil import utcnow
from scripts import cluster
from tests.cluster.conftest import (
    Prepared,
    change_log,
    skip_unless,
    two_apps_behind_nginx,
    upstream_port,
)
from tests.cluster.screen import SyncingScreen
from tests.factories import listing_input
from tests.live_server import StaffSession

skip_unless()


class Cluster:
    def __init__(self, prepared: Prepared, apps: list[cluster.AppProcess], nginx: cluster.Nginx):
        self.prepared = prepared
        self.apps = apps
        self.nginx = nginx

    def app_on(self, port: int) -> cluster.AppProcess:
        return next(app for app in self.apps if app.port == port)

    def other_than(self, port: int) -> cluster.AppProcess:
        return next(app for app in self.apps if app.port != port)


@pytest.fixture(scope="module")
def running(fresh_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    run: Path = tmp_path_factory.mktemp("cluster")
    with two_apps_behind_nginx(fresh_database, run) as (prepared, apps, nginx):
        yield Cluster(prepared, apps, nginx)


# TVs and kiosks start on long-polling and upgrade (shared_ui/live.js); a client
# may also open the WebSocket at once, as the bench harness does. Both end on the
# worker's own WebSocket reader (kiosk_server/live/sockets.py).
@pytest.mark.parametrize("transports", [None, ["websocket"]], ids=["upgrade", "websocket"])
def test_a_screen_behind_nginx_hears_a_listing_published_through_the_other_process(
    running: Cluster, transports: list[str] | None
) -> None:
    prepared = running.prepared
    screen = SyncingScreen(running.nginx.url, prepared.ids["jiuquhe"], transports=transports)
    try:
        home = upstream_port(running.nginx.url)
        staff = prepared.staff(running.other_than(home).url)
        listing = staff.publish(listing_input(target_id=prepared.ids["street"], title="跨进程发布"))

        assert screen.wait_for_ids([listing["id"]]) == [listing["id"]]
        assert screen.applied[0]["data"]["title"] == "跨进程发布"
        assert screen.connects == 1
    finally:
        screen.close()


def test_a_screen_that_closes_its_websocket_is_seen_leaving(running: Cluster) -> None:
    """The worker reads screens' sockets itself (kiosk_server/live/sockets.py); a
    close must still reach the app, or staff would see a gone TV as online."""
    prepared = running.prepared
    staff = prepared.staff(running.nginx.url)
    screen = SyncingScreen(running.nginx.url, prepared.ids["jiuquhe"], transports=["websocket"])
    try:
        assert _wait_for_online(staff, screen.id, True)
    finally:
        screen.close()
    assert _wait_for_online(staff, screen.id, False)


def _wait_for_online(staff: StaffSession, screen_id: int | None, online: bool) -> bool:
    """Whether staff see the screen so within a few report intervals."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        reply = staff.http.get(f"{staff.base}/admin/api/screens", timeout=10)
        reply.raise_for_status()
        items = {item["id"]: item for item in reply.json()["items"]}
        if items[screen_id]["online"] is online:
            return True
        time.sleep(0.3)
    return False


def test_a_screen_whose_process_is_killed_moves_through_nginx_and_misses_nothing(
    running: Cluster,
) -> None:
    prepared = running.prepared
    screen = SyncingScreen(running.nginx.url, prepared.ids["jiuquhe"])
    home = running.app_on(upstream_port(running.nginx.url))
    survivor = running.other_than(home.port)
    try:
        staff = prepared.staff(survivor.url)
        before = staff.publish(listing_input(target_id=prepared.ids["jiuquhe"], title="之前"))
        screen.wait_for_ids([before["id"]])

        home.kill()  # SIGKILL: no goodbye to the screen, no cleanup
        missed = [
            staff.publish(
                listing_input(target_id=prepared.ids[target], title=f"进程倒下后发布{n}")
            )["id"]
            for n, target in enumerate(["jiuquhe", "street", "jiuquhe", "street", "jiuquhe"])
        ]
        screen.wait_for_ids(missed, timeout=20)
        assert upstream_port(running.nginx.url) == survivor.port
        # A few more, live, on the new process.
        after = [
            staff.publish(listing_input(target_id=prepared.ids["street"], title=f"之后{n}"))["id"]
            for n in range(2)
        ]
        screen.wait_for_ids(after)
        time.sleep(0.5)  # anything sent twice would have arrived by now

        log = change_log(prepared.url, prepared.ids["scope"], screen.start_cursors)
        applied = [(c["seq"], c["prev"], c["scope"], c["id"]) for c in screen.applied]
        # Exactly the change log of its rooms since it loaded: none missing, none twice...
        assert sorted(applied) == log
        assert len({seq for seq, *_ in applied}) == len(applied)
        # ...and in order within each room (rooms are independent of each other).
        for scope in prepared.ids["scope"]:
            in_room = [seq for seq, _, room, _ in applied if room == scope]
            assert in_room == sorted(in_room)
        assert {entity for *_, entity in applied} >= {before["id"], *missed, *after}
        assert screen.connects >= 2
        assert screen.resyncs == []
    finally:
        screen.close()
        if not home.alive():
            home.start().wait_ready()


def test_both_processes_sweep_but_each_expiry_is_recorded_once(running: Cluster) -> None:
    prepared = running.prepared
    screen = SyncingScreen(running.nginx.url, prepared.ids["jiuquhe"])
    try:
        staff = prepared.staff(running.apps[1].url)
        until = (utcnow() + timedelta(seconds=2)).isoformat()
        listing = staff.publish(
            listing_input(target_id=prepared.ids["jiuquhe"], title="马上过期", valid_until=until)
        )
        with screen.changed:
            screen.changed.wait_for(
                lambda: any(c["op"] == "remove" for c in screen.applied), timeout=10
            )
        time.sleep(2.5)  # both sweepers have had their turn again

        assert [(c["id"], c["op"]) for c in screen.applied] == [
            (listing["id"], "upsert"),
            (listing["id"], "remove"),
        ]
        expiries = [
            entity
            for *_, entity in change_log(prepared.url, prepared.ids["scope"], {})
            if entity == listing["id"]
        ]
        assert len(expiries) == 2  # the publish and one expiry
    finally:
        screen.close()
