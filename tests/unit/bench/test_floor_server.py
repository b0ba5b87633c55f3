"""The Python floor speaks the reference's protocol, so the one harness drives
all three servers and the figures compare the same work."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def floor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    item = tmp_path / "item.json"
    item.write_text(json.dumps({"kind": "job", "title": "样例", "body": "说明"}), encoding="utf-8")
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps({"items": [], "scope": [1, 7]}), encoding="utf-8")
    monkeypatch.setenv("ITEM_FILE", str(item))
    monkeypatch.setenv("FEED_FILE", str(feed))
    monkeypatch.setenv("SCOPE", "1,7")
    spec = importlib.util.spec_from_file_location(
        "floor_server", ROOT / "bench" / "floor_server.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_screen_hears_a_publish_and_catches_up_on_what_it_missed(floor: ModuleType) -> None:
    http = floor.app.test_client()
    screen = floor.socketio.test_client(floor.app, namespace="/screens", auth={"token": "t"})
    assert screen.is_connected("/screens")

    published = http.post("/publish", json={"title": "计件手工"})

    assert published.status_code == 201
    heard = screen.get_received("/screens")
    assert [message["name"] for message in heard] == ["change"]
    change = heard[0]["args"][0]
    assert change["scope"] == 7 and change["prev"] == 0
    assert change["data"] == {"kind": "job", "title": "计件手工", "body": "说明", "id": 1, "seq": 1}
    answer = screen.emit("sync", {"cursors": {"1": 0, "7": 0}}, namespace="/screens", callback=True)
    assert [c["seq"] for c in answer["changes"]] == [1]
    assert answer["cursors"] == {"1": 0, "7": 1}
    assert screen.emit(
        "ack", {"cursors": answer["cursors"]}, namespace="/screens", callback=True
    ) == {"ok": True}


def test_a_screen_without_a_token_is_refused(floor: ModuleType) -> None:
    screen = floor.socketio.test_client(floor.app, namespace="/screens", auth={})
    assert not screen.is_connected("/screens")


def test_the_feed_answers_304_to_its_own_etag(floor: ModuleType) -> None:
    http = floor.app.test_client()
    first = http.get("/feed")
    assert first.json["cursors"] == {"1": 0, "7": 0}
    again = http.get("/feed", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    http.post("/publish", json={"title": "新"})
    assert http.get("/feed", headers={"If-None-Match": first.headers["ETag"]}).status_code == 200
