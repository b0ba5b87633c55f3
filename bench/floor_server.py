"""The Python floor for `make bench`: bench/reference-server.js again, on our stack.

Flask + Flask-SocketIO + python-engineio under gunicorn with the same worker as
ours (kiosk_server.live.sockets.ScreenWorker), with everything in memory like
the Node reference: no database, no audit, no validation, no reports. Of ours it
borrows only the worker and the packets' JSON (kiosk_server/live/wire_json.py),
so that it sends the reference's bytes. Whatever it costs is what the packages
the project is built on cost, before any of our work. It keeps python-socketio's
own room manager: ours writes a broadcast to its screens in a loop of its own
(kiosk_server/live/rooms.py), so in the write ours can be quicker than the floor.

    PORT=5102 FEED_FILE=feed.json ITEM_FILE=item.json SCOPE=1,2,3 \\
        gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:5102 bench.floor_server:app

HTTP and Socket.IO: as bench/reference-server.js (POST /publish, GET /feed,
GET /health; namespace /screens with `sync` and `ack`; `change` to place:<id>).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask_socketio import ConnectionRefusedError, SocketIO, join_room

from kiosk_server.live import wire_json

SCREENS = "/screens"


def _json_file(variable: str, default: dict[str, Any]) -> dict[str, Any]:
    path = os.environ.get(variable)
    return json.loads(Path(path).read_text(encoding="utf-8")) if path else default


scope = [int(part) for part in os.environ.get("SCOPE", "1,2,3,4").split(",")]
target = scope[-1]
feed_body = _json_file("FEED_FILE", {"items": []})
item = _json_file("ITEM_FILE", {})

changes: list[dict[str, Any]] = []
heads: dict[int, int] = {}
acked: dict[str, Any] = {}
last = {"seq": 0, "id": 0}

app = Flask(__name__)
app.json.ensure_ascii = False  # type: ignore[attr-defined]
# Chinese text as UTF-8, as ours and the reference send it: the same bytes per screen.
socketio = SocketIO(app, async_mode="gevent", max_http_buffer_size=64 * 1024, json=wire_json)


def _feed_tag() -> str:
    return f'W/"feed-{last["seq"]}"'


@app.post("/publish")
def publish() -> tuple[dict[str, Any], int]:
    data = request.get_json(silent=True) or {}
    last["seq"] += 1
    last["id"] += 1
    change = {
        "seq": last["seq"],
        "scope": target,
        "prev": heads.get(target, 0),
        "entity": "listing",
        "id": last["id"],
        "op": "upsert",
        "reason": "published",
        "data": {**item, "id": last["id"], "seq": last["seq"], "title": data.get("title")},
    }
    heads[target] = last["seq"]
    changes.append(change)
    socketio.emit("change", change, to=f"place:{target}", namespace=SCREENS)
    return {"id": change["id"], "change_seq": last["seq"]}, 201


@app.get("/feed")
def feed() -> Response | tuple[dict[str, Any], int, dict[str, str]]:
    tag = _feed_tag()
    headers = {"ETag": tag, "Cache-Control": "no-cache"}
    if request.headers.get("If-None-Match") == tag:
        return Response(status=304, headers=headers)
    cursors = {str(place): heads.get(place, 0) for place in scope}
    return {**feed_body, "cursors": cursors}, 200, headers


@app.get("/health")
def health() -> dict[str, Any]:
    return {"ok": True, "pid": os.getpid()}


@socketio.on("connect", namespace=SCREENS)
def on_connect(auth: Any = None) -> None:
    token = auth.get("token") if isinstance(auth, dict) else None
    if not isinstance(token, str) or not token:
        raise ConnectionRefusedError("unknown screen", {"code": "unknown_screen"})
    for place in scope:
        join_room(f"place:{place}")


@socketio.on("sync", namespace=SCREENS)
def on_sync(data: Any = None) -> dict[str, Any]:
    sent = (data or {}).get("cursors") or {}
    out = {place: int(sent.get(str(place), 0)) for place in scope}
    missed = [change for change in changes if change["seq"] > out[change["scope"]]]
    for change in missed:
        out[change["scope"]] = max(out[change["scope"]], change["seq"])
    return {"changes": missed, "cursors": {str(key): value for key, value in out.items()}}


@socketio.on("ack", namespace=SCREENS)
def on_ack(data: Any = None) -> dict[str, Any]:
    acked[request.sid] = (data or {}).get("cursors") or {}  # type: ignore[attr-defined]
    return {"ok": True}


@socketio.on("disconnect", namespace=SCREENS)
def on_disconnect(*_reason: Any) -> None:
    acked.pop(request.sid, None)  # type: ignore[attr-defined]
