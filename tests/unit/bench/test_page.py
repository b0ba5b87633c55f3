"""docs/benchmarks.md is a page a reader finishes: rendered again from the saved
results it stays short, keeps every target's verdict, and each run's full tables
go to bench/results/history.md instead."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
RESULTS = ROOT / "bench" / "results"
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import report  # noqa: E402

from bench import city  # noqa: E402
from bench.doc import DOC, append_history, replace_section  # noqa: E402


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _rendered_page(tmp_path: Path) -> str:
    """The page as the generators write it from bench/results/*.json, no bench run."""
    page = tmp_path / "benchmarks.md"
    page.write_text(DOC.read_text(encoding="utf-8"), encoding="utf-8")
    report.write(_load("latest.json") or {}, page, _load("previous.json"))
    section = city.render(_load("city-latest.json") or {}, _load("city-previous.json"))
    replace_section(section, city.START, city.END, page)
    return page.read_text(encoding="utf-8")


def test_the_page_rendered_from_the_saved_results_fits_on_a_screen_or_two(
    tmp_path: Path,
) -> None:
    text = _rendered_page(tmp_path)

    assert len(text.splitlines()) < 200
    for marker in ("frontend", "bench", "city"):
        assert text.count(f"<!-- {marker}:start -->") == 1, marker


def test_every_target_keeps_its_verdict_on_the_short_page(tmp_path: Path) -> None:
    latest, city_latest = _load("latest.json"), _load("city-latest.json")
    assert latest and city_latest
    text = _rendered_page(tmp_path)

    storm_missed = any(
        run["ours"]["storm_ms"] > report.STORM_RATIO_MAX * run["ref"]["storm_ms"]
        for run in latest["runs"]
    )
    storm = next(line for line in text.splitlines() if line.startswith("| reconnect storm, ours ÷"))
    assert (
        storm.rstrip(" |")
        .rsplit("|", 1)[1]
        .strip()
        .startswith("**missed**" if storm_missed else "met")
    )
    # Each city figure over its target, and each read under its own, carries a ✗.
    misses = city.missed(city_latest)
    reads_missed = sum(
        not row["met"]
        for size in city_latest["sizes"].values()
        for row in (size.get("reads") or {}).get("rows", [])
    )
    section = text.split(city.START, 1)[1].split(city.END, 1)[0]
    assert section.count("✗") == len(misses) + reads_missed


def test_each_run_leaves_its_full_tables_in_the_history(tmp_path: Path) -> None:
    history = tmp_path / "history.md"
    latest, city_latest = _load("latest.json"), _load("city-latest.json")
    assert latest and city_latest

    append_history(report.render_full(latest, _load("previous.json")), history)
    append_history(city.render(city_latest, None), history)
    text = history.read_text(encoding="utf-8")

    assert text.startswith("# Benchmark history")
    assert text.index("Live screens at scale, run of") < text.index("Screens at city scale")
    # Per size and side, as the page no longer shows them.
    assert "| 10,000 | ours |" in text and "| 10,000 | reconnect storm" in text
    # The page's markers stay on the page: the history is never replaced into.
    assert "<!--" not in text
