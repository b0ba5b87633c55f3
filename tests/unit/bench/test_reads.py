"""bench/reads.py and its floor: the floor answers each captured read with our bytes
and our ETag, and the table shows each read against its target."""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import socket
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def floor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    body = json.dumps({"items": [{"title": "保洁员"}]}, ensure_ascii=False).encode()
    captured = [
        {
            "path": "/api/feed?community_id=4&kind=job",
            "status": 200,
            "content_type": "application/json",
            "etag": 'W/"feed-7-abc"',
            "cache_control": "no-cache",
            "body": base64.b64encode(body).decode(),
        }
    ]
    reads_file = tmp_path / "reads.json"
    reads_file.write_text(json.dumps(captured))
    monkeypatch.setenv("READS_FILE", str(reads_file))
    return _load("floor_reads")


def test_the_floor_answers_a_captured_read_with_its_bytes_and_a_304_to_its_tag(
    floor: ModuleType,
) -> None:
    client = floor.app.test_client()
    url = "/api/feed?community_id=4&kind=job"

    full = client.get(url)
    assert full.status_code == 200
    assert full.json == {"items": [{"title": "保洁员"}]}
    assert (full.headers["ETag"], full.headers["Cache-Control"]) == ('W/"feed-7-abc"', "no-cache")

    assert client.get(url, headers={"If-None-Match": 'W/"feed-7-abc"'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": 'W/"feed-8-abc"'}).status_code == 200
    assert client.get("/api/feed?community_id=4").status_code == 404  # never captured


def test_the_processes_of_a_local_server_are_found_by_its_port() -> None:
    reads = _load("reads")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert reads.listening_pids(f"http://127.0.0.1:{port}") == [os.getpid()]
    assert reads.listening_pids("http://example.org:80") == []


def test_every_read_of_screens_and_phones_is_measured() -> None:
    reads = _load("reads")
    paths = [read.path for read in reads.reads(community_id=4, listing_id=37)]
    assert "/api/home?community_id=4" in paths
    assert "/api/feed?community_id=4&kind=job&after=37" in paths  # as held.Pages steps on
    assert "/api/feed?community_id=4&q=25" in paths
    assert {"/api/listings/37", "/l/37", "/tv/", "/kiosk/"} <= set(paths)


def test_the_table_gives_each_read_its_ratio_and_target() -> None:
    reads = _load("reads")
    rows = [
        {"read": "feed", "status": 200, "bytes": 33934, "ours": 1500.0, "floor": 2500.0,
         "ratio": 0.6, "target": 0.5, "met": True, "ours_cpu_us": 600, "floor_cpu_us": 390,
         "cpu_ratio": 0.65},
        {"read": "feed", "status": 304, "bytes": 0, "ours": 1500.0, "floor": 3000.0,
         "ratio": 0.5, "target": 0.75, "met": False, "cpu_ratio": None},
    ]  # fmt: skip
    table = reads.markdown({"seconds": 5, "rounds": 1, "rows": rows}).splitlines()

    assert table[0].startswith("| read | answer | ours req/s | floor req/s | ratio | target |")
    assert table[2] == "| feed | 200, 33,934 B | 1,500 | 2,500 | 0.60× | 0.50× | 600, 390: 0.65× |"
    assert table[3] == "| feed | 304 | 1,500 | 3,000 | 0.50× ✗ | 0.75× | – |"
