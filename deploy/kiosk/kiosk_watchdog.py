#!/usr/bin/env python3
"""Keep a station kiosk's Chromium running and answering.

    kiosk_watchdog.py run --port 9222 -- /usr/bin/chromium --kiosk … URL
    kiosk_watchdog.py reload --port 9222      (the nightly timer: reload the page)
    kiosk_watchdog.py check --port 9222       (exit 0 when the page answers)

`run` starts the browser (its arguments after --) with DevTools on 127.0.0.1:PORT
and every INTERVAL seconds asks the page to evaluate a tiny expression. It starts
the browser again when:
  - the browser process exited or crashed;
  - the page does not answer within TIMEOUT (a hung script, a frozen renderer);
  - the page shows Chromium's own error page (chrome-error://, the server was down
    when it loaded) — then it first tries a plain reload;
after MISSES bad checks in a row, so one slow moment does not restart a kiosk.

Python's standard library only: kiosk hardware has python3, nothing else needed.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from typing import Any

HOST = "127.0.0.1"


def log(message: str) -> None:
    print(f"kiosk-watchdog: {message}", file=sys.stderr, flush=True)


class DevTools:
    """The few DevTools calls we need, over a minimal WebSocket client."""

    def __init__(self, url: str, timeout: float) -> None:
        _, _, rest = url.partition("://")
        hostport, _, path = rest.partition("/")
        host, _, port = hostport.partition(":")
        self.sock = socket.create_connection((host, int(port or 80)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1024)
            if not chunk:
                raise ConnectionError("DevTools closed the handshake")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
        self.buffer = head.split(b"\r\n\r\n", 1)[1]
        self.next_id = 0

    def close(self) -> None:
        self.sock.close()

    def _recv_exact(self, count: int) -> bytes:
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("DevTools closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def _send_text(self, text: str) -> None:
        payload = text.encode()
        mask = os.urandom(4)
        size = len(payload)
        if size < 126:
            header = struct.pack("!BB", 0x81, 0x80 | size)
        elif size < 65536:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, size)
        else:
            header = struct.pack("!BBQ", 0x81, 0x80 | 127, size)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _recv_text(self) -> str:
        message = b""
        while True:
            first, second = self._recv_exact(2)
            size = second & 0x7F
            if size == 126:
                (size,) = struct.unpack("!H", self._recv_exact(2))
            elif size == 127:
                (size,) = struct.unpack("!Q", self._recv_exact(8))
            payload = self._recv_exact(size)
            opcode = first & 0x0F
            if opcode == 0x8:
                raise ConnectionError("DevTools closed the connection")
            if opcode in (0x0, 0x1):
                message += payload
                if first & 0x80:
                    return message.decode()

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self.next_id += 1
        self._send_text(json.dumps({"id": self.next_id, "method": method, "params": params or {}}))
        while True:  # events may arrive before our answer
            reply = json.loads(self._recv_text())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(reply["error"])
                return dict(reply.get("result", {}))


def page_socket_url(port: int, timeout: float) -> str | None:
    with urllib.request.urlopen(f"http://{HOST}:{port}/json/list", timeout=timeout) as reply:
        targets = json.load(reply)
    pages = [t for t in targets if t.get("type") == "page" and t.get("webSocketDebuggerUrl")]
    return pages[0]["webSocketDebuggerUrl"] if pages else None


def check_page(port: int, timeout: float) -> str:
    """'ok', 'error-page', or raises when the browser or the page does not answer."""
    url = page_socket_url(port, timeout)
    if url is None:
        raise ConnectionError("no page open")
    tools = DevTools(url, timeout)
    try:
        result = tools.call(
            "Runtime.evaluate",
            {"expression": "location.href", "returnByValue": True, "timeout": timeout * 1000},
        )
    finally:
        tools.close()
    href = str(result.get("result", {}).get("value", ""))
    return "error-page" if href.startswith("chrome-error://") else "ok"


def reload_page(port: int, timeout: float) -> None:
    url = page_socket_url(port, timeout)
    if url is None:
        raise ConnectionError("no page open")
    tools = DevTools(url, timeout)
    try:
        tools.call("Page.reload", {"ignoreCache": True})
    finally:
        tools.close()


def _stop(browser: subprocess.Popen[bytes]) -> None:
    if browser.poll() is not None:
        return
    try:
        os.killpg(browser.pid, signal.SIGTERM)
        browser.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(browser.pid, signal.SIGKILL)
        browser.wait()


def run(args: argparse.Namespace) -> int:
    command = list(args.browser)
    if not command:
        log("no browser command given after --")
        return 2
    command.insert(1, f"--remote-debugging-port={args.port}")
    command.insert(2, f"--remote-debugging-address={HOST}")
    stopping = False

    def on_signal(_signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    starts = 0
    while not stopping:
        starts += 1
        if args.max_starts and starts > args.max_starts:
            log(f"started {args.max_starts} times; giving up")
            return 1
        log(f"starting the browser (start {starts})")
        # Its own process group, so a restart also ends its renderer and GPU processes.
        browser = subprocess.Popen(command, start_new_session=True)
        time.sleep(args.grace)
        misses = 0
        while not stopping:
            if browser.poll() is not None:
                log(f"the browser exited with {browser.returncode}")
                break
            try:
                state = check_page(args.port, args.timeout)
            except Exception as error:
                state = f"no answer ({error.__class__.__name__}: {error})"
            if state == "ok":
                misses = 0
            else:
                misses += 1
                log(f"check {misses}/{args.misses}: {state}")
                if state == "error-page":
                    try:
                        reload_page(args.port, args.timeout)
                    except Exception as error:
                        log(f"reload failed: {error}")
                if misses >= args.misses:
                    log("the page stopped answering; restarting the browser")
                    break
            time.sleep(args.interval)
        _stop(browser)
        if not stopping:
            time.sleep(1)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["run", "check", "reload"])
    parser.add_argument("--port", type=int, default=9222, help="DevTools port on 127.0.0.1")
    parser.add_argument("--interval", type=float, default=15, help="seconds between checks")
    parser.add_argument("--timeout", type=float, default=10, help="seconds a check may take")
    parser.add_argument("--misses", type=int, default=3, help="bad checks before a restart")
    parser.add_argument("--grace", type=float, default=20, help="seconds to load before checks")
    parser.add_argument("--max-starts", type=int, default=0, help="stop after N starts (tests)")
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    args.browser = argv[split + 1 :]  # the browser's command, after --
    if args.action == "run":
        return run(args)
    try:
        if args.action == "reload":
            reload_page(args.port, args.timeout)
            log("page reloaded")
            return 0
        state = check_page(args.port, args.timeout)
        log(f"page: {state}")
        return 0 if state == "ok" else 1
    except Exception as error:
        log(f"no answer: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
