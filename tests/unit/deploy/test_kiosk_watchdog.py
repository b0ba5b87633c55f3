"""The kiosk watchdog restarts Chromium when its page hangs, and leaves none behind."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "deploy" / "kiosk"))

from kiosk_watchdog import DevTools, check_page, page_socket_url  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium not installed")


def _wait(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except Exception:
            pass
        time.sleep(0.2)
    return False


def test_a_hung_page_gets_a_new_browser(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "watchdog.log"
    watchdog = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "deploy" / "kiosk" / "kiosk_watchdog.py"),
            "run",
            *("--port", str(port), "--grace", "1", "--interval", "0.5"),
            *("--timeout", "1", "--misses", "2", "--max-starts", "3"),
            "--",
            CHROMIUM,
            *("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"),
            *("--disable-background-networking", "--disable-component-update"),
            f"--user-data-dir={tmp_path / 'profile'}",
            "data:text/html,<title>kiosk</title>",
        ],
        stderr=log.open("w"),
    )
    try:
        assert _wait(lambda: check_page(port, 1) == "ok", 20), log.read_text()
        first = page_socket_url(port, 1)

        hang = DevTools(str(first), 2)
        hang._send_text(
            json.dumps(
                {"id": 1, "method": "Runtime.evaluate", "params": {"expression": "for(;;){}"}}
            )
        )

        assert _wait(lambda: "start 2" in log.read_text(), 20), log.read_text()
        assert _wait(lambda: check_page(port, 1) == "ok", 20), log.read_text()
        assert page_socket_url(port, 1) != first
        assert "the page stopped answering" in log.read_text()
    finally:
        watchdog.send_signal(signal.SIGTERM)
        watchdog.wait(timeout=20)
    # The browser went with it: nothing answers on its DevTools port.
    assert not _wait(lambda: page_socket_url(port, 0.5) is not None, 1)
