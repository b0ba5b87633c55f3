"""The benchmark page generator: verdicts against the issue's targets, and a re-run
replacing only its own part of docs/benchmarks.md."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
_spec = importlib.util.spec_from_file_location("bench_report", ROOT / "bench" / "report.py")
assert _spec and _spec.loader
report = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(report)


def _side(publish: float, kb: float, storm: float) -> dict:
    return {
        "publish_ms": [publish, publish + 10, publish - 10],
        "publish_median_ms": publish,
        "idle_kb_per_screen": kb,
        "storm_ms": storm,
        "connect_ms": 1000.0,
        "stats": {"applied": 1, "duplicates": 0, "gaps": 0, "syncs": 1},
    }


RESULTS = {
    "date": "2026-11-22T09:00:00+00:00",
    "machine": {
        "cpu": "Test CPU",
        "cores": 2,
        "ram_gib": 24.0,
        "kernel": "6.1",
        "python": "3.11.7",
        "node": "v20",
        "loadavg_start": [1.0, 1.0, 1.0],
        "loadavg_end": [2.0, 2.0, 2.0],
    },
    "sizes": [10_000],
    "reps": 3,
    "runs": [{"n": 10_000, "ours": _side(900.0, 45.0, 3000.0), "ref": _side(600.0, 20.0, 2500.0)}],
    "feed": {
        "ours": {"bytes": 100, "full": {"rps": 50.0}, "etag": {"rps": 100.0}},
        "ref": {"bytes": 100, "full": {"rps": 5000.0}, "etag": {"rps": 30000.0}},
    },
}


def test_each_target_is_judged_and_a_miss_says_by_how_much() -> None:
    table = report.size_table(RESULTS)
    fanout = next(line for line in table.splitlines() if "publish" in line)
    assert "1.50×" in fanout and "**missed** (50 % over)" in fanout
    memory = next(line for line in table.splitlines() if "idle memory" in line)
    assert "45.0 KB" in memory and "15 KB over" in memory
    storm = next(line for line in table.splitlines() if "storm" in line)
    assert "1.20×" in storm and storm.rstrip(" |").endswith("met")
    held = next(line for line in table.splitlines() if "one process" in line)
    assert held.rstrip(" |").endswith("met")


def _fanout_line(ours_ms: list[float], ref_ms: list[float]) -> str:
    run = RESULTS["runs"][0]
    ours = {**run["ours"], "publish_ms": ours_ms, "publish_median_ms": sorted(ours_ms)[2]}
    ref = {**run["ref"], "publish_ms": ref_ms, "publish_median_ms": sorted(ref_ms)[2]}
    table = report.size_table({**RESULTS, "runs": [{**run, "ours": ours, "ref": ref}]})
    return next(line for line in table.splitlines() if "last screen, median" in line)


def test_the_fanout_is_met_or_missed_only_when_its_whole_interval_says_so() -> None:
    ref = [600.0, 640.0, 580.0, 700.0, 620.0]
    faster = _fanout_line([400.0, 420.0, 390.0, 450.0, 410.0], ref)
    assert faster.rstrip(" |").endswith("met")
    slower = _fanout_line([900.0, 960.0, 870.0, 1050.0, 930.0], ref)
    assert "**missed** (50 % over)" in slower
    # The same medians, 0.97×, from publishes that vary by a third: not shown either way.
    noisy = _fanout_line([400.0, 800.0, 600.0, 900.0, 500.0], [450.0, 950.0, 620.0, 850.0, 520.0])
    assert "0.97× (" in noisy and "**not shown** (the interval spans 1.0×)" in noisy


def test_the_first_screen_and_the_message_size_are_shown_without_a_target() -> None:
    run = RESULTS["runs"][0]
    results = {
        **RESULTS,
        "runs": [
            {
                **run,
                "ours": {**run["ours"], "publish_first_median_ms": 40.0, "change_bytes": 1310},
                "ref": {**run["ref"], "publish_first_median_ms": 5.0, "change_bytes": 1310},
            }
        ],
    }
    lines = report.size_table(results).splitlines()
    first = next(line for line in lines if "first screen" in line)
    assert "| 40 ms | 5 ms | 8.00× | | |" in first
    size = next(line for line in lines if "size of a published change" in line)
    assert "| 1,310 B | 1,310 B | 1.00× | | |" in size
    # A run from before the harness timed the first screen has no such row.
    assert not any("first screen" in line for line in report.size_table(RESULTS).splitlines())


def test_a_run_in_turns_shows_each_publish_against_the_references_in_the_same_turn() -> None:
    run = RESULTS["runs"][0]
    ours = {**run["ours"], "publish_ms": [300.0, 900.0, 500.0]}
    ref = {**run["ref"], "publish_ms": [600.0, 600.0, 400.0]}
    results = {**RESULTS, "blocks": 3, "runs": [{**run, "ours": ours, "ref": ref}]}

    lines = report.size_table(results).splitlines()

    paired = next(line for line in lines if "same turn" in line)
    # 300/600, 900/600, 500/400: the middle one and the range
    assert "1.25× (0.50×–1.50×)" in paired
    # A run of one side after the other has no publishes to pair.
    assert not any("same turn" in line for line in report.size_table(RESULTS).splitlines())


def test_a_rerun_replaces_only_the_bench_part_of_the_page() -> None:
    page = "# Benchmarks\n\nFront-end weight: 120 KB\n"
    first = report.merge(page, "old numbers")
    second = report.merge(first + "\n## Later section\n", "new numbers")
    assert "Front-end weight: 120 KB" in second and "## Later section" in second
    assert "new numbers" in second and "old numbers" not in second
    assert second.count(report.START) == 1 and second.count(report.END) == 1


def test_the_template_is_filled_with_the_machine_and_tables() -> None:
    text = report.render(RESULTS, (ROOT / "bench" / "benchmarks.template.md").read_text())
    assert "{{" not in text
    assert "Test CPU, 2 cores" in text and "30,000 req/s" in text


def test_the_run_before_is_shown_beside_this_one() -> None:
    before = {**RESULTS, "date": "2026-11-21T09:00:00+00:00"}
    before["runs"] = [
        {"n": 10_000, "ours": _side(800.0, 44.0, 6000.0), "ref": _side(400.0, 22.0, 2000.0)}
    ]

    text = report.repeatability(RESULTS, before)

    assert "2026-11-21T09:00:00+00:00" in text
    storm = next(line for line in text.splitlines() if "reconnect storm" in line)
    assert "6000 ms vs 2000 ms (3.00×)" in storm and "3000 ms vs 2500 ms (1.20×)" in storm


def test_without_a_run_before_the_page_says_so() -> None:
    assert "No earlier run" in report.repeatability(RESULTS, None)


def test_the_python_floor_is_shown_between_ours_and_the_reference() -> None:
    run = RESULTS["runs"][0]
    results = {**RESULTS, "runs": [{**run, "floor": _side(700.0, 18.0, 5000.0)}]}

    lines = report.floor_table(results).splitlines()

    storm = next(line for line in lines if "reconnect storm" in line)
    # ours 3000 ms, floor 5000 ms, reference 2500 ms
    assert "| 3000 ms | 5000 ms | 2500 ms | 2.00× | 0.60× |" in storm
    memory = next(line for line in lines if "idle memory" in line)
    assert "| 45.0 KB | 18.0 KB | 20.0 KB | 0.90× | 2.50× |" in memory
    protocol = report.protocol_table(results)
    assert "| Python floor |" in protocol


def test_a_run_without_the_floor_says_so() -> None:
    assert "not measured" in report.floor_table(RESULTS)
    assert "Python floor" not in report.protocol_table(RESULTS)


def test_the_page_shows_each_size_in_a_column_beside_the_run_before() -> None:
    small = {"n": 1_000, "ours": _side(90.0, 25.0, 1000.0), "ref": _side(100.0, 20.0, 1000.0)}
    before = {**RESULTS, "runs": [{**RESULTS["runs"][0], "ours": _side(800.0, 44.0, 6000.0)}]}
    results = {**RESULTS, "sizes": [1_000, 10_000], "runs": [small, *RESULTS["runs"]]}

    lines = report.summary_table(results, before).splitlines()

    assert lines[0].startswith("| screens → | 1,000 | 10,000 | run before, 10,000 |")
    storm = next(line for line in lines if line.startswith("| reconnect storm, ours ÷"))
    # 1.00× at 1,000 is met; 1.20× at 10,000 too; the run before's 2.40× is only shown.
    assert "| 1.00× | 1.20× | 2.40× | ≤ 1.5× | met |" in storm
    memory = next(line for line in lines if line.startswith("| idle memory"))
    assert "25.0 KB / 20.0 KB | 45.0 KB / 20.0 KB" in memory
    assert memory.endswith("| **missed** (15 KB over at 10,000) |")


def test_the_page_section_is_short_and_the_full_tables_are_for_the_history() -> None:
    template = (ROOT / "bench" / "benchmarks.template.md").read_text()

    page = report.render(RESULTS, template, None)
    full = report.render_full(RESULTS, None)

    assert "{{" not in page and len(page.splitlines()) < 90
    assert "| 10,000 | ours |" in full and "| 10,000 | ours |" not in page
