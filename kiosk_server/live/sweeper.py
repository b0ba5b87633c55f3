"""Time-driven changes: scheduled listings go live, old ones expire, old changes are
pruned, and registrations past REGISTRATION_KEEP_MONTHS are erased.

Every server process runs the same loop. Each transition is a conditional
update, so when several processes reach the same listing only one moves it
and only one change is recorded.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from flask import Flask

from kiosk_server.extensions import db, socketio
from kiosk_server.listings.actions import (
    expire_due_announcements,
    expire_due_listings,
    start_due_listings,
)
from kiosk_server.live.changes import prune_before
from kiosk_server.registrations.actions import do_erase_expired_registrations
from kiosk_server.timeutil import utcnow

CHANGE_RETENTION = timedelta(days=30)
PRUNE_EVERY_SECONDS = 3600


@dataclass
class SweepResult:
    started: int
    expired: int
    announcements_expired: int
    pruned: int = 0
    registrations_erased: int = 0
    repeats_erased: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def sweep(now: datetime | None = None, prune: bool = False) -> SweepResult:
    now = now or utcnow()
    result = SweepResult(
        started=start_due_listings(now),
        expired=expire_due_listings(now),
        announcements_expired=expire_due_announcements(now),
    )
    if prune:
        result.pruned = prune_before(now - CHANGE_RETENTION)
        db.session.commit()
        # With the hourly pruning, not every few seconds: a registration is kept
        # for months, and the erasure's look for old rows need not run so often.
        erased = do_erase_expired_registrations(now)
        result.registrations_erased = erased.registrations
        result.repeats_erased = erased.repeats
    return result


def start_sweeper(app: Flask, interval: float) -> None:
    """Run sweep() at once and then every `interval` seconds in the background of
    this process."""

    def loop() -> None:
        last_prune = 0.0
        while True:
            # First at start: what fell due while no server ran (a listing that
            # ended overnight) must not wait an interval to leave the screens.
            with app.app_context():
                prune = time.monotonic() - last_prune > PRUNE_EVERY_SECONDS
                try:
                    sweep(prune=prune)
                    if prune:
                        last_prune = time.monotonic()
                except Exception:
                    app.logger.exception("sweep failed; trying again in %s s", interval)
                    db.session.rollback()
                finally:
                    db.session.remove()
            socketio.sleep(interval)

    socketio.start_background_task(loop)
