"""`make bench`: our server and the reference Socket.IO server, side by side, same harness.

For each size it starts the servers fresh; the sides then take turns in blocks,
each a bench/harness.js process with N screens on one server (idle memory per
screen, publish → last screen, and in the last block the reconnect storm). Then
wrk on each feed endpoint with and without a matching ETag. It writes
bench/results/latest.json, docs/benchmarks.md (bench/report.py) and, every table of
the run, the end of bench/results/history.md.

Ours runs as production does: gunicorn with the gevent WebSocket worker, one
process, on a fresh PostgreSQL database `jxj_bench` on the machine's server.
Screens are created directly in the database (one row and one token each, as
POST /api/screens makes them, without its audit line): registering 10,000 TVs
through the API would take minutes and measure registration, not fan-out.

A third server, the Python floor (bench/floor_server.py), is the reference again
on the packages ours is built on (Flask-SocketIO under the same gunicorn worker),
with everything in memory: what those cost before any of our code runs.

Only loopback addresses are used; every loop is bounded and every process the
run starts is stopped by its own id at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import queue
import re
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = os.environ.get("BENCH_DB", "jxj_bench")
DB_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB_NAME}"
OURS_PORT = int(os.environ.get("BENCH_OURS_PORT", "5100"))
REF_PORT = int(os.environ.get("BENCH_REF_PORT", "5101"))
FLOOR_PORT = int(os.environ.get("BENCH_FLOOR_PORT", "5102"))
PASSWORD = "bench-" + secrets.token_urlsafe(12)
COMMUNITY = "九曲河社区"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))
    log(f"open files limit {resource.getrlimit(resource.RLIMIT_NOFILE)[0]}")


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk (Debian package)")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-q"], check=False)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
        return shutil.which("wrk") or "wrk"
    raise SystemExit("wrk is missing: apt-get install wrk")


def env_for_ours(instance: Path, db_url: str = DB_URL) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"MESSAGE_QUEUE_URL"}}
    env.update(
        DATABASE_URL=db_url,
        INSTANCE_PATH=str(instance),
        SECRET_KEY="bench-secret-" + "x" * 32,
        MESSAGE_QUEUE_URL="",
        LOGIN_RATE_LIMIT="",
    )
    return env


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "kiosk_server", *args],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def fresh_database(env: dict[str, str], screens: int, work: Path) -> dict[str, Any]:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    flask(env, "db", "upgrade")
    flask(env, "demo", "load")
    flask(env, "create-admin", "--username", "bench", "--password", PASSWORD)
    url = DB_URL.replace("+psycopg", "")
    tokens = [secrets.token_urlsafe(32) for _ in range(screens)]
    with psycopg.connect(url) as conn:
        community = conn.execute(
            "SELECT id FROM places WHERE name = %s AND level = 'community'", (COMMUNITY,)
        ).fetchone()[0]
        now = datetime.now(UTC)
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY screens (kind, community_id, label, token_hash, app_version, created_at,"
                " cursors, last_seq) FROM STDIN"
            ) as copy,
        ):
            for token in tokens:
                copy.write_row(
                    (
                        "tv",
                        community,
                        "",
                        hashlib.sha256(token.encode()).hexdigest(),
                        "bench",
                        now,
                        "{}",
                        0,
                    )
                )
    (work / "tokens.txt").write_text("\n".join(tokens) + "\n")
    feed = requests.Session()
    return {"community_id": community, "tokens": work / "tokens.txt", "feed": feed, "work": work}


def listing_body(target_id: int) -> dict[str, Any]:
    until = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    return {
        "kind": "job",
        "title": "手工花组装（计件）",
        "summary": "在家门口就能做",
        "body": "详细说明。" * 20,
        "contact": {"name": "何老师", "phone": "0532-86880000"},
        "target_id": target_id,
        "valid_until": until,
        "job": {
            "employer": "贵和社区手工坊",
            "category": "piece_rate",
            "pay": {"min": 0.3, "unit": "piece", "piece": "朵花"},
            "work_hours": "8:30–11:00、13:30–15:30",
            "flexible": True,
            "openings": 10,
        },
    }


def listing_as_screens_get_it(base_url: str, target_id: int) -> dict[str, Any]:
    """The benchmark listing as our server renders it for screens (a change's
    `data`, the same as the public detail), published once through the admin API.

    The reference broadcasts this document too: the fan-out then compares the
    servers on the same bytes per screen, not our fuller document (1.3 KB, with
    display texts and place names) against the bare request body (0.9 KB)."""
    staff = requests.Session()
    csrf = staff.get(f"{base_url}/admin/api/session", timeout=30).json()["csrf_token"]
    login = {"username": "bench", "password": PASSWORD}
    reply = staff.post(f"{base_url}/admin/api/session", json=login, headers={"X-CSRFToken": csrf})
    headers = {"X-CSRFToken": reply.json()["csrf_token"]}
    draft = staff.post(
        f"{base_url}/admin/api/listings", json=listing_body(target_id), headers=headers
    )
    draft.raise_for_status()
    listing_id = draft.json()["id"]
    published = staff.post(
        f"{base_url}/admin/api/listings/{listing_id}/publish", json={}, headers=headers
    )
    published.raise_for_status()
    detail = requests.get(f"{base_url}/api/listings/{listing_id}", timeout=30)
    detail.raise_for_status()
    return detail.json()


class Proc:
    def __init__(self, name: str, cmd: list[str], env: dict[str, str], logfile: Path) -> None:
        self.name = name
        self.logfile = logfile
        self.popen = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=logfile.open("w"), stderr=subprocess.STDOUT
        )

    def wait_http(self, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.logfile.read_text()[-3000:]}")
            try:
                if requests.get(url, timeout=2).status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not start:\n{self.logfile.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)


def gunicorn_cmd(
    workers: int, port: int = OURS_PORT, app: str = "kiosk_server.wsgi:app"
) -> list[str]:
    cmd = [str(VENV_BIN / "gunicorn")]
    conf = ROOT / "deploy" / "gunicorn.conf.py"
    if conf.exists() and not os.environ.get("BENCH_NO_DEPLOY_CONF"):
        cmd += ["-c", str(conf)]
    else:
        cmd += ["-k", "gevent", "--worker-connections", "20000", "--backlog", "4096"]
    # Command-line options override the config file: one process on its own port.
    return [
        *cmd,
        "-w",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "/dev/null",
        app,
    ]


def worker_pid(master: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.2)
    raise RuntimeError("gunicorn started no worker")


class Harness:
    """One bench/harness.js process: N screens on one server, driven by commands
    on its stdin, answering one JSON line each on its stdout."""

    def __init__(self, target: str, url: str, pid: int, n: int, ctx: dict[str, Any]) -> None:
        cmd = [
            "node",
            str(BENCH / "harness.js"),
            "--target", target,
            "--url", url,
            "--pid", str(pid),
            "--n", str(n),
            "--tokens", str(ctx["tokens"]),
            "--listing", str(ctx["listing"]),
            "--scope", ",".join(str(s) for s in ctx["scope"]),
            "--password", PASSWORD,
            "--feed", ctx["feed_path"][target],
        ]  # fmt: skip
        self.name = f"harness {target} n={n}"
        self.errors = ctx["work"] / f"harness-{target}-{n}.log"
        self.stderr = self.errors.open("w")
        self.popen = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self.answers: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.popen.stdout:
            if line.startswith("{"):
                self.answers.put(json.loads(line))
        code = self.popen.wait()
        tail = self.errors.read_text(errors="replace")[-300:]
        self.answers.put({"event": "error", "error": f"exited with {code}: {tail}"})

    def answer(self, timeout: float) -> dict[str, Any]:
        try:
            event = self.answers.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"{self.name}: no answer in {timeout:.0f} s") from None
        if event["event"] == "error":
            raise RuntimeError(f"{self.name}: {event['error']}")
        return event

    def ask(self, command: str, timeout: float) -> dict[str, Any]:
        try:
            self.popen.stdin.write(command + "\n")
            self.popen.stdin.flush()
        except BrokenPipeError:
            pass  # it has exited, and its last answer says how
        return self.answer(timeout)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=10)
        self.stderr.close()


def cpu_ticks(pid: int) -> int:
    """CPU time a process has used, in clock ticks; 0 once it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def postgres_pids() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def wait_until_quiet(pids: list[int], busy_max: float = 0.2, longest: float = 15.0) -> None:
    """Until each server and each PostgreSQL process uses less than `busy_max`
    of a core: the work left from the step before (acks being stored,
    disconnects written) is done before the next step is timed."""
    per_second = os.sysconf("SC_CLK_TCK")
    window = 0.5
    deadline = time.monotonic() + longest
    while time.monotonic() < deadline:
        before = {pid: cpu_ticks(pid) for pid in [*pids, *postgres_pids()]}
        time.sleep(window)
        busiest = max((cpu_ticks(pid) - ticks for pid, ticks in before.items()), default=0)
        if busiest / per_second / window <= busy_max:
            return


# Each side's publishes are split into this many blocks, and the sides take turns.
BLOCKS = 3


def _failed(side: dict[str, Any], error: Exception) -> None:
    log(f"  {side['target']} failed: {error}")
    side["error"] = str(error)[:300]


def _run_block(side: dict[str, Any], harness: Harness, publishes: int, quiet: list[int], *,
               first: bool, last: bool) -> None:  # fmt: skip
    try:
        ready = harness.answer(1800)
        if first:
            side.update({k: v for k, v in ready.items() if k != "event"})
        # Not timed: the first publish through a fresh harness runs its code (and
        # the reference's, in Node) before the JIT has compiled it.
        harness.ask("publish", 300)
        times = []
        for _ in range(publishes):
            wait_until_quiet(quiet)
            got = harness.ask("publish", 300)
            side["publish_ms"].append(got["ms"])
            side["publish_first_ms"].append(got["first_ms"])
            side["change_bytes"] = got["change_bytes"]
            times.append(f"{got['ms']:.0f}")
        connect_s, kb = ready["connect_ms"] / 1000, ready["idle_kb_per_screen"]
        log(f"  {side['target']}: connected in {connect_s:.1f} s, {kb:.1f} KB each;"
            f" publishes {', '.join(times)} ms")  # fmt: skip
        if last:
            wait_until_quiet(quiet)
            side["storm_ms"] = harness.ask("storm", 1800)["storm_ms"]
            log(f"  {side['target']}: storm {side['storm_ms'] / 1000:.1f} s")
        for key, value in harness.ask("finish", 60)["stats"].items():
            side.setdefault("stats", {})[key] = side.get("stats", {}).get(key, 0) + value
    finally:
        harness.stop()


def measure_size(
    n: int, servers: dict[str, tuple[str, int]], ctx: dict[str, Any], reps: int
) -> dict[str, dict[str, Any]]:
    """Every side at one size. The sides take turns in blocks: a block is one
    harness process with N screens on one server, a third of that side's
    publishes, and in the last block its storm. Only one server has screens at a
    time, as when each is measured alone, while a slow minute of the machine
    falls on a block of each side rather than on all of one side's figures.
    Idle memory and the first connect are taken in the first block, when every
    server is fresh."""
    sides = {t: {"target": t, "n": n, "publish_ms": [], "publish_first_ms": []} for t in servers}
    quiet = [pid for _url, pid in servers.values()]
    names = list(servers)
    for block in range(BLOCKS):
        publishes = reps // BLOCKS + (1 if block < reps % BLOCKS else 0)
        for target in names[block % len(names) :] + names[: block % len(names)]:
            if "error" in sides[target]:
                continue
            url, pid = servers[target]
            wait_until_quiet(quiet)
            log(f"harness {target} n={n}, block {block + 1} of {BLOCKS}")
            try:
                _run_block(sides[target], Harness(target, url, pid, n, ctx), publishes, quiet,
                           first=block == 0, last=block == BLOCKS - 1)  # fmt: skip
            except (RuntimeError, KeyError) as error:
                _failed(sides[target], error)
    for side in sides.values():
        if side["publish_ms"]:
            side["publish_median_ms"] = statistics.median(side["publish_ms"])
            side["publish_first_median_ms"] = statistics.median(side["publish_first_ms"])
    return sides


def start_reference(env: dict[str, str], logfile: Path) -> Proc:
    ref = Proc("reference", ["node", str(BENCH / "reference-server.js")], env, logfile)
    ref.wait_http(f"http://127.0.0.1:{REF_PORT}/health")
    return ref


def wrk(url: str, etag: str | None, seconds: int) -> dict[str, Any]:
    cmd = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency"]
    if etag:
        cmd += ["-H", f"If-None-Match: {etag}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "errors": int(non2xx.group(1)) if non2xx else 0}


def feed_bench(ours_url: str, ref_url: str, seconds: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, url in (("ours", ours_url), ("ref", ref_url)):
        reply = requests.get(url, timeout=60)
        reply.raise_for_status()
        tag = reply.headers["ETag"]
        check = requests.get(url, headers={"If-None-Match": tag}, timeout=60)
        assert check.status_code == 304, (name, check.status_code)
        log(f"wrk {name} feed ({len(reply.content)} bytes), then with If-None-Match {tag}")
        result[name] = {
            "bytes": len(reply.content),
            "full": wrk(url, None, seconds),
            "etag": wrk(url, tag, seconds),
        }
    return result


def server_log_counts(logfile: Path) -> dict[str, int]:
    """What went wrong inside our server during one size, from its log."""
    text = logfile.read_text(errors="replace") if logfile.exists() else ""
    return {
        "worker_timeouts": text.count("WORKER TIMEOUT"),
        "pool_timeouts": text.count("QueuePool limit"),
        "connects_failed": text.count("screen connect failed"),
        "events_failed": text.count("socket event failed"),
        "requests_failed": text.count("unhandled error on"),
    }


def machine() -> dict[str, Any]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "node": node,
        "loadavg_start": os.getloadavg(),
    }


def run(args) -> dict[str, Any]:
    raise_open_files()
    ensure_wrk()
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(tempfile.mkdtemp(prefix="jxj-bench-"))
    instance = work / "instance"
    instance.mkdir()
    env = env_for_ours(instance)
    log(f"fresh database {DB_NAME}, {max(sizes)} screens")
    ctx = fresh_database(env, max(sizes), work)
    scope_reply = requests.Session()
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "sizes": sizes,
        "reps": args.reps,
        "blocks": BLOCKS,
        "runs": [],
    }
    for n in sizes:
        ours = Proc("gunicorn", gunicorn_cmd(1), env, work / f"ours-{n}.log")
        ref = floor = None
        try:
            ours.wait_http(f"http://127.0.0.1:{OURS_PORT}/api/places")
            # Before the feed is read, so both feeds hold the same listings.
            item_file = work / "item.json"
            if not item_file.exists():
                item = listing_as_screens_get_it(
                    f"http://127.0.0.1:{OURS_PORT}", ctx["community_id"]
                )
                item_file.write_text(json.dumps(item, ensure_ascii=False))
            feed_url = f"http://127.0.0.1:{OURS_PORT}/api/feed?community_id={ctx['community_id']}"
            feed = scope_reply.get(feed_url, timeout=60).json()
            ctx["scope"] = feed["scope"]
            ctx["feed_path"] = {
                "ours": f"/api/feed?community_id={ctx['community_id']}",
                "ref": "/feed",
                "floor": "/feed",
            }
            (work / "feed.json").write_text(json.dumps(feed, ensure_ascii=False))
            ctx["listing"] = work / "listing.json"
            ctx["listing"].write_text(json.dumps(listing_body(ctx["community_id"])))
            ref_env = {
                **os.environ,
                "PORT": str(REF_PORT),
                "FEED_FILE": str(work / "feed.json"),
                "ITEM_FILE": str(item_file),
                "SCOPE": ",".join(str(s) for s in feed["scope"]),
            }
            ref = start_reference(ref_env, work / f"ref-{n}.log")
            floor = Proc("floor", gunicorn_cmd(1, FLOOR_PORT, "bench.floor_server:app"),
                         ref_env, work / f"floor-{n}.log")  # fmt: skip
            floor.wait_http(f"http://127.0.0.1:{FLOOR_PORT}/health")
            time.sleep(2)
            servers = {
                "ref": (f"http://127.0.0.1:{REF_PORT}", ref.popen.pid),
                "floor": (f"http://127.0.0.1:{FLOOR_PORT}", worker_pid(floor.popen.pid)),
                "ours": (f"http://127.0.0.1:{OURS_PORT}", worker_pid(ours.popen.pid)),
            }
            run_n: dict[str, Any] = {"n": n, **measure_size(n, servers, ctx, args.reps)}
            run_n["ours_log"] = server_log_counts(work / f"ours-{n}.log")
            results["runs"].append(run_n)
            if n == sizes[0]:
                # After the screens of the first size have left (wrk first would grow
                # the reference's heap and hide the memory its screens take).
                time.sleep(5)
                # By now ours' first page holds this size's publishes; a reference
                # started on that very body serves as many bytes a request.
                ref.stop()
                (work / "feed-now.json").write_bytes(scope_reply.get(feed_url, timeout=60).content)
                ref = start_reference(
                    {**ref_env, "FEED_FILE": str(work / "feed-now.json")}, work / "ref-feed.log"
                )
                try:
                    results["feed"] = feed_bench(
                        feed_url, f"http://127.0.0.1:{REF_PORT}/feed", args.wrk_seconds
                    )
                except Exception as error:  # a failed step is reported, the run goes on
                    log(f"feed benchmark failed: {error}")
        finally:
            for started in (ref, floor):
                if started:
                    started.stop()
            ours.stop()
        time.sleep(2)
    results["machine"]["loadavg_end"] = os.getloadavg()
    return results


def _stop_on_term(*_: object) -> None:
    # SIGTERM (timeout, kill) unwinds like Ctrl-C, so the servers started are stopped.
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_term)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1000,5000,10000"))
    # Fifteen publishes per side and size: at 10,000 screens single publishes vary
    # by ±150 ms on every side, and medians of five swung from 1.08x to 1.55x
    # between two runs of the same code.
    parser.add_argument("--reps", type=int, default=int(os.environ.get("BENCH_REPS", "15")))
    parser.add_argument("--wrk-seconds", type=int, default=10)
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--json", default=str(BENCH / "results" / "latest.json"))
    args = parser.parse_args()
    results = run(args)
    latest = Path(args.json)
    latest.parent.mkdir(parents=True, exist_ok=True)
    # The run before is kept beside it: the page shows whether the ratios hold.
    previous = latest.with_name("previous.json")
    if latest.exists():
        latest.replace(previous)
    latest.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    log(f"results in {args.json}")
    sys.path.insert(0, str(BENCH))
    sys.path.insert(0, str(ROOT))
    import report

    from bench.doc import append_history

    before = json.loads(previous.read_text()) if previous.exists() else None
    report.write(results, Path(args.out), before)
    append_history(report.render_full(results, before))
    log(f"table in {args.out}, every table in bench/results/history.md")


if __name__ == "__main__":
    main()
