"""Screen events free what they use as they go, without the cycle collector.

A reconnect storm is tens of thousands of events in a few seconds on one
process. Each one that left a reference cycle behind added work for the
collector's full passes, which stop the whole process while they run
(kiosk_server/application.py, docs/benchmarks.md)."""

from __future__ import annotations

from collections import Counter

from flask import Flask

from tests.conftest import World
from tests.helpers import Screen, cyclic_garbage

SYNCS = 40
# The libraries that handle a screen event. Not our own package: the report
# writers of other tests' live servers make its objects in other threads meanwhile.
EVENT_PACKAGES = ("flask", "werkzeug", "flask_socketio", "socketio", "engineio")


def test_syncs_leave_no_garbage_for_the_cycle_collector(app: Flask, world: World) -> None:
    screen = Screen(app, world.jiuquhe.id)
    cursors = screen.sync({})["cursors"]  # first use fills caches, kept on purpose
    assert screen.sync(cursors)["changes"] == []
    with cyclic_garbage(*EVENT_PACKAGES) as found:
        for _ in range(SYNCS):
            assert screen.sync(cursors)["changes"] == []

    # Before kiosk_server/application.py each sync left a request context, its
    # request, a NotFound and more in a cycle with the handler's frames.
    assert found == [], Counter(type(item).__qualname__ for item in found).most_common(5)
