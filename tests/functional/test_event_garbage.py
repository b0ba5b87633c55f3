"""Screen events free what they use as they go, without the cycle collector.

A reconnect storm is tens of thousands of events in a few seconds on one
process. Each one that left a reference cycle behind added work for the
collector's full passes, which stop the whole process while they run
(kiosk_server/application.py, docs/benchmarks.md)."""

from __future__ import annotations

import gc

from flask import Flask

from tests.conftest import World
from tests.helpers import Screen

SYNCS = 40


def test_syncs_leave_no_garbage_for_the_cycle_collector(app: Flask, world: World) -> None:
    screen = Screen(app, world.jiuquhe.id)
    cursors = screen.sync({})["cursors"]  # first use fills caches, kept on purpose
    assert screen.sync(cursors)["changes"] == []
    gc.collect()
    gc.disable()
    try:
        for _ in range(SYNCS):
            assert screen.sync(cursors)["changes"] == []
        found = gc.collect()
    finally:
        gc.enable()

    # Before kiosk_server/application.py each event left some seventy objects in cycles.
    assert found < SYNCS, f"{found} objects in reference cycles after {SYNCS} syncs"
