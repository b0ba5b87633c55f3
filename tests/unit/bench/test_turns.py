"""The conductor of `make bench` (bench/run.py) and its client harness
(bench/harness.js): the commands between them, and the sides taking turns."""

from __future__ import annotations

import importlib.util
import json
import shutil
import socket
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def bench_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeHarness:
    """Stands in for a harness process: answers at once and says what it was asked."""

    asked: list[tuple[str, str]] = []

    def __init__(self, target: str, url: str, pid: int, n: int, ctx: dict[str, Any]) -> None:
        self.target = target
        self.publishes = 0
        self.asked.append((target, "start"))

    def answer(self, timeout: float) -> dict[str, Any]:
        # A server's RSS grows only while it is fresh: later blocks would show less.
        fresh = sum(1 for target, what in self.asked if target == self.target and what == "start")
        return {"event": "ready", "connect_ms": 1000.0, "idle_kb_per_screen": 20.0 / fresh}

    def ask(self, command: str, timeout: float) -> dict[str, Any]:
        self.asked.append((self.target, command))
        if command == "publish":
            self.publishes += 1
            return {"ms": 100.0 * self.publishes, "first_ms": 5.0, "change_bytes": 1200}
        if command == "storm":
            return {"storm_ms": 5000.0}
        return {"stats": {"applied": self.publishes, "duplicates": 0}}

    def stop(self) -> None:
        pass


def test_the_sides_take_turns_in_blocks_and_each_gets_all_its_publishes(
    bench_run: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    FakeHarness.asked = []
    monkeypatch.setattr(bench_run, "Harness", FakeHarness)
    monkeypatch.setattr(bench_run, "wait_until_quiet", lambda pids: None)
    servers = {"ref": ("http://r", 1), "floor": ("http://f", 2), "ours": ("http://o", 3)}

    sides = bench_run.measure_size(1000, servers, {}, reps=7)

    starts = [target for target, what in FakeHarness.asked if what == "start"]
    # Each block turn starts with the next side, so none always goes first.
    assert starts == ["ref", "floor", "ours", "floor", "ours", "ref", "ours", "ref", "floor"]
    for side in sides.values():
        assert len(side["publish_ms"]) == 7
        # Each block's first publish warms the harness up and is not counted.
        assert min(side["publish_ms"]) == 200.0
        # Idle memory is the first block's, when the server was fresh.
        assert side["idle_kb_per_screen"] == 20.0
        assert side["storm_ms"] == 5000.0
        assert side["stats"]["applied"] == 7 + 3
    storms = [target for target, what in FakeHarness.asked if what == "storm"]
    assert storms == ["ours", "ref", "floor"]
    # The storm comes after every publish of its side.
    for target in servers:
        commands = [what for side, what in FakeHarness.asked if side == target]
        assert commands.index("storm") > max(i for i, c in enumerate(commands) if c == "publish")


def test_a_side_that_fails_is_reported_and_the_others_go_on(
    bench_run: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Failing(FakeHarness):
        def ask(self, command: str, timeout: float) -> dict[str, Any]:
            if self.target == "ours" and command == "publish":
                raise RuntimeError("harness ours n=1000: exited with 1")
            return super().ask(command, timeout)

    FakeHarness.asked = []
    monkeypatch.setattr(bench_run, "Harness", Failing)
    monkeypatch.setattr(bench_run, "wait_until_quiet", lambda pids: None)
    servers = {"ref": ("http://r", 1), "ours": ("http://o", 3)}

    sides = bench_run.measure_size(1000, servers, {}, reps=3)

    assert "exited with 1" in sides["ours"]["error"]
    assert len(sides["ref"]["publish_ms"]) == 3 and sides["ref"]["storm_ms"] == 5000.0
    assert [target for target, what in FakeHarness.asked if what == "start"].count("ours") == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


needs_node = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "socket.io").exists(),
    reason="needs Node.js and the npm packages (make setup)",
)


def _context(tmp_path: Path, screens: int) -> dict[str, Any]:
    (tmp_path / "feed.json").write_text(json.dumps({"items": [], "scope": [1, 7], "cursors": {}}))
    (tmp_path / "item.json").write_text(json.dumps({"kind": "job", "title": "样例"}))
    (tmp_path / "listing.json").write_text(json.dumps({"title": "计件手工"}))
    (tmp_path / "tokens.txt").write_text("".join(f"token-{i}\n" for i in range(screens)))
    return {
        "tokens": tmp_path / "tokens.txt",
        "listing": tmp_path / "listing.json",
        "scope": [1, 7],
        "feed_path": {"ref": "/feed", "floor": "/feed"},
        "work": tmp_path,
    }


@needs_node
def test_a_harness_that_cannot_reach_its_server_says_so_and_answers_no_more(
    bench_run: ModuleType, tmp_path: Path
) -> None:
    ctx = _context(tmp_path, 2)
    harness = bench_run.Harness("ref", f"http://127.0.0.1:{_free_port()}", 1, 2, ctx)
    try:
        with pytest.raises(RuntimeError, match=r"harness ref n=2: .*fetch failed"):
            harness.answer(30)
        with pytest.raises(RuntimeError, match="exited with 1"):
            harness.ask("publish", 30)
    finally:
        harness.stop()


# How long a server may take to answer its first /health: gunicorn loads the app
# before its worker answers, which on a busy machine takes many seconds.
START_SECONDS = 120


def _start_server(bench_run: ModuleType, target: str, port: int, tmp_path: Path) -> tuple[Any, int]:
    """The reference (Node) or the floor (Python, under gunicorn), answering its
    /health: the process and the pid whose memory the harness reads."""
    env = {
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "PORT": str(port),
        "FEED_FILE": str(tmp_path / "feed.json"),
        "ITEM_FILE": str(tmp_path / "item.json"),
        "SCOPE": "1,7",
    }
    if target == "ref":
        cmd = ["node", str(ROOT / "bench" / "reference-server.js")]
    else:
        cmd = bench_run.gunicorn_cmd(1, port, "bench.floor_server:app")
    # As the conductor waits for its servers: until one answers, or exits.
    server = bench_run.Proc(target, cmd, env, tmp_path / f"{target}.log")
    try:
        server.wait_http(f"http://127.0.0.1:{port}/health", timeout=START_SECONDS)
        pid = server.popen.pid
        return server, pid if target == "ref" else bench_run.worker_pid(pid)
    except BaseException:
        server.stop()
        raise


@needs_node
@pytest.mark.parametrize("target", ["ref", "floor"])
def test_the_harness_answers_each_command_against_each_server(
    bench_run: ModuleType, tmp_path: Path, target: str
) -> None:
    ctx = _context(tmp_path, 4)
    port = _free_port()
    server, pid = _start_server(bench_run, target, port, tmp_path)
    try:
        harness = bench_run.Harness(target, f"http://127.0.0.1:{port}", pid, 4, ctx)
        try:
            ready = harness.answer(60)
            assert ready["event"] == "ready" and ready["n"] == 4 and ready["connect_ms"] > 0

            published = harness.ask("publish", 60)
            assert published["ms"] >= published["first_ms"] > 0
            # The change's size as it came over the wire, Chinese text in UTF-8.
            change = {
                "seq": 1,
                "scope": 7,
                "prev": 0,
                "entity": "listing",
                "id": 1,
                "op": "upsert",
                "reason": "published",
                "data": {"kind": "job", "title": "计件手工 #1", "id": 1, "seq": 1},
            }
            sent = json.dumps(change, ensure_ascii=False, separators=(",", ":")).encode()
            assert published["change_bytes"] == len(sent)

            assert harness.ask("storm", 60)["storm_ms"] > 0

            stats = harness.ask("finish", 30)["stats"]
            # One publish heard by 4 screens, then the storm's 3 missed changes by each.
            assert stats["applied"] == 4 + 3 * 4
            assert stats["duplicates"] == 0 and stats["ackErrors"] == 0
            assert stats["connectErrors"] == 0 and stats["syncErrors"] == 0
            assert harness.popen.wait(timeout=10) == 0
        finally:
            harness.stop()
    finally:
        server.stop()
