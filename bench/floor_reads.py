"""The Python floor for the public reads (bench/reads.py): the same bytes, from memory.

A minimal Flask app under the same gunicorn config and worker class as ours
(deploy/gunicorn.conf.py), wrapped by Flask-SocketIO as ours is (as
bench/floor_server.py is), answering each captured read with the body, type,
ETag and Cache-Control our server gave it, and a 304 to a matching
If-None-Match. No database, no validation, no templates: whatever it costs is
what the packages cost before any of our code runs.

    READS_FILE=reads.json gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:5103 \\
        bench.floor_reads:app

READS_FILE is a JSON list of {"path": "/api/feed?community_id=4", "status": 200,
"content_type": ..., "etag": ..., "cache_control": ..., "body": <base64>}.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask_socketio import SocketIO


def load(path: str | None) -> dict[str, dict[str, Any]]:
    """The captured reads by path and query string, bodies decoded once."""
    reads = json.loads(Path(path).read_text(encoding="utf-8")) if path else []
    return {read["path"]: {**read, "body": base64.b64decode(read["body"])} for read in reads}


READS = load(os.environ.get("READS_FILE"))

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent")


@app.get("/health")
def health() -> dict[str, Any]:
    return {"ok": True, "pid": os.getpid(), "reads": len(READS)}


@app.get("/<path:_path>")
@app.get("/", defaults={"_path": ""})
def captured(_path: str) -> Response:
    query = request.query_string.decode("latin-1")
    read = READS.get(f"{request.path}?{query}" if query else request.path)
    if read is None:
        return Response("not captured", status=404, mimetype="text/plain")
    headers = {"Cache-Control": read["cache_control"]} if read["cache_control"] else {}
    if read["etag"]:
        headers["ETag"] = read["etag"]
        if request.headers.get("If-None-Match") == read["etag"]:
            return Response(status=304, headers=headers)
    return Response(read["body"], status=read["status"], headers=headers,
                    content_type=read["content_type"])  # fmt: skip
