"""Front-end weight of the TV (issue #6, item 5), written into docs/benchmarks.md
between <!-- frontend:start --> and <!-- frontend:end -->.

    .venv/bin/python bench/frontend.py [--runs 3]

A server process on a fresh SQLite database, with the test world and a full first
page of listings (100) around 九曲河社区, serves /tv/. For two first screens — a TV
registered at home (its token in localStorage, the HTTP cache cold) and a TV started
for the first time (the street picker) — it measures:
- bytes over the wire until the screen shows, in Chromium (Playwright, CDP
  Network.loadingFinished encodedDataLength: headers and compressed bodies), and the
  same bodies uncompressed;
- Lighthouse's performance score with its default mobile settings (simulated slow 4G,
  4x CPU slowdown), `runs` times each, the median reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.doc import append_history, replace_section  # noqa: E402
from kiosk_server import create_app  # noqa: E402
from kiosk_server.extensions import db  # noqa: E402
from tests.conftest import make_config  # noqa: E402
from tests.factories import build_world, make_listing  # noqa: E402
from tests.live_server import Server, free_port  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
START, END = "<!-- frontend:start -->", "<!-- frontend:end -->"
LISTINGS = 100
KINDS = ["job", "training", "subsidy", "event"]


def _seed(instance: Path) -> tuple[str, int]:
    url = f"sqlite:///{instance / 'frontend.sqlite3'}"
    app = create_app(make_config(url, instance))
    with app.app_context():
        db.create_all()
        world = build_world()
        for n in range(LISTINGS):
            kind = KINDS[n % 4]
            target = world.jiuquhe if n % 2 else world.huangdao_street
            make_listing(kind, target=target, title=f"家门口的第{n + 1}条信息")
        community = world.jiuquhe.id
        db.session.remove()
    return url, community


def _wire(base: str, saved: dict[str, Any] | None, ready: str) -> dict[str, int]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        if saved:
            context.add_init_script(
                f"localStorage.setItem('jxj.tv.screen', {json.dumps(json.dumps(saved))})"
            )
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        sizes = {"wire": 0, "body": 0, "requests": 0}

        def finished(event: dict[str, Any]) -> None:
            sizes["wire"] += int(event["encodedDataLength"])
            sizes["requests"] += 1

        def received(event: dict[str, Any]) -> None:
            sizes["body"] += int(event["dataLength"])

        def frame(event: dict[str, Any]) -> None:
            length = len(event["response"]["payloadData"].encode("utf-8"))
            sizes["wire"] += length
            sizes["body"] += length

        cdp.on("Network.loadingFinished", finished)
        cdp.on("Network.dataReceived", received)
        cdp.on("Network.webSocketFrameReceived", frame)
        page.goto(f"{base}/tv/")
        page.wait_for_selector(ready)
        page.wait_for_load_state("networkidle")
        browser.close()
        return sizes


def _lighthouse(url: str, saved: dict[str, Any] | None) -> dict[str, Any]:
    args = ["node", str(ROOT / "bench" / "lighthouse.mjs"), url]
    if saved:
        args += ["jxj.tv.screen", json.dumps(saved)]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median_run(url: str, saved: dict[str, Any] | None, runs: int) -> dict[str, Any]:
    results = [_lighthouse(url, saved) for _ in range(runs)]
    results.sort(key=lambda r: r["score"])
    middle = results[len(results) // 2]
    middle["scores"] = [r["score"] for r in results]
    return middle


def measure(runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder)
        url, community = _seed(instance)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "MESSAGE_QUEUE_URL": "",
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": secrets.token_hex(8),
        }
        server = Server(env, free_port(), instance / "server.log")
        try:
            server.wait_ready()
            reply = requests.post(f"{server.url}/api/screens", json={"community_id": community})
            reply.raise_for_status()
            saved = {
                "token": reply.json()["token"],
                "community": {"id": community, "name": "九曲河社区"},
                "street": {"id": 0, "name": ""},
            }
            return {
                "home": {
                    "wire": _wire(server.url, saved, ".row-cards .card"),
                    "lighthouse": _median_run(f"{server.url}/tv/", saved, runs),
                },
                "setup": {
                    "wire": _wire(server.url, None, ".grid-choices [data-focusable]"),
                    "lighthouse": _median_run(f"{server.url}/tv/", None, runs),
                },
            }
        finally:
            server.stop()


def _kb(n: int) -> str:
    return f"{n / 1000:.1f} KB"


def render(figures: dict[str, Any], runs: int) -> str:
    sample = figures["home"]["lighthouse"]
    lines = [
        START,
        "## Front-end weight (TV)",
        "",
        f"Measured {date.today().isoformat()} on {platform.node()} "
        f"({os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}), "
        f"Lighthouse {sample['lighthouse']} in Debian's Chromium, "
        f"`{sample['method']}` throttling with a {sample['cpu_slowdown']:g}x CPU slowdown "
        f"(its mobile default), median of {runs} runs. "
        f"The app server alone (no nginx), plain HTTP on loopback: Chromium asks for gzip "
        f"there (brotli only over HTTPS). The feed holds {LISTINGS} listings in scope. "
        "Produced by `bench/frontend.py`.",
        "",
        "| First screen | Over the wire | Uncompressed | Requests | Lighthouse (runs) "
        "| FCP | LCP | TBT | CLS |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    names = {
        "home": "registered TV, home (token in localStorage)",
        "setup": "new TV, street picker",
    }
    for key, name in names.items():
        wire, lh = figures[key]["wire"], figures[key]["lighthouse"]
        lines.append(
            f"| {name} | {_kb(wire['wire'])} | {_kb(wire['body'])} | {wire['requests']} "
            f"| **{lh['score']}** ({', '.join(map(str, lh['scores']))}) "
            f"| {lh['fcp_ms'] / 1000:.2f} s | {lh['lcp_ms'] / 1000:.2f} s "
            f"| {lh['tbt_ms']:.0f} ms | {lh['cls']:.3f} |"
        )
    lines += [
        "",
        "Targets (issue #6): first screen ≤ 150 KB over the wire; Lighthouse performance ≥ 90. "
        "Scripts and styles are served under content-hashed names "
        "(`/assets/<hash>/<path>`, `Cache-Control: public, max-age=31536000, immutable`), "
        "so a TV's later starts download only the page and the feed.",
        END,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    figures = measure(runs)
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    section = render(figures, runs)
    print(section)
    replace_section(section, START, END)
    append_history(section)


if __name__ == "__main__":
    main()
