"""Turn bench/results/*.json into the benchmark part of docs/benchmarks.md.

The generated part sits between <!-- bench:start --> and <!-- bench:end -->, so
other sections of the page (front-end weight) are kept. It is short: one table
of the latest figures, a column a size, beside the run before (previous.json
beside the results) and the targets; the words around it come from
bench/benchmarks.template.md, which is edited by hand: a re-run changes the
numbers, never the explanation. Every table of a run, per size and side
(render_full), goes onto the end of bench/results/history.md once, from
bench/run.py.

    python bench/report.py [results.json] [docs/benchmarks.md]

renders the page's section again from saved results, without touching the history.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
START = "<!-- bench:start -->"
END = "<!-- bench:end -->"

# Targets from issue #6.
FANOUT_RATIO_MAX = 1.0
FANOUT_AT = 10_000
IDLE_KB_MAX = 30.0
ONE_PROCESS_SCREENS = 10_000
STORM_RATIO_MAX = 1.5


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value / 1000:.2f} s" if value >= 10_000 else f"{value:.0f} ms"


def _bytes(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} B"


def _ratio(ours: float | None, ref: float | None) -> float | None:
    if ours is None or ref is None or ref == 0:
        return None
    return ours / ref


def _r(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def _over(ratio: float | None, limit: float) -> str:
    """How far a ratio is beyond its limit, in per cent of the limit: "1.0× over"
    would hide a 2 % miss."""
    return "" if ratio is None else f"{(ratio / limit - 1) * 100:.0f} % over"


def _verdict(ok: bool | None, miss: str = "") -> str:
    if ok is None:
        return "not measured"
    return "met" if ok else f"**missed**{' (' + miss + ')' if miss else ''}"


def _interval(
    ours: list[float], ref: list[float], rounds: int = 2000
) -> tuple[float, float] | None:
    """A 90 % interval for ours ÷ the reference, medians of each: each side's
    publishes drawn again with replacement, `rounds` times (a bootstrap). Single
    publishes vary by a third on every side, so one ratio of medians can land
    either side of a target that the next run's lands on the other. Seeded: the
    same results render the same page."""
    if len(ours) < 3 or len(ref) < 3:
        return None
    draw = random.Random(6)
    ratios = sorted(
        statistics.median(draw.choices(ours, k=len(ours)))
        / statistics.median(draw.choices(ref, k=len(ref)))
        for _ in range(rounds)
    )
    return ratios[int(rounds * 0.05)], ratios[int(rounds * 0.95) - 1]


def _fanout_verdict(ratio: float | None, interval: tuple[float, float] | None) -> str:
    """Met or missed only when the whole interval says so."""
    if ratio is None:
        return _verdict(None)
    low, high = interval or (ratio, ratio)
    if high <= FANOUT_RATIO_MAX:
        return _verdict(True)
    if low > FANOUT_RATIO_MAX:
        return _verdict(False, _over(ratio, FANOUT_RATIO_MAX))
    return f"**not shown** (the interval spans {FANOUT_RATIO_MAX:.1f}×)"


def _block_by_block(n: int, ours: list[float] | None, ref: list[float] | None) -> list[str]:
    """Each publish of ours ÷ the reference's publish of the same number in the
    same turn of blocks: the two were a minute or two apart, so what slowed the
    machine for a few minutes slowed both."""
    if not ours or not ref or len(ours) != len(ref):
        return []
    ratios = sorted(o / r for o, r in zip(ours, ref, strict=True))
    middle = statistics.median(ratios)
    return [
        f"| {n:,} | publish → last screen, each of ours ÷ the reference's in the same turn,"
        f" median of {len(ratios)} | | | {_r(middle)} ({_r(ratios[0])}–{_r(ratios[-1])}) | | |"
    ]


SIDE_NAMES = {"ours": "ours", "floor": "Python floor", "ref": "reference"}


def _side(run: dict[str, Any], name: str) -> dict[str, Any]:
    return run.get(name) or {}


def size_table(results: dict[str, Any]) -> str:
    lines = [
        "| screens | metric | ours | reference | ours ÷ reference | target | result |",
        "|---:|---|---:|---:|---:|---|---|",
    ]
    for run in results["runs"]:
        n = run["n"]
        ours, ref = _side(run, "ours"), _side(run, "ref")
        if ours.get("error") or ref.get("error"):
            for name, side in (("ours", ours), ("reference", ref)):
                if side.get("error"):
                    error = " ".join(str(side["error"]).split()).replace("|", "/")[:160]
                    lines.append(f"| {n:,} | run failed ({name}) | {error} | | | | |")
        pub_o, pub_r = ours.get("publish_median_ms"), ref.get("publish_median_ms")
        ratio = _ratio(pub_o, pub_r)
        interval = _interval(ours.get("publish_ms") or [], ref.get("publish_ms") or [])
        shown = (
            _r(ratio) if interval is None else f"{_r(ratio)} ({interval[0]:.2f}–{_r(interval[1])})"
        )
        if n == FANOUT_AT:
            target = f"≤ {FANOUT_RATIO_MAX:.1f}×"
            verdict = _fanout_verdict(ratio, interval)
        else:
            target, verdict = "(at 10,000)", ""
        spread_o = ours.get("publish_ms") or []
        spread = f" ({_ms(min(spread_o))}–{_ms(max(spread_o))})" if spread_o else ""
        lines.append(
            f"| {n:,} | publish → last screen, median of {results['reps']}"
            f" | {_ms(pub_o)}{spread} | {_ms(pub_r)} | {shown} | {target} | {verdict} |"
        )
        if results.get("blocks"):
            lines += _block_by_block(n, ours.get("publish_ms"), ref.get("publish_ms"))
        first_o, first_r = ours.get("publish_first_median_ms"), ref.get("publish_first_median_ms")
        if first_o is not None or first_r is not None:
            lines.append(
                f"| {n:,} | publish → first screen, median (no target)"
                f" | {_ms(first_o)} | {_ms(first_r)} | {_r(_ratio(first_o, first_r))} | | |"
            )
        bytes_o, bytes_r = ours.get("change_bytes"), ref.get("change_bytes")
        if bytes_o is not None or bytes_r is not None:
            lines.append(
                f"| {n:,} | size of a published change as sent, JSON (no target)"
                f" | {_bytes(bytes_o)} | {_bytes(bytes_r)} | {_r(_ratio(bytes_o, bytes_r))} | | |"
            )
        kb_o, kb_r = ours.get("idle_kb_per_screen"), ref.get("idle_kb_per_screen")
        ok = None if kb_o is None else kb_o <= IDLE_KB_MAX
        miss = "" if kb_o is None else f"{kb_o - IDLE_KB_MAX:.0f} KB over"
        lines.append(
            f"| {n:,} | idle memory per screen (RSS growth ÷ N)"
            f" | {'—' if kb_o is None else f'{kb_o:.1f} KB'}"
            f" | {'—' if kb_r is None else f'{kb_r:.1f} KB'} | {_r(_ratio(kb_o, kb_r))}"
            f" | ≤ {IDLE_KB_MAX:.0f} KB | {_verdict(ok, miss)} |"
        )
        st_o, st_r = ours.get("storm_ms"), ref.get("storm_ms")
        ratio = _ratio(st_o, st_r)
        ok = None if ratio is None else ratio <= STORM_RATIO_MAX
        miss = _over(ratio, STORM_RATIO_MAX)
        lines.append(
            f"| {n:,} | reconnect storm: all drop, {results.get('missed', 3)} changes published,"
            f" all back and current | {_ms(st_o)} | {_ms(st_r)} | {_r(ratio)}"
            f" | ≤ {STORM_RATIO_MAX}× | {_verdict(ok, miss)} |"
        )
        c_o, c_r = ours.get("connect_ms"), ref.get("connect_ms")
        lines.append(
            f"| {n:,} | first connect + sync of all, 200 at a time (no target)"
            f" | {_ms(c_o)} | {_ms(c_r)} | {_r(_ratio(c_o, c_r))} | | |"
        )
        if n == ONE_PROCESS_SCREENS:
            held = ours.get("publish_median_ms") is not None
            lines.append(
                f"| {n:,} | screens held by one process | {n:,} connected"
                f" | {n:,} | | {ONE_PROCESS_SCREENS:,} | {_verdict(held)} |"
                if held
                else f"| {n:,} | screens held by one process | failed | | | "
                f"{ONE_PROCESS_SCREENS:,} | {_verdict(False)} |"
            )
    return "\n".join(lines)


FLOOR_FIGURES = (
    ("publish → last screen, median", "publish_median_ms", _ms),
    ("publish → first screen, median", "publish_first_median_ms", _ms),
    ("idle memory per screen", "idle_kb_per_screen", lambda kb: f"{kb:.1f} KB"),
    ("reconnect storm", "storm_ms", _ms),
    ("first connect + sync of all", "connect_ms", _ms),
)


def floor_table(results: dict[str, Any]) -> str:
    """Each figure of the Python floor (bench/floor_server.py) beside ours and the
    reference: how much of a gap the packages make before any of our code runs."""
    if not any(run.get("floor") for run in results["runs"]):
        return "_The Python floor was not measured in this run._"
    lines = [
        "| screens | figure | ours | Python floor | reference | floor ÷ reference | ours ÷ floor |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for run in results["runs"]:
        floor = _side(run, "floor")
        if floor.get("error"):
            error = " ".join(str(floor["error"]).split()).replace("|", "/")[:160]
            lines.append(f"| {run['n']:,} | run failed (floor) | | {error} | | | |")
            continue
        for name, figure, show in FLOOR_FIGURES:
            values = [_side(run, side).get(figure) for side in ("ours", "floor", "ref")]
            ours, low, ref = values
            shown = ["—" if value is None else show(value) for value in values]
            lines.append(
                f"| {run['n']:,} | {name} | {' | '.join(shown)}"
                f" | {_r(_ratio(low, ref))} | {_r(_ratio(ours, low))} |"
            )
    return "\n".join(lines)


def protocol_table(results: dict[str, Any]) -> str:
    lines = [
        "| screens | side | changes applied | duplicates ignored | gaps → sync | syncs"
        " | sync errors | connect errors | refused as unknown_screen | ack errors"
        " | staff requests failed |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in results["runs"]:
        for name in ("ours", "floor", "ref"):
            if name not in run:
                continue
            st = _side(run, name).get("stats") or {}
            lines.append(
                f"| {run['n']:,} | {SIDE_NAMES[name]}"
                f" | {st.get('applied', '—')} | {st.get('duplicates', '—')} | {st.get('gaps', '—')}"
                f" | {st.get('syncs', '—')} | {st.get('syncErrors', '—')}"
                f" | {st.get('connectErrors', '—')} | {st.get('refused', '—')}"
                f" | {st.get('ackErrors', '—')} | {st.get('staffErrors', '—')} |"
            )
    lines += [
        "",
        "Our server's log for each size (gunicorn killing a stuck worker, database pool"
        " waits over 30 s, connects refused after an error, failed events and requests):",
        "",
        "| screens | worker timeouts (killed) | pool timeouts | connects failed"
        " | events failed | staff/HTTP requests failed |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for run in results["runs"]:
        log = run.get("ours_log") or {}
        lines.append(
            f"| {run['n']:,} | {log.get('worker_timeouts', '—')} | {log.get('pool_timeouts', '—')}"
            f" | {log.get('connects_failed', '—')} | {log.get('events_failed', '—')}"
            f" | {log.get('requests_failed', '—')} |"
        )
    return "\n".join(lines)


def feed_table(results: dict[str, Any]) -> str:
    feed = results.get("feed")
    if not feed:
        return "_The feed was not measured in this run._"
    ours, ref = feed["ours"], feed["ref"]
    lines = [
        "| request | ours | reference | ours ÷ reference |",
        "|---|---:|---:|---:|",
    ]
    for key, label in (
        ("full", "GET feed, no ETag (200)"),
        ("etag", "GET feed, matching ETag (304)"),
    ):
        o, r = ours[key]["rps"], ref[key]["rps"]
        lines.append(f"| {label} | {o:,.0f} req/s | {r:,.0f} req/s | {_r(_ratio(o, r))} |")
    lines.append(f"| body size (uncompressed) | {ours['bytes']:,} B | {ref['bytes']:,} B | |")
    return "\n".join(lines)


def machine_line(results: dict[str, Any]) -> str:
    m = results["machine"]
    load = ", ".join(f"{x:.2f}" for x in m.get("loadavg_start", []))
    load_end = ", ".join(f"{x:.2f}" for x in m.get("loadavg_end", []))
    return (
        f"Run on {results['date']} — {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM,"
        f" Linux {m['kernel']}, Python {m['python']}, Node {m['node']}."
        f" Load average at start {load}; at end {load_end}."
    )


def _pair(run: dict[str, Any], figure: str, show: Any) -> str:
    ours, ref = _side(run, "ours").get(figure), _side(run, "ref").get(figure)
    if ours is None:
        return f"ours failed vs {show(ref)}" if ref is not None else "—"
    return f"{show(ours)} vs {show(ref)} ({_r(_ratio(ours, ref))})"


REPEATED = (
    ("publish → last screen", "publish_median_ms", _ms),
    ("idle memory per screen", "idle_kb_per_screen", lambda kb: f"{kb:.1f} KB"),
    ("reconnect storm", "storm_ms", _ms),
)


def repeatability(results: dict[str, Any], previous: dict[str, Any] | None) -> str:
    """This run's ratios beside the run before it, so a reader sees whether they hold."""
    title = "### Repeatability: this run and the one before it"
    if not previous:
        return f"{title}\n\nNo earlier run (bench/results/previous.json) to compare with."
    before = {run["n"]: run for run in previous.get("runs", [])}
    lines = [
        title,
        "",
        f"Ours vs the reference in the run of {previous.get('date', '?')} (kept in "
        f"bench/results/previous.json) and in this one of {results['date']}.",
        "",
        "| screens | figure | run before | this run |",
        "|---:|---|---|---|",
    ]
    for run in results["runs"]:
        earlier = before.get(run["n"], {})
        for name, figure, show in REPEATED:
            lines.append(
                f"| {run['n']:,} | {name} | {_pair(earlier, figure, show)} "
                f"| {_pair(run, figure, show)} |"
            )
    return "\n".join(lines)


def _cells(results: dict[str, Any], show: Any) -> list[str]:
    return [show(run) for run in results["runs"]]


def _both(figure: str, unit: Any) -> Any:
    """A cell of ours / the reference for one run."""

    def show(run: dict[str, Any]) -> str:
        ours, ref = _side(run, "ours").get(figure), _side(run, "ref").get(figure)
        return f"{unit(ours)} / {unit(ref)}" if ours is not None or ref is not None else "—"

    return show


def _over_of(figure: str, low: str, high: str) -> Any:
    def show(run: dict[str, Any]) -> str:
        return _r(_ratio(_side(run, low).get(figure), _side(run, high).get(figure)))

    return show


def _publish_ratio(run: dict[str, Any]) -> str:
    ours, ref = _side(run, "ours"), _side(run, "ref")
    ratio = _ratio(ours.get("publish_median_ms"), ref.get("publish_median_ms"))
    interval = _interval(ours.get("publish_ms") or [], ref.get("publish_ms") or [])
    if interval is None:
        return _r(ratio)
    return f"{_r(ratio)} ({interval[0]:.2f}–{_r(interval[1])})"


def _kb(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} KB"


def _fanout_result(results: dict[str, Any]) -> str:
    for run in results["runs"]:
        if run["n"] == FANOUT_AT:
            ours, ref = _side(run, "ours"), _side(run, "ref")
            ratio = _ratio(ours.get("publish_median_ms"), ref.get("publish_median_ms"))
            interval = _interval(ours.get("publish_ms") or [], ref.get("publish_ms") or [])
            return _fanout_verdict(ratio, interval)
    return _verdict(None)


def _each_size(results: dict[str, Any], judge: Any) -> str:
    """One verdict for every size: met, or missed with by how much at each size missed."""
    misses = []
    for run in results["runs"]:
        ok, miss = judge(run)
        if ok is None:
            return _verdict(None)
        if not ok:
            misses.append(f"{miss} at {run['n']:,}")
    return _verdict(not misses, "; ".join(misses))


def _idle_judge(run: dict[str, Any]) -> tuple[bool | None, str]:
    kb = _side(run, "ours").get("idle_kb_per_screen")
    return (None, "") if kb is None else (kb <= IDLE_KB_MAX, f"{kb - IDLE_KB_MAX:.0f} KB over")


def _storm_judge(run: dict[str, Any]) -> tuple[bool | None, str]:
    ratio = _ratio(_side(run, "ours").get("storm_ms"), _side(run, "ref").get("storm_ms"))
    return (
        (None, "") if ratio is None else (ratio <= STORM_RATIO_MAX, _over(ratio, STORM_RATIO_MAX))
    )


# The protocol's counts that must stay 0 on every side, and the log's for ours.
FAULTS = ("duplicates", "syncErrors", "connectErrors", "refused", "ackErrors", "staffErrors")
LOG_FAULTS = ("worker_timeouts", "pool_timeouts", "connects_failed", "events_failed")


def _faults(run: dict[str, Any]) -> int:
    count = sum(
        int(((run.get(side) or {}).get("stats") or {}).get(key) or 0)
        for side in SIDE_NAMES
        for key in FAULTS
    )
    return count + sum(int((run.get("ours_log") or {}).get(key) or 0) for key in LOG_FAULTS)


def summary_table(results: dict[str, Any], previous: dict[str, Any] | None) -> str:
    """The latest figures, one column a size, beside the run before at the largest
    size, each with its target and verdict: what a reader of the page compares."""
    largest = results["runs"][-1]["n"]
    before = next((r for r in (previous or {}).get("runs", []) if r["n"] == largest), None)
    held = any(
        r["n"] == ONE_PROCESS_SCREENS and _side(r, "ours").get("publish_median_ms") is not None
        for r in results["runs"]
    )
    rows: list[tuple[str, Any, str, str]] = [
        (
            f"publish → last screen, ours ÷ reference, median of {results['reps']} (90 % interval)",
            _publish_ratio,
            f"≤ {FANOUT_RATIO_MAX:.1f}× at {FANOUT_AT:,}",
            _fanout_result(results),
        ),
        ("publish → last screen, ours / reference", _both("publish_median_ms", _ms), "", ""),
        ("publish → first screen, ours / reference", _both("publish_first_median_ms", _ms), "", ""),
        (
            "idle memory per screen, ours / reference",
            _both("idle_kb_per_screen", _kb),
            f"≤ {IDLE_KB_MAX:.0f} KB",
            _each_size(results, _idle_judge),
        ),
        (
            "reconnect storm, ours ÷ reference",
            _over_of("storm_ms", "ours", "ref"),
            f"≤ {STORM_RATIO_MAX}×",
            _each_size(results, _storm_judge),
        ),
        ("reconnect storm, ours / reference", _both("storm_ms", _ms), "", ""),
        ("first connect + sync of all, ours / reference", _both("connect_ms", _ms), "", ""),
        ("Python floor ÷ reference, storm", _over_of("storm_ms", "floor", "ref"), "", ""),
        ("ours ÷ Python floor, storm", _over_of("storm_ms", "ours", "floor"), "", ""),
        ("ours ÷ Python floor, publish", _over_of("publish_median_ms", "ours", "floor"), "", ""),
        (
            "changes twice, errors, refusals, timeouts (all sides)",
            lambda run: f"{_faults(run):,}",
            "0",
            _verdict(all(_faults(run) == 0 for run in results["runs"])),
        ),
    ]
    head = " | ".join(f"{run['n']:,}" for run in results["runs"])
    lines = [
        f"| screens → | {head} | run before, {largest:,} | target | result |",
        "|---|" + "---:|" * (len(results["runs"]) + 1) + "---|---|",
    ]
    for label, show, target, verdict in rows:
        cells = " | ".join(_cells(results, show))
        earlier = show(before) if before else "—"
        lines.append(f"| {label} | {cells} | {earlier} | {target} | {verdict} |")
    blanks = " | ".join("" for _ in results["runs"][:-1])
    lines.append(
        f"| screens held by one process | {blanks} | {largest:,} | | {ONE_PROCESS_SCREENS:,}"
        f" | {_verdict(held)} |"
    )
    return "\n".join(lines)


def render(results: dict[str, Any], template: str, previous: dict[str, Any] | None = None) -> str:
    """The page's section: the short template filled with the latest figures."""
    return (
        template.replace("{{machine}}", machine_line(results))
        .replace("{{sizes}}", ", ".join(f"{n:,}" for n in results["sizes"]))
        .replace("{{summary}}", summary_table(results, previous))
        .replace("{{feed}}", feed_table(results))
        .replace("{{reps}}", str(results["reps"]))
        .replace("{{previous}}", (previous or {}).get("date", "none kept"))
    )


def render_full(results: dict[str, Any], previous: dict[str, Any] | None = None) -> str:
    """Every table of a run, for bench/results/history.md."""
    return "\n\n".join(
        [
            f"## Live screens at scale, run of {results['date']}",
            machine_line(results),
            size_table(results),
            "### The Python floor",
            floor_table(results),
            "### Feed endpoint",
            feed_table(results),
            "### Protocol checks in the same run",
            protocol_table(results),
            repeatability(results, previous),
        ]
    )


def merge(page: str, section: str) -> str:
    block = f"{START}\n{section.strip()}\n{END}"
    if START in page and END in page:
        head, rest = page.split(START, 1)
        tail = rest.split(END, 1)[1]
        return head + block + tail
    if not page.strip():
        page = "# Benchmarks\n\n"
    return page.rstrip() + "\n\n" + block + "\n"


def write(results: dict[str, Any], out: Path, previous: dict[str, Any] | None = None) -> None:
    """The page's section from the template; the history is appended to separately
    (append_history), once per run, so rendering the page again adds nothing there."""
    template = (BENCH / "benchmarks.template.md").read_text()
    page = out.read_text() if out.exists() else ""
    out.write_text(merge(page, render(results, template, previous)))


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else BENCH / "results" / "latest.json"
    dst = Path(sys.argv[2]) if len(sys.argv) > 2 else BENCH.parent / "docs" / "benchmarks.md"
    earlier = src.with_name("previous.json")
    before = json.loads(earlier.read_text()) if earlier.exists() else None
    write(json.loads(src.read_text()), dst, before)
