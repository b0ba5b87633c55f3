"""Browser tests: Debian's Chromium driven by Playwright against a real server process."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import select

from kiosk_server import create_app
from kiosk_server.config import RATE_LIMITS
from kiosk_server.extensions import db
from kiosk_server.screens.models import Screen, hash_token
from tests.conftest import make_config
from tests.factories import World, build_world, make_listing
from tests.live_server import Server, StaffSession, free_port

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).parent / "screenshots"
# Without these, Chromium keeps trying to reach Google's hosts on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # The browser's own words (what little the pages leave to it) in Chinese, as on
    # staff PCs in China; test_console_layout.py also runs an English browser.
    "--lang=zh-CN",
]

if not CHROMIUM.exists():
    pytest.skip(
        f"Chromium not found at {CHROMIUM}: run `apt-get install chromium` (as root) "
        "or set CHROMIUM_PATH",
        allow_module_level=True,
    )


@dataclass
class Site:
    server: Server
    app: Flask
    ids: dict[str, int]  # place and site ids by World attribute name
    passwords: dict[str, str]

    def staff(self) -> StaffSession:
        return StaffSession(self.server.url, "admin", self.passwords["admin"])

    def place(self, name: str) -> Any:
        """A World place or site, loaded in the caller's app context."""
        from kiosk_server.places.models import Place
        from kiosk_server.places.models import Site as SiteModel

        model = SiteModel if name in ("station", "factory") else Place
        return db.session.get(model, self.ids[name])


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _seed(world: World) -> None:
    """Enough near 九曲河社区 for two pages of jobs, and something of every kind."""
    jobs = [
        ("手工花组装（计件）", "piece_rate", {"min": 0.3, "unit": "piece", "piece": "朵花"}),
        ("粉扑包装（计件）", "piece_rate", {"min": 0.15, "unit": "piece", "piece": "个粉扑"}),
        ("幸福食堂午餐帮厨", "mom_friendly", {"min": 20, "unit": "hour"}),
        ("小区绿化保洁", "public_welfare", {"min": 2300, "max": 2300, "unit": "month"}),
        ("家电维修零工", "gig", {"max": 100, "unit": "day"}),
        ("快递驿站分拣员", "part_time", {"min": 100, "unit": "day", "approximate": True}),
        ("充电桩运维员", "full_time", {"min": 3000, "max": 4000, "unit": "month"}),
        ("超市理货员", "part_time", {"min": 18, "unit": "hour"}),
    ]
    for title, category, pay in jobs:
        block = {"employer": "九曲河社区微工厂", "category": category, "pay": pay, "flexible": True}
        make_listing("job", target=world.jiuquhe, title=title, job=block, site_id=world.station.id)
    make_listing("training", target=world.huangdao_street, title="电商直播微技能培训")
    make_listing("subsidy", target=world.city, title="一次性创业补贴")
    make_listing("event", target=world.huangdao, title="星光招聘夜市")
    make_listing("job", target=world.taidong1, title="别的社区的岗位")


@contextmanager
def serve_world(
    instance: Path,
    grow: Callable[[World, dict[str, int]], dict[str, int]] | None = None,
    settings: dict[str, str] | None = None,
) -> Iterator[Site]:
    """A server process on a new SQLite database holding the test World and _seed's
    listings; `grow` adds more and returns the ids of what tests look for."""
    url = f"sqlite:///{instance / 'browser.sqlite3'}"
    app = create_app(make_config(url, instance))
    with app.app_context():
        db.create_all()
        world = build_world()
        _seed(world)
        ids = {
            name: getattr(world, name).id
            for name in World.__dataclass_fields__
            if name not in ("admin", "street_staff", "station_staff", "passwords")
        }
        if grow is not None:
            ids.update(grow(world, ids))
        passwords = dict(world.passwords)
        db.session.remove()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MESSAGE_QUEUE_URL": "",
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": secrets.token_hex(8),
        "SWEEP_INTERVAL_SECONDS": "1",
        # Screens' connects and closes reach the database in batches, as in
        # production; pages that show them wait for a write (wait_until_written).
        "REPORT_INTERVAL_SECONDS": "1",
        # Each test logs in afresh; the limit itself is tested in tests/functional.
        "LOGIN_RATE_LIMIT": "1000 per minute",
        # Tests enrol kiosks and register TVs all from one address; the public
        # writes' limits are tested in tests/functional/test_abuse_limits.py.
        **{f"RATE_LIMIT_{name.upper()}": "off" for name in RATE_LIMITS},
        **(settings or {}),
    }
    server = Server(env, free_port(), instance / "server.log")
    try:
        server.wait_ready()
        yield Site(server, app, ids, passwords)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with serve_world(tmp_path_factory.mktemp("browser")) as served:
        yield served


def wait_until_written(site: Site, token: str, *, gone: bool = False) -> int:
    """Wait until the server has written a screen's connect (or, with `gone`, its
    close): it writes what screens report every REPORT_INTERVAL_SECONDS, so staff
    pages see a screen come and go a second or two late. Returns its id."""
    deadline = time.monotonic() + 10
    while True:
        with site.app.app_context():
            row = db.session.execute(
                select(Screen.id, Screen.last_seen_at, Screen.disconnected_at).where(
                    Screen.token_hash == hash_token(token)
                )
            ).one()
            db.session.remove()
        if (row.disconnected_at if gone else row.last_seen_at) is not None:
            return int(row.id)
        assert time.monotonic() < deadline, "the server did not write the screen's report"
        time.sleep(0.1)


def screenshot(page: Page, name: str) -> None:
    """Kept for people to look at: tests/browser/screenshots/."""
    SCREENSHOTS.mkdir(exist_ok=True)
    size = page.viewport_size or {"width": 0, "height": 0}
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"))


def axe_violations(page: Page, enhanced_contrast: bool = False) -> list[dict[str, Any]]:
    """Serious and critical findings of axe-core (from npm) on the page as it is now.

    `enhanced_contrast` adds WCAG AAA's 7:1 text contrast, which UX.md asks of the TV.
    """
    axe = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
    # Evaluated, not added as a <script>: the site's CSP refuses inline scripts.
    page.evaluate(axe.read_text())
    options = {"resultTypes": ["violations"]}
    if enhanced_contrast:
        options["rules"] = {"color-contrast-enhanced": {"enabled": True}}
    result = page.evaluate("options => axe.run(document, options)", options)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:120] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


CONSOLE_VIEWPORT = {"width": 1366, "height": 768}


def open_console(browser: Browser, site: Site, username: str = "admin") -> Page:
    """A fresh browser context logged in to /admin/ through its login form, at office-PC size.

    Script errors on the page are kept in `page.errors` for tests to check."""
    context = browser.new_context(viewport=CONSOLE_VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
    page.goto(f"{site.server.url}/admin/")
    page.fill("[data-field=username]", username)
    page.fill("[data-field=password]", site.passwords[username])
    page.click("button[type=submit]")
    page.wait_for_selector("nav.sidebar")
    return page


@pytest.fixture(scope="module")
def console(browser: Browser, site: Site) -> Iterator[Page]:
    """The city administrator's console, shared by a module's tests (one login each)."""
    page = open_console(browser, site)
    yield page
    page.context.close()
