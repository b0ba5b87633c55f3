"""Check a running deployment from outside, as a TV would see it.

    python deploy/smoke.py https://screens.example.org
    python deploy/smoke.py http://127.0.0.1:5001 --staff admin --password '…'

1. GET /api/health must answer 200.
2. A TV registers for a community and connects to /screens over WebSocket only
   (no long-polling fallback), so a proxy that drops the Upgrade header fails here.
3. With --staff/--password: publish a short test listing through the admin API,
   wait until the screen hears it, then withdraw it again (the screen hears that too).

Needs `requests` and the Socket.IO client (`pip install 'python-socketio[client]'`).
Exit status 0 when every step passed.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import socketio


def _first_community(base: str) -> int:
    tree = requests.get(f"{base}/api/places", timeout=10).json()
    stack = list(tree if isinstance(tree, list) else tree.get("places", [tree]))
    while stack:
        place = stack.pop(0)
        if place.get("level") == "community":
            return int(place["id"])
        stack.extend(place.get("children", []))
    raise SystemExit("no community in /api/places")


def _staff_session(base: str, username: str, password: str) -> tuple[requests.Session, str]:
    http = requests.Session()
    # Over HTTPS the console's CSRF check also wants the page the request came from.
    http.headers["Referer"] = f"{base}/admin/"
    token = http.get(f"{base}/admin/api/session", timeout=10).json()["csrf_token"]
    reply = http.post(
        f"{base}/admin/api/session",
        json={"username": username, "password": password},
        headers={"X-CSRFToken": token},
        timeout=10,
    )
    reply.raise_for_status()
    return http, reply.json()["csrf_token"]


def _test_listing(community_id: int) -> dict[str, Any]:
    return {
        "kind": "subsidy",
        "title": "部署检查（自动撤下）",
        "summary": "部署检查",
        "body": "这条信息由部署检查发布，随即撤下。",
        "contact": {"name": "运维", "phone": "0532-86880000"},
        "target_id": community_id,
        "valid_until": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
        "subsidy": {"eligibility": "无", "amount": "无", "how_to_apply": "无"},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", help="the site's address, e.g. https://screens.example.org")
    parser.add_argument("--community", type=int, help="community id (default: the first one)")
    parser.add_argument("--staff", help="a staff username, to publish a test listing")
    parser.add_argument("--password", default="")
    parser.add_argument("--timeout", type=float, default=10)
    args = parser.parse_args()
    base = args.base.rstrip("/")

    health = requests.get(f"{base}/api/health", timeout=args.timeout)
    print(f"health: {health.status_code} {health.text.strip()}")
    if health.status_code != 200:
        return 1

    community = args.community or _first_community(base)
    token = requests.post(
        f"{base}/api/screens", json={"community_id": community}, timeout=args.timeout
    ).json()["token"]
    heard: list[dict[str, Any]] = []
    arrived = threading.Condition()
    client = socketio.Client(reconnection=False)

    @client.on("change", namespace="/screens")
    def on_change(change: dict[str, Any]) -> None:
        with arrived:
            heard.append(change)
            arrived.notify_all()

    started = time.monotonic()
    client.connect(
        base,
        namespaces=["/screens"],
        auth={"token": token},
        transports=["websocket"],
        wait_timeout=args.timeout,
    )
    print(
        f"screen: connected over {client.transport()} to community {community} "
        f"in {(time.monotonic() - started) * 1000:.0f} ms"
    )
    try:
        if not args.staff:
            return 0
        http, csrf = _staff_session(base, args.staff, args.password)
        headers = {"X-CSRFToken": csrf}
        listing = http.post(
            f"{base}/admin/api/listings", json=_test_listing(community), headers=headers
        )
        listing.raise_for_status()
        listing_id = listing.json()["id"]
        started = time.monotonic()
        http.post(
            f"{base}/admin/api/listings/{listing_id}/publish", json={}, headers=headers
        ).raise_for_status()

        def seen() -> bool:
            return any(str(listing_id) in repr(change) for change in heard)

        with arrived:
            arrived.wait_for(seen, timeout=args.timeout)
        if not seen():
            print(f"publish: listing {listing_id} did not reach the screen in {args.timeout} s")
            return 1
        print(
            f"publish: listing {listing_id} reached the screen in "
            f"{(time.monotonic() - started) * 1000:.0f} ms"
        )
        http.post(
            f"{base}/admin/api/listings/{listing_id}/withdraw", json={}, headers=headers
        ).raise_for_status()
        print(f"publish: listing {listing_id} withdrawn")
        return 0
    finally:
        client.disconnect()


if __name__ == "__main__":
    sys.exit(main())
