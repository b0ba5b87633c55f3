"""nginx keeps sending to a live process (issue #22, point 12).

Two app processes behind the cluster's nginx, as `make cluster` starts them, and
a burst of GETs from several threads through nginx while the processes go down
in turn, as a rolling restart takes them: the process this machine's clients
hash to is killed and started again, and as soon as it answers, the other one
is killed. At every moment one process is alive, so every GET is answered 200
by it: none is nginx's own 502 "no live upstreams" because an earlier failure
of the live process still counts against it. A POST that a process received
and then died with is never sent on to the other: it may have done its work
(nginx's `non_idempotent` is absent).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from scripts import cluster
from tests.cluster.conftest import skip_unless, two_apps_behind_nginx, upstream_port

skip_unless()

THREADS = 4


@dataclass
class Running:
    apps: list[cluster.AppProcess]
    nginx: cluster.Nginx

    def app_on(self, port: int) -> cluster.AppProcess:
        return next(app for app in self.apps if app.port == port)

    def other_than(self, port: int) -> cluster.AppProcess:
        return next(app for app in self.apps if app.port != port)


@pytest.fixture(scope="module")
def running(fresh_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    run: Path = tmp_path_factory.mktemp("upstream")
    with two_apps_behind_nginx(fresh_database, run) as (_, apps, nginx):
        yield Running(apps, nginx)


@dataclass
class Burst:
    """Threads sending GETs through nginx until stopped; each answer's status, by phase."""

    url: str
    phase: str = "both up"
    answers: list[tuple[str, int]] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    stopping: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> Burst:
        self.threads = [threading.Thread(target=self._send, daemon=True) for _ in range(THREADS)]
        for thread in self.threads:
            thread.start()
        return self

    def _send(self) -> None:
        with requests.Session() as http:
            while not self.stopping.is_set():
                phase = self.phase
                try:
                    status = http.get(self.url, timeout=10).status_code
                except requests.RequestException:
                    status = 0  # no answer at all
                with self.changed:
                    self.answers.append((phase, status))
                    self.changed.notify_all()

    def enter(self, phase: str, answers: int) -> None:
        """Start counting answers as `phase`, and wait until that many have come back."""
        self.phase = phase
        with self.changed:
            assert self.changed.wait_for(
                lambda: sum(1 for p, _ in self.answers if p == phase) >= answers, timeout=60
            ), f"the burst stalled in phase {phase!r}"

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=15)

    def statuses(self) -> dict[str, Counter[int]]:
        by_phase: dict[str, Counter[int]] = {}
        for phase, status in self.answers:
            by_phase.setdefault(phase, Counter())[status] += 1
        return by_phase


def _no_live_upstreams(nginx: cluster.Nginx) -> int:
    log = nginx.run / "nginx-error.log"
    return log.read_text().count("no live upstreams") if log.exists() else 0


def test_every_get_is_answered_by_the_live_process_through_a_rolling_restart(
    running: Running,
) -> None:
    home = running.app_on(upstream_port(running.nginx.url))
    other = running.other_than(home.port)
    refusals_before = _no_live_upstreams(running.nginx)
    burst = Burst(f"{running.nginx.url}/api/places").start()
    try:
        burst.enter("both up", 20)
        home.kill()
        burst.enter("first down", 50)  # nginx meets the dead process and goes on to the other
        home.start().wait_ready()  # asked directly, as deploy/upgrade.sh does
        other.kill()
        burst.enter("second down", 200)
    finally:
        burst.stop()
        for app in (home, other):
            if not app.alive():
                app.start().wait_ready()

    statuses = burst.statuses()
    assert {phase: set(counts) for phase, counts in statuses.items()} == {
        "both up": {200},
        "first down": {200},
        "second down": {200},
    }, (statuses, f"no live upstreams: {_no_live_upstreams(running.nginx) - refusals_before}")


def test_no_post_is_sent_on_to_a_second_process(running: Running) -> None:
    """A POST that reached a process which then died may have done its work there:
    nginx passes one on only with `non_idempotent`, which must never be set."""
    conf = running.nginx.run / "nginx.conf"
    dump = subprocess.run(
        [running.nginx.binary, "-T", "-p", str(running.nginx.run), "-c", str(conf)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    retries = re.findall(r"^\s*proxy_next_upstream\s+([^;]*);", dump, re.MULTILINE)

    assert retries, "nginx passes nothing on to another process"
    assert all("non_idempotent" not in line.split() for line in retries), retries


def _unread_requests(port: int) -> int:
    """Connections to 127.0.0.1:`port` holding bytes its process has not read."""
    unread = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, _, state, queues = line.split()[1:5]
        if local == f"0100007F:{port:04X}" and state == "01" and int(queues.split(":")[1], 16):
            unread += 1  # 01: established; the second queue is what waits to be read
    return unread


def test_a_post_received_by_a_process_that_dies_is_not_sent_to_another(
    running: Running,
) -> None:
    home = running.app_on(upstream_port(running.nginx.url))
    assert home.process is not None
    os.killpg(home.process.pid, signal.SIGSTOP)  # takes no request; the kernel queues them
    answers: list[requests.Response] = []
    post = threading.Thread(
        target=lambda: answers.append(
            requests.post(f"{running.nginx.url}/api/screens", json={}, timeout=30)
        )
    )
    try:
        post.start()
        deadline = time.monotonic() + 10
        while _unread_requests(home.port) == 0:  # nginx has sent it to `home`
            assert time.monotonic() < deadline, "the POST never reached the process"
            time.sleep(0.05)
        home.kill()  # before answering: it may or may not have done the work
        post.join(timeout=30)
    finally:
        home.kill()
        home.start().wait_ready()

    (answer,) = answers
    assert answer.status_code == 502  # nginx's: the process went away mid-request
    assert answer.headers["X-Upstream"] == f"127.0.0.1:{home.port}"  # and no one else got it
