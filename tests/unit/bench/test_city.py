"""The city-scale bench: the searches it times are the ones screens send, each
once; and its page sets this run beside the run before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench import city
from bench.doc import replace_section


def _size(start_ms: float, p95_ms: float) -> dict[str, Any]:
    return {
        "in_scope": 50_000,
        "grow_s": 60.0,
        "search": {"count": 100, "median_ms": p95_ms / 2, "p95_ms": p95_ms, "max_ms": p95_ms},
        "tv": {
            "starts": [
                {"first_listing_ms": start_ms, "bytes": 70_000, "requests": 30},
                {"first_listing_ms": start_ms + 100, "bytes": 71_000, "requests": 30},
            ],
            "steps_ms": [40.0, 60.0, 250.0],
        },
        "reads": None,
    }


def _run(when: str, start_ms: float, p95_ms: float) -> dict[str, Any]:
    return {
        "when": when,
        "machine": "test, 2 cores",
        "load_average": (0.1, 0.2, 0.3),
        "cpu_slowdown": 6,
        "sizes": {"50000": _size(start_ms, p95_ms)},
    }


def test_searches_are_what_the_tv_and_kiosk_send_each_asked_once() -> None:
    queries = city.search_queries()

    assert len(queries) == len(set(queries))
    # 保洁 typed on a remote key by key (B J → 2 5), on the letter grid, and as a word.
    assert "q=2&page=1&per_page=3" in queries
    assert "q=25&page=1&per_page=3" in queries
    assert "q=bj&page=1&per_page=3" in queries
    assert "q=保洁&page=1&per_page=4" in queries


def test_the_page_shows_this_run_beside_the_run_before(tmp_path: Path) -> None:
    section = city.render(_run("2026-12-08T01:00", 1200, 30), _run("2026-12-07T01:00", 4200, 160))
    start_row = next(line for line in section.splitlines() if line.startswith("| start"))

    assert "1,250 ms" in start_row and "4,250 ms" in start_row and "≤ 1,500 ms" in start_row
    assert "| search, whole request (p95) | 30.0 ms | 160.0 ms | < 50 ms |" in section

    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nother bench\n", encoding="utf-8")
    replace_section(section, city.START, city.END, doc)
    replace_section(section.replace("30.0 ms", "31.0 ms"), city.START, city.END, doc)
    text = doc.read_text(encoding="utf-8")
    assert text.count(city.START) == 1 and "other bench" in text and "31.0 ms" in text


def test_the_page_names_each_target_the_run_missed() -> None:
    section = city.render(_run("2026-12-08T01:00", 1600, 30), None)

    assert "Targets missed in this run: start_ms at 50,000: 1,650.0." in section


def test_the_page_shows_every_size_side_by_side_and_marks_each_miss() -> None:
    run = _run("2026-12-08T01:00", 1200, 30)
    run["sizes"] = {"1000": _size(1200, 30), "50000": _size(1600, 60)}

    section = city.render(run, None)

    p95 = next(line for line in section.splitlines() if "(p95)" in line)
    assert p95 == "| search, whole request (p95) | 30.0 ms | 60.0 ms ✗ | – | < 50 ms |"
    assert "### 1,000 listings" not in section
    assert "### 1,000 listings" in city.render_full(run, None)


def _read(status: int, ours: float, ratio: float, met: bool) -> dict[str, Any]:
    target = 0.75 if status == 304 else 0.5
    return {
        "read": "feed",
        "status": status,
        "ours": ours,
        "ratio": ratio,
        "target": target,
        "met": met,
    }


def test_each_read_is_one_row_across_the_sizes_with_its_misses_marked() -> None:
    run = _run("2026-12-08T01:00", 1200, 30)
    small, large = _size(1200, 30), _size(1200, 30)
    small["reads"] = {"rows": [_read(200, 900, 0.6, True), _read(304, 950, 0.7, False)]}
    large["reads"] = {"rows": [_read(200, 1800, 0.4, False), _read(304, 1900, 0.8, True)]}
    run["sizes"] = {"1000": small, "50000": large}

    lines = city.render(run, None).splitlines()

    feed = [line for line in lines if line.startswith("| feed |")]
    assert feed == ["| feed | 1,800 / 1,900 | 0.60× | 0.40× ✗ | 0.70× ✗ | 0.80× |"]
