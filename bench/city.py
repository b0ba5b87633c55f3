"""Screens at city scale (issue #21), written into docs/benchmarks.md between
<!-- city:start --> and <!-- city:end -->, every size in one table with the run
before it beside it; each size's full tables go onto the end of
bench/results/history.md. The figures are kept in bench/results/city-latest.json
(the run before in city-previous.json), and --render-only writes the page again
from them without measuring.

    .venv/bin/python bench/city.py [--sizes 1000,10000,50000] [--runs 5] [--wrk-seconds 8]

One PostgreSQL database (BENCH_CITY_DB, default jxj_bench_city) is made afresh from
the demo, then grown with `flask demo grow --in-scope-of` until 九曲河社区's scope
holds each size of listings in turn. At each size one gunicorn process as
deploy/gunicorn.conf.py starts it serves, and:
- a registered TV (its token in localStorage, the HTTP cache empty) starts in
  Debian's Chromium with its CPU slowed 6x (CDP Emulation.setCPUThrottlingRate), to
  stand in for a TV box: the time from navigation to the first listing card on
  screen, and the bytes and requests over the wire until the network is idle
  (headers and compressed bodies, CDP Network.loadingFinished);
- on that TV, the job list paged with the remote's page key: from the key's
  keydown to the frame after the next page's cards are in the page;
- searches as the TV and the kiosk send them, each query string once so none is
  answered from the feed cache: the whole request on loopback, median and p95;
- the public reads under wrk beside the Python floor (bench/reads.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import requests
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.doc import append_history, replace_section  # noqa: E402
from bench.run import Proc, env_for_ours, flask, gunicorn_cmd  # noqa: E402
from kiosk_server.listings.search import fold, initials, phone_keys  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_CITY_DB", "jxj_bench_city")
DB_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB_NAME}"
PORT = int(os.environ.get("BENCH_CITY_PORT", "5110"))
COMMUNITY = "九曲河社区"
RESULTS = ROOT / "bench" / "results"
LATEST = RESULTS / "city-latest.json"
PREVIOUS = RESULTS / "city-previous.json"
START, END = "<!-- city:start -->", "<!-- city:end -->"
CPU_SLOWDOWN = 6
PAGE_STEPS = 8
# What residents look for (DOMAIN.md, the seeds): typed on the TV key by key, as
# its results follow each key, and as words on the kiosk's keyboard.
WORDS = [
    "保洁", "电工", "面点", "家政", "保安", "维修", "计件", "手工", "厨师", "月嫂",
    "育婴", "养老", "快递", "缝纫", "电商", "培训", "补贴", "招聘", "零工", "直播",
]  # fmt: skip
# What the screens ask (tv_app/src/views/search.js, kiosk_ui/src/views/search.js).
TV_SEARCH_PAGE = 3
KIOSK_SEARCH_PAGE = 4
# The first card of the home screen, and the list's page line.
FIRST_LISTING = ".row-cards .card"
PAGER = ".pager"


def log(message: str) -> None:
    print(f"[city {time.strftime('%H:%M:%S')}] {message}", flush=True)


def _sql(query: str, *params: Any) -> Any:
    with psycopg.connect(DB_URL.replace("+psycopg", "")) as conn:
        return conn.execute(query, params).fetchall()


def fresh_database(env: dict[str, str]) -> int:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    flask(env, "db", "upgrade")
    flask(env, "demo", "load")
    rows = _sql("SELECT id FROM places WHERE name = %s AND level = 'community'", COMMUNITY)
    return int(rows[0][0])


def in_scope(community: int) -> int:
    """Published listings aimed at the community or a place above it."""
    rows = _sql(
        "SELECT count(*) FROM listings l JOIN places c ON c.id = %s "
        "JOIN places p ON p.id = l.target_id "
        "WHERE l.status = 'published' AND c.path LIKE p.path || '%%'",
        community,
    )
    return int(rows[0][0])


def grow_to(env: dict[str, str], community: int, size: int) -> float:
    """Grow until `size` listings are in the community's scope; the seconds it took."""
    started = time.monotonic()
    missing = size - in_scope(community)
    if missing > 0:
        flask(
            env, "demo", "grow", "--listings", str(missing), "--in-scope-of", str(community),
            "--communities", "0", "--registrations", "0", "--screens", "0",
        )  # fmt: skip
    # The visibility map too, as autovacuum leaves a table that has settled.
    with psycopg.connect(DB_URL.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return time.monotonic() - started


def _first_card_script(saved: dict[str, Any]) -> str:
    """The saved registration, and the moment the first listing card is in the page."""
    return f"""
localStorage.setItem('jxj.tv.screen', {json.dumps(json.dumps(saved))});
new MutationObserver(function (_, observer) {{
  if (document.querySelector({json.dumps(FIRST_LISTING)})) {{
    window.__firstListing = performance.now();
    observer.disconnect();
  }}
}}).observe(document, {{ childList: true, subtree: true }});
"""


def _step_times(page: Page) -> list[float]:
    page.keyboard.press("Digit1")  # the job list
    page.wait_for_selector(f".screen {PAGER}")
    times = []
    for _ in range(PAGE_STEPS):
        page.wait_for_load_state("networkidle")  # the next page prefetched, as a person waits
        times.append(_press_and_time(page))
    return times


def _press_and_time(page: Page) -> float:
    """From the page key's keydown to the frame after the pager moved on."""
    page.evaluate(
        """() => {
  window.__stepDone = null;
  var before = document.querySelector('.screen .pager').textContent, pressed = 0;
  document.addEventListener('keydown', function () { pressed = performance.now(); },
    { capture: true, once: true });
  new MutationObserver(function (_, observer) {
    var now = document.querySelector('.screen .pager');
    if (!now || now.textContent === before) { return; }
    observer.disconnect();
    requestAnimationFrame(function () { window.__stepDone = performance.now() - pressed; });
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
}"""
    )
    page.keyboard.press("PageDown")
    page.wait_for_function("window.__stepDone !== null")
    return float(page.evaluate("window.__stepDone"))


def tv_start(base: str, saved: dict[str, Any], runs: int) -> dict[str, Any]:
    """Cold starts of a registered TV, and page steps on the last one."""
    starts: list[dict[str, float]] = []
    steps: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for run in range(runs):
            # The bench's own probes run in the page: the site's CSP would refuse them.
            context = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
            context.add_init_script(_first_card_script(saved))
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
            cdp.send("Network.enable")
            wire = {"bytes": 0, "requests": 0}

            def finished(event: dict[str, Any], wire: dict[str, int] = wire) -> None:
                wire["bytes"] += int(event["encodedDataLength"])
                wire["requests"] += 1

            cdp.on("Network.loadingFinished", finished)
            page.goto(f"{base}/tv/")
            page.wait_for_function("window.__firstListing !== undefined", timeout=60_000)
            first = float(page.evaluate("window.__firstListing"))
            page.wait_for_load_state("networkidle")
            starts.append({"first_listing_ms": first, **wire})
            if run == runs - 1:
                steps = _step_times(page)
            context.close()
        browser.close()
    return {"starts": starts, "steps_ms": steps}


def search_queries() -> list[str]:
    """Each query string the screens send while the words are typed, once."""
    queries: list[str] = []
    for word in WORDS:
        keys = phone_keys(initials(fold(word)))
        letters = initials(fold(word))
        typed = [keys[: n + 1] for n in range(len(keys))] + [letters]
        for q in typed:
            queries.append(f"q={q}&page=1&per_page={TV_SEARCH_PAGE}")
        queries.append(f"q={word}&page=1&per_page={KIOSK_SEARCH_PAGE}")
        queries.append(f"q={word}&kind=job&page=1&per_page={KIOSK_SEARCH_PAGE}")
    return list(dict.fromkeys(queries))


def search_times(base: str, place: str) -> dict[str, Any]:
    """Each query once, so each is a cache miss: the whole request on loopback."""
    session = requests.Session()
    times = []
    for query in search_queries():
        started = time.perf_counter()
        reply = session.get(f"{base}/api/feed?{place}&{query}", timeout=30)
        reply.raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "count": len(times),
        "median_ms": statistics.median(times),
        "p95_ms": times[int(len(times) * 0.95) - 1],
        "max_ms": times[-1],
    }


def _register_tv(base: str, community: int) -> dict[str, Any]:
    reply = requests.post(f"{base}/api/screens", json={"community_id": community}, timeout=30)
    reply.raise_for_status()
    return {
        "token": reply.json()["token"],
        "community": {"id": community, "name": COMMUNITY},
        "street": {"id": 0, "name": ""},
    }


def _reads(base: str, community: int, seconds: int) -> dict[str, Any] | None:
    try:
        from bench import reads
    except ImportError:
        return None
    listing = _sql("SELECT id FROM listings WHERE status = 'published' ORDER BY id DESC LIMIT 1")[
        0
    ][0]
    return reads.measure(base, community, int(listing), seconds)


def measure_size(
    env: dict[str, str], community: int, size: int, runs: int, wrk_seconds: int, work: Path
) -> dict[str, Any]:
    grew = grow_to(env, community, size)
    log(f"{in_scope(community)} listings in scope ({grew:.0f} s to grow)")
    server = Proc(f"ours-{size}", gunicorn_cmd(1, PORT), env, work / f"ours-{size}.log")
    base = f"http://127.0.0.1:{PORT}"
    try:
        server.wait_http(f"{base}/health")
        saved = _register_tv(base, community)
        figures: dict[str, Any] = {"in_scope": in_scope(community), "grow_s": grew}
        figures["search"] = search_times(base, f"community_id={community}")
        log(f"search p95 {figures['search']['p95_ms']:.0f} ms")
        figures["tv"] = tv_start(base, saved, runs)
        figures["reads"] = _reads(base, community, wrk_seconds)
        return figures
    finally:
        server.popen.terminate()
        server.popen.wait(timeout=30)


def measure(sizes: list[int], runs: int, wrk_seconds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env = env_for_ours(work, DB_URL)
        community = fresh_database(env)
        by_size = {}
        for size in sizes:
            log(f"size {size}")
            by_size[str(size)] = measure_size(env, community, size, runs, wrk_seconds, work)
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()}, {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}",
        "load_average": os.getloadavg(),
        "cpu_slowdown": CPU_SLOWDOWN,
        "sizes": by_size,
    }


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def summary(size: dict[str, Any]) -> dict[str, float]:
    """The figures a reader compares, from one size's raw measurements."""
    starts = size["tv"]["starts"]
    steps = size["tv"]["steps_ms"]
    return {
        "in_scope": size["in_scope"],
        "start_ms": _median([s["first_listing_ms"] for s in starts]),
        "start_max_ms": max(s["first_listing_ms"] for s in starts),
        "kb": _median([s["bytes"] for s in starts]) / 1000,
        "requests": _median([s["requests"] for s in starts]),
        "step_ms": _median(steps),
        "step_max_ms": max(steps, default=float("nan")),
        "search_median_ms": size["search"]["median_ms"],
        "search_p95_ms": size["search"]["p95_ms"],
    }


# The targets at every size: the summary's key, its limit, and whether it
# may equal the limit.
TARGETS = {
    "start_ms": (1500.0, True),
    "kb": (150.0, False),
    "step_max_ms": (300.0, False),
    "search_p95_ms": (50.0, False),
}

# Each row: label, the summary's key, how it is written, the target.
ROWS = [
    ("listings in 九曲河社区's scope", "in_scope", "{:,.0f}", ""),
    ("start → first listing on screen (median)", "start_ms", "{:,.0f} ms", "≤ 1,500 ms"),
    ("start → first listing (slowest run)", "start_max_ms", "{:,.0f} ms", ""),
    ("over the wire at a start", "kb", "{:,.1f} KB", "< 150 KB"),
    ("requests at a start", "requests", "{:.0f}", ""),
    ("page key → next page painted (median)", "step_ms", "{:,.0f} ms", "< 300 ms"),
    ("page key → next page painted (slowest)", "step_max_ms", "{:,.0f} ms", "< 300 ms"),
    ("search, whole request (median)", "search_median_ms", "{:,.1f} ms", ""),
    ("search, whole request (p95)", "search_p95_ms", "{:,.1f} ms", "< 50 ms"),
]


def _cell(template: str, value: float | None) -> str:
    return "–" if value is None else template.format(value)


def missed(latest: dict[str, Any]) -> list[str]:
    """Each target this run missed, as `key at size: value`."""
    found = []
    for size, figures in latest["sizes"].items():
        now = summary(figures)
        for key, (limit, inclusive) in TARGETS.items():
            if now[key] > limit or (now[key] == limit and not inclusive):
                found.append(f"{key} at {int(size):,}: {now[key]:,.1f}")
    return found


def _marked(key: str, value: float) -> str:
    """A figure with ✗ when it misses its target."""
    limit, inclusive = TARGETS.get(key, (None, True))
    over = limit is not None and (value > limit or (value == limit and not inclusive))
    return " ✗" if over else ""


def _intro(latest: dict[str, Any], before: dict[str, Any] | None) -> list[str]:
    return [
        f"Run on {latest['when']} on {latest['machine']}; load average at the end "
        f"{', '.join(f'{x:.2f}' for x in latest['load_average'])}. "
        + (f"The run before it: {before['when']}." if before else "No run before it."),
        "Produced by `bench/city.py` (its docstring says how each figure is taken): one "
        "gunicorn process as deployed, on PostgreSQL, the database grown with "
        "`flask demo grow --in-scope-of` until 九曲河社区's scope holds each size; a "
        f"registered TV started cold in Debian's Chromium with its CPU slowed "
        f"{latest['cpu_slowdown']}x; each search query string asked once, so none is "
        "answered from the feed cache.",
        "",
        "Targets missed in this run: " + ("; ".join(missed(latest)) or "none") + ".",
    ]


def _screen_table(latest: dict[str, Any], before: dict[str, Any] | None) -> list[str]:
    """One row per figure, one column per size, and the run before at the largest."""
    sizes = list(latest["sizes"])
    largest = sizes[-1]
    now = {size: summary(latest["sizes"][size]) for size in sizes}
    old = summary(before["sizes"][largest]) if before and largest in before["sizes"] else None
    head = " | ".join(f"{int(size):,}" for size in sizes)
    lines = [
        f"| listings in scope → | {head} | run before, {int(largest):,} | target |",
        "|---|" + "---:|" * (len(sizes) + 1) + "---|",
    ]
    for label, key, template, target in ROWS[1:]:
        cells = " | ".join(_cell(template, now[s][key]) + _marked(key, now[s][key]) for s in sizes)
        previous = _cell(template, old[key]) if old else "–"
        lines.append(f"| {label} | {cells} | {previous} | {target} |")
    return lines


def _read_table(latest: dict[str, Any]) -> list[str]:
    """The reads as ours ÷ the floor's requests a second: one row per read, a 200
    and a 304 column per size. A ✗ marks a ratio under its target."""
    sizes = [size for size, figures in latest["sizes"].items() if figures.get("reads")]
    if not sizes:
        return []
    rows: dict[str, dict[tuple[str, int], dict[str, Any]]] = {}
    targets: dict[int, float] = {}
    for size in sizes:
        for row in latest["sizes"][size]["reads"]["rows"]:
            rows.setdefault(row["read"], {})[(size, row["status"])] = row
            targets.setdefault(row["status"], row["target"])
    statuses = sorted(targets)
    columns = [(size, status) for status in statuses for size in sizes]
    head = " | ".join(f"{status} at {int(size) // 1000:,}k" for size, status in columns)
    largest = sizes[-1]
    lines = [
        "",
        "Reads: ours in requests a second at the largest size, and ours ÷ the Python floor "
        "(`wrk`, "
        + ", ".join(f"target ≥ {targets[s]:.2f}× for a {s}" for s in statuses)
        + "); the answers' sizes, the CPU per request and each size's own table are in "
        "bench/results/history.md:",
        "",
        f"| read | ours req/s at {int(largest) // 1000:,}k, {' / '.join(map(str, statuses))}"
        f" | {head} |",
        "|---|" + "---:|" * (len(columns) + 1),
    ]
    for read, found in rows.items():
        ours = " / ".join(
            f"{found[(largest, status)]['ours']:,.0f}" if (largest, status) in found else "–"
            for status in statuses
        )
        cells = [ours]
        for column in columns:
            row = found.get(column)
            mark = "" if row is None or row["met"] else " ✗"
            cells.append("–" if row is None else f"{row['ratio']:.2f}×{mark}")
        lines.append(f"| {read} | {' | '.join(cells)} |")
    return lines


def render(latest: dict[str, Any], before: dict[str, Any] | None) -> str:
    """The page's section: every size side by side in one table, the reads in another."""
    lines = [START, "## Screens at city scale (`make bench-city`)", "", *_intro(latest, before)]
    lines += ["", *_screen_table(latest, before), *_read_table(latest), "", LIMITS, END]
    return "\n".join(lines)


# What limits these figures, said once under the tables.
LIMITS = (
    "What limits them: `wrk`, the server, PostgreSQL and Chromium share the machine's two "
    "cores, so every figure moves from run to run with what else the machine does; the "
    "floor (bench/floor_reads.py) answers the same bytes from memory under the same "
    "gunicorn worker, so the ratio sets ours against what the packages alone can do. "
    "Compare ratios, not requests a second, between machines.\n\n"
    "What limits a search: one nobody asked before reads every listing in scope twice "
    "(the count, then the page in its order), testing each for the words (listings/"
    "search.py), so its time grows with the scope. At 50,000 in scope that is about "
    "0.5–1 µs a listing a pass. Indexes for one- and two-character words (GIN over "
    "each name's 1- and 2-grams, as an array, a tsvector, or with the scope in the "
    "index) were tried on 50,000: a rare word takes 1 ms, but a common one still "
    "visits a row per match, and when PostgreSQL picks a sequential scan instead it "
    "tests every row's array at 0.4–0.8 s; the notes of 2026-12-08 in the history say "
    "what a fix needs."
)


def render_full(latest: dict[str, Any], before: dict[str, Any] | None) -> str:
    """Every figure of every size, for bench/results/history.md."""
    lines = [f"## Screens at city scale, run of {latest['when']}", "", *_intro(latest, before)]
    for size, figures in latest["sizes"].items():
        now = summary(figures)
        old = summary(before["sizes"][size]) if before and size in before["sizes"] else None
        lines += ["", f"### {int(size):,} listings", "", "| | this run | run before | target |"]
        lines.append("|---|---|---|---|")
        for label, key, template, target in ROWS:
            previous = _cell(template, old[key]) if old else "–"
            lines.append(f"| {label} | {_cell(template, now[key])} | {previous} | {target} |")
        if figures.get("reads"):
            from bench import reads

            lines += ["", reads.markdown(figures["reads"]).rstrip("\n")]
    return "\n".join(lines)


def _load(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--wrk-seconds", type=int, default=8)
    parser.add_argument(
        "--render-only", action="store_true", help="rewrite the page from the saved results"
    )
    args = parser.parse_args()
    if args.render_only:
        replace_section(render(_load(LATEST) or {}, _load(PREVIOUS)), START, END)
        return
    sizes = [int(size) for size in args.sizes.split(",")]
    latest = measure(sizes, args.runs, args.wrk_seconds)
    RESULTS.mkdir(exist_ok=True)
    # The run before is kept beside it, so the page can be rendered again from files.
    if LATEST.exists():
        LATEST.replace(PREVIOUS)
    LATEST.write_text(json.dumps(latest, ensure_ascii=False, indent=1), encoding="utf-8")
    before = _load(PREVIOUS)
    section = render(latest, before)
    print(section)
    replace_section(section, START, END)
    append_history(render_full(latest, before))


if __name__ == "__main__":
    main()
