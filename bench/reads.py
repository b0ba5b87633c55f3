"""The public reads of screens and phones against the Python floor, with wrk.

Each read (the home screen, a feed page, a list page, a search, one listing, the
phone page, the TV and kiosk shells) is fetched once from a running server, and
its bytes, type, ETag and Cache-Control are handed to bench/floor_reads.py: a
minimal Flask app started here under the same gunicorn config and worker class
as ours (bench/run.py gunicorn_cmd). Then `wrk -t2 -c32` runs against each read
on ours and on the floor, with and without the matching If-None-Match, the two
sides taking turns (the machine may be shared), and the ratio ours/floor is
compared with the issue's targets: half the floor for an answer, three quarters
for a 304 (issue #21, "Requests that cost what Flask allows").

    python bench/reads.py --url http://127.0.0.1:5000 --community 4 --listing 17

`measure()` works against any running server; it starts and stops only the floor.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import socket
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on the path, the project is not
    sys.path.insert(0, str(ROOT))

from bench.run import Proc, cpu_ticks, ensure_wrk, gunicorn_cmd, wrk  # noqa: E402

# What a read must reach, as a fraction of the floor's requests per second.
TARGET_ANSWER = 0.5
TARGET_NOT_MODIFIED = 0.75


@dataclass(frozen=True)
class Read:
    name: str
    path: str


def reads(community_id: int, listing_id: int) -> list[Read]:
    """What the screens and phones ask for, as they ask for it."""
    feed = f"/api/feed?community_id={community_id}"
    return [
        Read("home", f"/api/home?community_id={community_id}"),
        Read("feed", feed),
        # The screens step to the next page after the last card shown (held.Pages).
        Read("list page", f"{feed}&kind=job&after={listing_id}"),
        Read("search", f"{feed}&q=25"),
        Read("listing", f"/api/listings/{listing_id}"),
        Read("phone page", f"/l/{listing_id}"),
        Read("TV shell", "/tv/"),
        Read("kiosk shell", "/kiosk/"),
    ]


def capture(base_url: str, read: Read) -> dict[str, Any]:
    """The read as wrk gets it (no Accept-Encoding: the bytes themselves), and a
    check that a matching If-None-Match is answered 304."""
    plain = {"Accept-Encoding": "identity"}
    reply = requests.get(base_url + read.path, headers=plain, timeout=60)
    reply.raise_for_status()
    etag = reply.headers.get("ETag")
    if etag is not None:
        again = requests.get(base_url + read.path, headers={**plain, "If-None-Match": etag},
                             timeout=60)  # fmt: skip
        if again.status_code != 304:
            raise RuntimeError(f"{read.name}: a matching ETag got {again.status_code}, not 304")
    return {
        "path": read.path,
        "status": reply.status_code,
        "content_type": reply.headers.get("Content-Type"),
        "etag": etag,
        "cache_control": reply.headers.get("Cache-Control"),
        "body": base64.b64encode(reply.content).decode("ascii"),
        "bytes": len(reply.content),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_floor(captured: list[dict[str, Any]], work: Path) -> tuple[Proc, str]:
    reads_file = work / "reads.json"
    reads_file.write_text(json.dumps(captured), encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "READS_FILE": str(reads_file), "PORT": str(port)}
    floor = Proc("floor", gunicorn_cmd(1, port, "bench.floor_reads:app"), env, work / "floor.log")
    url = f"http://127.0.0.1:{port}"
    floor.wait_http(f"{url}/health")
    return floor, url


def listening_pids(url: str) -> list[int]:
    """The processes on this machine holding the socket `url` listens on (a gunicorn
    master and its worker), so their CPU time can be read; [] when it is elsewhere."""
    parsed = urlsplit(url)
    if parsed.hostname not in ("127.0.0.1", "localhost", "::1") or parsed.port is None:
        return []
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == parsed.port:
                inodes.add(f"socket:[{fields[9]}]")
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (entry / "fd").iterdir()):
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def _run(url: str, etag: str | None, seconds: int, pids: list[int]) -> dict[str, Any]:
    """One wrk run, and the CPU time the server's processes spent per request: a figure
    that other work on a shared machine disturbs far less than requests per second."""
    before = sum(cpu_ticks(pid) for pid in pids)
    result = wrk(url, etag, seconds)
    ticks = sum(cpu_ticks(pid) for pid in pids) - before
    requests_made = result["rps"] * seconds
    cpu_us = ticks / os.sysconf("SC_CLK_TCK") / requests_made * 1e6 if pids and requests_made else 0
    return {**result, "cpu_us": cpu_us}


def _turns(
    ours: str, floor: str, etag: str | None, seconds: int, rounds: int, pids: dict[str, list[int]]
) -> dict[str, Any]:
    """Both sides, taking turns (the first side changes each round); the median of each."""
    got: dict[str, list[dict[str, Any]]] = {"ours": [], "floor": []}
    for number in range(rounds):
        sides = [("ours", ours), ("floor", floor)]
        for side, url in sides if number % 2 == 0 else sides[::-1]:
            got[side].append(_run(url, etag, seconds, pids[side]))

    def median(side: str, key: str) -> float:
        return statistics.median(run[key] for run in got[side])

    ours_rps, floor_rps = median("ours", "rps"), median("floor", "rps")
    ours_cpu, floor_cpu = median("ours", "cpu_us"), median("floor", "cpu_us")
    return {
        "ours": round(ours_rps, 1),
        "floor": round(floor_rps, 1),
        "ratio": round(ours_rps / floor_rps, 3) if floor_rps else 0.0,
        # Floor's CPU per request over ours: the same ratio, measured in CPU time.
        "ours_cpu_us": round(ours_cpu),
        "floor_cpu_us": round(floor_cpu),
        "cpu_ratio": round(floor_cpu / ours_cpu, 3) if ours_cpu else None,
        "errors": sum(run["errors"] for run in got["ours"]),
    }


def _still_current(url: str, etag: str) -> bool:
    """Whether `etag` still gets a 304: the apps' pages change with their files, which
    may be edited while the benchmark runs."""
    again = requests.get(url, headers={"Accept-Encoding": "identity", "If-None-Match": etag},
                         timeout=60)  # fmt: skip
    return again.status_code == 304


def _no_etag(read: Read) -> dict[str, Any]:
    return {"read": read.name, "path": read.path, "status": 304, "bytes": 0, "ours": 0.0,
            "floor": 0.0, "ratio": 0.0, "ours_cpu_us": 0, "floor_cpu_us": 0, "cpu_ratio": None,
            "errors": 0, "target": TARGET_NOT_MODIFIED, "met": False,
            "note": "no ETag"}  # fmt: skip


def measure(
    base_url: str, community_id: int, listing_id: int, seconds: int, *, rounds: int = 1
) -> dict[str, Any]:
    """Requests per second of each read on the server at `base_url` and on the floor,
    with and without a matching ETag, and their ratio against the target."""
    ensure_wrk()
    base_url = base_url.rstrip("/")
    wanted = reads(community_id, listing_id)
    captured = [capture(base_url, read) for read in wanted]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="jxj-reads-") as work:
        floor, floor_url = start_floor(captured, Path(work))
        pids = {"ours": listening_pids(base_url), "floor": listening_pids(floor_url)}
        try:
            for read, shot in zip(wanted, captured, strict=True):
                for etag, target in ((None, TARGET_ANSWER), (shot["etag"], TARGET_NOT_MODIFIED)):
                    if target == TARGET_NOT_MODIFIED and etag is None:
                        rows.append(_no_etag(read))  # nothing to revalidate with: not met
                        continue
                    turns = _turns(base_url + read.path, floor_url + read.path, etag,
                                   seconds, rounds, pids)  # fmt: skip
                    if etag is not None and not _still_current(base_url + read.path, etag):
                        # wrk counts a 200 as a success: the runs measured full answers.
                        turns["note"] = "the ETag changed during the run"
                    rows.append({
                        "read": read.name,
                        "path": read.path,
                        "status": 304 if etag else shot["status"],
                        "bytes": 0 if etag else shot["bytes"],
                        **turns,
                        "target": target,
                        "met": turns["ratio"] >= target and not turns.get("note"),
                    })  # fmt: skip
        finally:
            floor.stop()
    return {"seconds": seconds, "rounds": rounds, "rows": rows}


def markdown(result: dict[str, Any]) -> str:
    """One line per read and answer: ours, the floor, the ratio and the target."""
    lines = [
        "| read | answer | ours req/s | floor req/s | ratio | target"
        " | CPU µs/req ours, floor: ratio |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        answer = "304" if row["status"] == 304 else f"{row['status']}, {row['bytes']:,} B"
        if row.get("note"):
            answer += f" ({row['note']})"
        mark = "" if row["met"] else " ✗"
        lines.append(
            f"| {row['read']} | {answer} | {row['ours']:,.0f} | {row['floor']:,.0f}"
            f" | {row['ratio']:.2f}×{mark} | {row['target']:.2f}× | {_cpu(row)} |"
        )
    return "\n".join(lines) + "\n"


def _cpu(row: dict[str, Any]) -> str:
    if not row.get("cpu_ratio"):
        return "–"  # a server on another machine, or no requests
    return f"{row['ours_cpu_us']:,}, {row['floor_cpu_us']:,}: {row['cpu_ratio']:.2f}×"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="a running server, e.g. http://127.0.0.1:5000")
    parser.add_argument("--community", type=int, required=True, help="a community's id")
    parser.add_argument("--listing", type=int, required=True, help="a published listing's id")
    parser.add_argument("--seconds", type=int, default=5, help="each wrk run")
    parser.add_argument("--rounds", type=int, default=1, help="turns per side, median kept")
    parser.add_argument("--json", help="also write the result here")
    args = parser.parse_args()
    result = measure(args.url, args.community, args.listing, args.seconds, rounds=args.rounds)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(markdown(result), end="")


if __name__ == "__main__":
    main()
