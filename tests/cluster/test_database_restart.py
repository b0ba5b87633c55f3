"""PostgreSQL restarts while staff publish: each publish is stored and delivered, or
refused with a clear error; never half-done, never a hang, and the app process
recovers by itself (its pool tests connections that sat idle before use).

The test runs its own PostgreSQL (Debian's initdb and pg_ctl, on a free port in a
temporary folder) so the machine's server is never stopped. PostgreSQL refuses to
run as root, so as root the test runs it as the `postgres` user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text

from scripts import cluster
from tests.cluster.conftest import Prepared, app_env, prepare
from tests.cluster.screen import SyncingScreen
from tests.factories import listing_input

PG_BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
if not PG_BINS:
    pytest.skip(
        "PostgreSQL server binaries (initdb, pg_ctl) not installed", allow_module_level=True
    )
PG_BIN = Path(PG_BINS[-1]).parent
AS_ROOT = os.geteuid() == 0
if AS_ROOT:
    try:
        POSTGRES_USER = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and there is no postgres user", allow_module_level=True)

CHINESE = re.compile(r"[\u4e00-\u9fff]")


class PrivatePostgres:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="jxj-pg-"))
        self.data = self.dir / "data"
        self.port = cluster.free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        if AS_ROOT:
            os.chown(self.dir, POSTGRES_USER.pw_uid, POSTGRES_USER.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if AS_ROOT else []
        subprocess.run(
            [*prefix, str(PG_BIN / tool), *args],
            check=True,
            capture_output=True,
            cwd=self.dir,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.dir / "log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self) -> None:
        # fast: every open connection is cut, as in a crash or a restart by an operator.
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Attempt:
    title: str
    created: requests.Response | None = None
    published: requests.Response | None = None
    failure: str = ""  # a request that got no answer at all (a hang or a dropped connection)

    @property
    def listing_id(self) -> int | None:
        return self.created.json()["id"] if self.created is not None and self.created.ok else None

    @property
    def stored(self) -> bool:
        return self.published is not None and self.published.ok


@pytest.fixture(scope="module")
def setup(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[PrivatePostgres, Prepared, cluster.AppProcess]]:
    run: Path = tmp_path_factory.mktemp("db-restart")
    server = PrivatePostgres()
    try:
        server.start()
        url = cluster.create_database("kiosk", server.url)
        prepared = prepare(url, run / "instance")
        # One process, no queue: the screen sits on the process that publishes.
        [app] = cluster.start_apps(app_env(url, "", run / "instance"), [cluster.free_port()], run)
        try:
            yield server, prepared, app
        finally:
            cluster.stop_apps([app])
    finally:
        server.remove()


def _publish_until(stop: threading.Event, staff: Any, target: int, out: list[Attempt]) -> None:
    headers = {"X-CSRFToken": staff.token}
    n = 0
    while not stop.is_set():
        attempt = Attempt(title=f"重启时发布{n}")
        n += 1
        out.append(attempt)
        try:
            attempt.created = staff.http.post(
                f"{staff.base}/admin/api/listings",
                json=listing_input(target_id=target, title=attempt.title),
                headers=headers,
                timeout=15,
            )
            if attempt.listing_id is not None:
                attempt.published = staff.http.post(
                    f"{staff.base}/admin/api/listings/{attempt.listing_id}/publish",
                    json={},
                    headers=headers,
                    timeout=15,
                )
        except requests.RequestException as error:
            attempt.failure = repr(error)
        time.sleep(0.05)


def _assert_clear_refusal(reply: requests.Response) -> None:
    assert reply.status_code == 503, (reply.status_code, reply.text)
    error = reply.json()["error"]
    assert error["code"] == "database_unavailable"
    assert CHINESE.search(error["message"]), error


def test_a_publish_during_a_database_restart_is_stored_and_delivered_or_clearly_refused(
    setup,
) -> None:
    server, prepared, app = setup
    pid = app.process.pid if app.process else None
    screen = SyncingScreen(app.url, prepared.ids["jiuquhe"])
    staff = prepared.staff(app.url)
    attempts: list[Attempt] = []
    stop = threading.Event()
    publisher = threading.Thread(
        target=_publish_until, args=(stop, staff, prepared.ids["jiuquhe"], attempts)
    )
    try:
        publisher.start()
        time.sleep(1.5)
        server.stop()
        during = len(attempts)
        time.sleep(2)
        server.start()
        time.sleep(2)
        stop.set()
        publisher.join(timeout=30)
        assert not publisher.is_alive(), "a request hung"

        assert [a.failure for a in attempts if a.failure] == []
        refused = [a for a in attempts if not a.stored]
        stored = [a for a in attempts if a.stored]
        print(f"{len(stored)} publishes stored, {len(refused)} refused, {during} before the stop")
        assert refused, "the restart refused nothing: it was not exercised"
        assert any(attempts.index(a) > during for a in stored), "nothing stored after the restart"
        for attempt in refused:
            failed = attempt.created if attempt.listing_id is None else attempt.published
            assert failed is not None
            _assert_clear_refusal(failed)

        # The database agrees: each stored publish is published with its change, and no
        # change is left without its listing.
        engine = create_engine(prepared.url)
        with engine.connect() as connection:
            rows = {
                row.title: row
                for row in connection.execute(
                    text(
                        "SELECT l.id, l.title, l.status, count(c.seq) AS changes FROM listings l "
                        "LEFT JOIN changes c ON c.entity = 'listing' AND c.entity_id = l.id "
                        "GROUP BY l.id, l.title, l.status"
                    )
                )
            }
            orphans = connection.execute(
                text(
                    "SELECT count(*) FROM changes c WHERE c.entity = 'listing' AND NOT EXISTS "
                    "(SELECT 1 FROM listings l WHERE l.id = c.entity_id)"
                )
            ).scalar()
        engine.dispose()
        assert orphans == 0
        # A refused request may have committed just before the database went away, its
        # answer failing after the commit (a race of milliseconds): then the listing is
        # whole (a draft; or published with its change, and delivered), never in between.
        late = [a for a in refused if a.title in rows and rows[a.title].status == "published"]
        for attempt in refused:
            row = rows.get(attempt.title)
            assert row is None or (row.status, row.changes) in {("draft", 0), ("published", 1)}
        print(f"{len(late)} refused answers came after their commit")
        for attempt in [*stored, *late]:
            assert (rows[attempt.title].status, rows[attempt.title].changes) == ("published", 1)

        # Every published listing reached the screen, once each.
        ids = [rows[a.title].id for a in [*stored, *late]]
        screen.sync_now()
        applied = screen.wait_for_ids(ids, timeout=15)
        assert sorted(i for i in applied if i in ids) == sorted(ids)
        assert len(applied) == len(set(applied))

        # The same process answers again, without a restart.
        assert app.process is not None and app.process.pid == pid and app.alive()
        assert requests.get(f"{app.url}/api/health", timeout=5).status_code == 200
    finally:
        stop.set()
        publisher.join(timeout=30)
        screen.close()
