"""What connected screens report (connects, acks, closes), written in batches.

Every screen acks each change it applies and beats its heart once a minute, so
one publish to ten thousand screens would be followed by ten thousand commits
within a few seconds, and a reconnect storm by as many again. Those writes only
feed staff pages (online, last seen, delivery), which may be a few seconds
late; so this process keeps the newest report of each screen in memory and
writes them all every `interval` seconds in one transaction.

With an interval of 0 every report is written at once (tests read it back
straight away). Reports still in memory when the process is killed are lost:
at most `interval` seconds of them, and a screen repeats its cursors at its
next heartbeat.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask, current_app

from kiosk_server.extensions import socketio
from kiosk_server.timeutil import utcnow


@dataclass
class Report:
    """The newest of everything one screen said since the last write."""

    seen_at: datetime | None = None
    gone_at: datetime | None = None
    app_version: str | None = None
    cursors: dict[str, int] = field(default_factory=dict)

    def merge(self, newer: Report) -> None:
        self.seen_at = later(self.seen_at, newer.seen_at)
        self.gone_at = later(self.gone_at, newer.gone_at)
        self.app_version = newer.app_version or self.app_version
        self.cursors = merge_cursors(self.cursors, newer.cursors)


def later(one: datetime | None, other: datetime | None) -> datetime | None:
    if one is None or other is None:
        return one or other
    return max(one, other)


def merge_cursors(old: Mapping[str, int], new: Mapping[str, int]) -> dict[str, int]:
    """A cursor only moves forward: a late or repeated ack cannot take it back."""
    merged = {key: int(value) for key, value in old.items()}
    for key, value in new.items():
        merged[key] = max(int(value), merged.get(key, 0))
    return merged


class ScreenReports:
    def __init__(self, app: Flask, interval: float) -> None:
        self.app = app
        self.interval = interval
        self._pending: dict[int, Report] = {}
        self._lock = threading.Lock()
        self._writer_started = False
        self._stopping = False

    def seen(self, screen_id: int, app_version: str | None = None) -> None:
        self._add(screen_id, Report(seen_at=utcnow(), app_version=app_version))

    def acked(self, screen_id: int, cursors: Mapping[str, int]) -> None:
        self._add(screen_id, Report(seen_at=utcnow(), cursors=dict(cursors)))

    def gone(self, screen_id: int) -> None:
        self._add(screen_id, Report(gone_at=utcnow()))

    def _add(self, screen_id: int, report: Report) -> None:
        with self._lock:
            pending = self._pending.get(screen_id)
            if pending is None:
                self._pending[screen_id] = report
            else:
                pending.merge(report)
        if self.interval <= 0:
            self.write()
        elif not self._writer_started:
            self._start_writer()

    def write(self) -> int:
        """Store every pending report; on failure keep them for the next try."""
        # Imported here: actions.py uses this module's Report, and is the one
        # place that writes screens.
        from kiosk_server.screens.actions import do_store_reports

        with self._lock:
            batch, self._pending = self._pending, {}
        if not batch:
            return 0
        try:
            with self.app.app_context():
                return do_store_reports(batch)
        except Exception:
            self._put_back(batch)
            raise

    def _put_back(self, batch: dict[int, Report]) -> None:
        with self._lock:
            for screen_id, report in batch.items():
                newer = self._pending.get(screen_id)
                if newer is not None:
                    report.merge(newer)
                self._pending[screen_id] = report

    def _start_writer(self) -> None:
        with self._lock:
            if self._writer_started:
                return
            self._writer_started = True
        socketio.start_background_task(self._write_until_stopped)
        # A clean stop (deploy, restart) keeps the last seconds of reports.
        atexit.register(self.stop)

    def stop(self) -> None:
        """End the background writer, after writing what is pending."""
        self._stopping = True
        self._write_quietly()

    def _write_until_stopped(self) -> None:
        while not self._stopping:
            socketio.sleep(self.interval)
            self._write_quietly()

    def _write_quietly(self) -> None:
        try:
            self.write()
        except Exception:
            self.app.logger.exception("screen reports not stored; trying again")


def init_app(app: Flask, interval: float) -> None:
    app.extensions["screen_reports"] = ScreenReports(app, interval)


def screen_reports() -> ScreenReports:
    reports: ScreenReports = current_app.extensions["screen_reports"]
    return reports
