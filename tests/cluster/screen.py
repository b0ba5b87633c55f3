"""A screen that keeps to docs/protocol.md, as the TV and kiosk apps do.

It loads the feed for its cursors, connects with automatic reconnection, syncs
after every connect, applies a pushed change only when it follows the last one
applied in its scope (else syncs), ignores what it already has, and records
every change it applied, so a test can compare that record with the change log.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import requests
import socketio as socketio_client

NAMESPACE = "/screens"


class SyncingScreen:
    def __init__(
        self,
        base_url: str,
        community_id: int,
        token: str | None = None,
        transports: list[str] | None = None,
    ) -> None:
        self.base_url = base_url
        if token is None:
            reply = requests.post(
                f"{base_url}/api/screens", json={"community_id": community_id}, timeout=10
            )
            reply.raise_for_status()
            token = reply.json()["token"]
            self.id: int | None = reply.json()["screen"]["id"]
        else:
            self.id = None
        self.token = token
        feed = requests.get(f"{base_url}/api/feed?community_id={community_id}", timeout=10)
        feed.raise_for_status()
        self.cursors: dict[str, int] = {k: int(v) for k, v in feed.json()["cursors"].items()}
        self.start_cursors = dict(self.cursors)
        self.applied: list[dict[str, Any]] = []
        self.connects = 0
        self.resyncs: list[dict[str, Any]] = []
        self.sync_errors: list[str] = []
        self.changed = threading.Condition()
        self._need_sync = threading.Event()
        self._closing = threading.Event()
        self.client = socketio_client.Client(
            reconnection=True,
            reconnection_delay=0.2,
            reconnection_delay_max=1,
            randomization_factor=0,
        )
        self.client.on("connect", self._on_connect, namespace=NAMESPACE)
        self.client.on("change", self._on_change, namespace=NAMESPACE)
        self._worker = threading.Thread(target=self._sync_loop, daemon=True)
        self._worker.start()
        self.client.connect(
            base_url,
            namespaces=[NAMESPACE],
            auth={"token": token},
            transports=transports,
            wait_timeout=10,
        )

    # --- protocol -------------------------------------------------------------------------

    def _on_connect(self) -> None:
        with self.changed:
            self.connects += 1
        self._need_sync.set()

    def _on_change(self, change: dict[str, Any]) -> None:
        with self.changed:
            if not self._apply(change):
                self._need_sync.set()

    def _apply(self, change: dict[str, Any]) -> bool:
        """Apply one change under the lock; False when one before it in its scope is missing."""
        key = str(change["scope"])
        if key not in self.cursors:
            return True  # not a room of ours
        if change["seq"] <= self.cursors[key]:
            return True  # already applied
        if change["prev"] > self.cursors[key]:
            return False
        self.applied.append(change)
        self.cursors[key] = change["seq"]
        self.changed.notify_all()
        return True

    def _sync_loop(self) -> None:
        while not self._closing.is_set():
            if not self._need_sync.wait(0.1):
                continue
            self._need_sync.clear()
            with self.changed:
                cursors = dict(self.cursors)
            try:
                reply = self.client.call(
                    "sync", {"cursors": cursors}, namespace=NAMESPACE, timeout=5
                )
            except Exception as error:  # disconnected meanwhile: the next connect syncs
                self.sync_errors.append(repr(error))
                if self.client.connected:
                    time.sleep(0.3)
                    self._need_sync.set()
                continue
            with self.changed:
                if "error" in reply:
                    self.sync_errors.append(str(reply["error"]))
                    time.sleep(0.3)
                    self._need_sync.set()
                    continue
                if reply.get("resync"):
                    self.resyncs.append(reply)
                    continue
                for change in reply["changes"]:
                    self._apply(change)

    # --- for tests --------------------------------------------------------------------------

    def sync_now(self) -> None:
        self._need_sync.set()

    def wait_for_ids(self, ids: list[int], timeout: float = 15) -> list[int]:
        """Wait until every listing id in `ids` has an applied change; return the applied ids."""
        with self.changed:
            self.changed.wait_for(
                lambda: set(ids) <= {c["id"] for c in self.applied}, timeout=timeout
            )
            return [c["id"] for c in self.applied]

    def close(self) -> None:
        self._closing.set()
        self.client.disconnect()
