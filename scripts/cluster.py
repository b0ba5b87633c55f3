"""`make cluster`: several app processes on PostgreSQL and Redis behind nginx, on loopback.

    python scripts/cluster.py            # start, print the addresses, Ctrl-C stops everything
    python scripts/cluster.py --stop     # stop a cluster left running (make cluster-stop)

Everything lives in instance/cluster/: the nginx configuration and logs, each app
process's log, the shared instance folder (secret key, pictures, first admin's
password) and `pids`, which --stop reads. The pieces (create a database, start app
process N, write the nginx configuration, start nginx) are functions the cluster
tests in tests/cluster/ reuse.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / "instance" / "cluster"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
POSTGRES_ADMIN_URL = os.environ.get(
    "CLUSTER_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DEFAULT_DATABASE = "jxj_cluster"
DEFAULT_QUEUE = "redis://127.0.0.1:6379/0"
# Processes on one Redis talk on one channel; the cluster keeps its own apart from `make run`.
DEFAULT_CHANNEL = "jxj-cluster"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if os.access(path, os.X_OK)), None
    )


def ensure_nginx() -> str:
    """Debian's nginx; installed by scripts/ensure-nginx.sh when we are root and it is missing."""
    found = find_nginx()
    if found:
        return found
    subprocess.run([str(ROOT / "scripts" / "ensure-nginx.sh")], check=False)
    found = find_nginx()
    if not found:
        sys.exit("nginx 未安装。请以 root 运行 `apt-get install nginx`，再运行 make cluster。")
    return found


# --- database ---------------------------------------------------------------------------


def database_url(name: str, admin_url: str = POSTGRES_ADMIN_URL) -> str:
    from sqlalchemy.engine import make_url

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def create_database(name: str, admin_url: str = POSTGRES_ADMIN_URL, exist_ok: bool = True) -> str:
    """Create `name` on the PostgreSQL server of `admin_url` unless it is there; return its URL."""
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            there = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).scalar()
            if there and not exist_ok:
                raise RuntimeError(f"database {name} already exists")
            if not there:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return database_url(name, admin_url)


def drop_database(name: str, admin_url: str = POSTGRES_ADMIN_URL) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "kiosk_server", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )


# --- app processes ----------------------------------------------------------------------


def app_env(
    database: str,
    queue: str,
    channel: str,
    instance: Path,
    **extra: str,
) -> dict[str, str]:
    instance.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "DATABASE_URL": database,
        "MESSAGE_QUEUE_URL": queue,
        "MESSAGE_QUEUE_CHANNEL": channel,
        "INSTANCE_PATH": str(instance),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def _gunicorn_ready() -> bool:
    import importlib.util

    return (
        GUNICORN_CONF.exists()
        and (ROOT / "kiosk_server" / "wsgi.py").exists()
        and importlib.util.find_spec("gevent") is not None
    )


def app_command(port: int) -> list[str]:
    """gunicorn with deploy/'s gevent worker when it is there, else the embedded server."""
    if _gunicorn_ready() and os.environ.get("CLUSTER_SERVER", "gunicorn") == "gunicorn":
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(GUNICORN_CONF),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "kiosk_server.wsgi:app",
        ]
    return [sys.executable, "-m", "kiosk_server"]


@dataclass
class AppProcess:
    """One app process on 127.0.0.1:`port`; `log` gets its output."""

    env: dict[str, str]
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppProcess:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            app_command(self.port),
            env={**self.env, "HOST": "127.0.0.1", "PORT": str(self.port)},
            cwd=ROOT,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the launcher, which stops us in order
        )
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, timeout: float = 30) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"app process on {self.port} exited:\n{self.log.read_text()}")
            try:
                if requests.get(f"{self.url}/api/places", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"app process on {self.port} did not start:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the process and everything it started (gunicorn's workers): a crash."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def signal_stop(self) -> None:
        """Ask the process to finish (SIGTERM: gunicorn closes its screens and exits)."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)

    def stop(self, timeout: float = 20) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.signal_stop()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()


def stop_apps(apps: Iterable[AppProcess]) -> None:
    """Stop several at once: each takes a few seconds to close its sockets."""
    apps = list(apps)
    for app in apps:
        app.signal_stop()
    for app in apps:
        app.stop()


def start_apps(
    env: dict[str, str], ports: Sequence[int], log_dir: Path, wait: bool = True
) -> list[AppProcess]:
    apps = [AppProcess(env, port, log_dir / f"app{n}.log").start() for n, port in enumerate(ports)]
    if wait:
        try:
            for app in apps:
                app.wait_ready()
        except BaseException:
            stop_apps(apps)
            raise
    return apps


# --- nginx --------------------------------------------------------------------------------

NGINX_CONF = """\
# Written by scripts/cluster.py: the local cluster's nginx, run from its own folder.
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/nginx-error.log warn;
events {{ worker_connections 4096; }}

http {{
    include {mime_types};
    default_type application/octet-stream;
    access_log {run}/nginx-access.log;
    client_body_temp_path {run}/tmp/body;
    proxy_temp_path {run}/tmp/proxy;
    fastcgi_temp_path {run}/tmp/fastcgi;
    uwsgi_temp_path {run}/tmp/uwsgi;
    scgi_temp_path {run}/tmp/scgi;
    sendfile on;
    gzip on;
    gzip_types text/css application/javascript application/json image/svg+xml;

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}

    upstream kiosk_app {{
        # Socket.IO long-polling needs every request of a session on one process:
        # a client keeps its process while that process is up, and moves when it is down.
        # max_fails=0, as in deploy/nginx/jxj.conf: no process is ever marked down, so
        # nginx never answers "no live upstreams" while one of them is healthy.
        hash $remote_addr consistent;
{servers}
    }}

    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        client_max_body_size 8m;

        location / {{
            proxy_pass http://kiosk_app;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;  # with the port, for Socket.IO's origin check
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # A screen's socket is quiet between changes: keep it open well past the pings.
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;
            proxy_buffering off;
            # A dead process is skipped at once; its clients land on another. As in
            # deploy/nginx/jxj.conf: never non_idempotent (a POST one process got
            # is not sent to another); tests/unit/deploy/test_nginx_site.py checks.
            proxy_connect_timeout 2s;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 3;
            proxy_next_upstream_timeout 10s;
            # Which process answered: tells tests (and a curious operator) where a client sits.
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


def write_nginx_config(run: Path, port: int, upstream_ports: Iterable[int]) -> Path:
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in upstream_ports)
    mime = "/etc/nginx/mime.types"
    conf = run / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            run=run,
            port=port,
            servers=servers,
            mime_types=mime if Path(mime).exists() else "mime.types",
        )
    )
    return conf


@dataclass
class Nginx:
    binary: str
    run: Path
    port: int
    process: subprocess.Popen[bytes] | None = field(default=None)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10) -> Nginx:
        conf = self.run / "nginx.conf"
        command = [self.binary, "-p", str(self.run), "-c", str(conf), "-e", "stderr"]
        check = subprocess.run([*command, "-t"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx configuration refused:\n{check.stderr}")
        self.process = subprocess.Popen(
            [*command, "-g", "daemon off;"],
            stdout=(self.run / "nginx.out").open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited:\n{(self.run / 'nginx.out').read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not start listening")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- the command ------------------------------------------------------------------------


def _pid_file(run: Path) -> Path:
    return run / "pids"


def stop_running(run: Path = RUN_DIR) -> int:
    """Stop a cluster started by this script from its pid files; returns how many were stopped."""
    launcher = run / "launcher.pid"
    if launcher.exists():
        pid = int(launcher.read_text())
        # The launcher stops its processes in order (and would restart any killed under it).
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                os.kill(pid, 0)
                time.sleep(0.2)
        launcher.unlink(missing_ok=True)
        if not _pid_file(run).exists():
            print("已停止本地集群。")
            return 1
    pids = _pid_file(run)
    if not pids.exists():
        print("没有在运行的本地集群。")
        return 0
    stopped = 0
    for line in pids.read_text().split():
        pid = int(line)
        try:
            os.killpg(pid, signal.SIGTERM)
            stopped += 1
        except ProcessLookupError:
            pass
    pids.unlink()
    print(f"已停止本地集群（{stopped} 个进程组）。")
    return stopped


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stop", action="store_true", help="stop a cluster left running")
    parser.add_argument(
        "--processes", type=int, default=int(os.environ.get("CLUSTER_PROCESSES", 2))
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("CLUSTER_PORT", 8080)))
    parser.add_argument("--first-app-port", type=int, default=8101)
    parser.add_argument("--database", default=os.environ.get("CLUSTER_DATABASE", DEFAULT_DATABASE))
    parser.add_argument("--queue", default=os.environ.get("CLUSTER_QUEUE_URL", DEFAULT_QUEUE))
    parser.add_argument("--channel", default=os.environ.get("CLUSTER_CHANNEL", DEFAULT_CHANNEL))
    args = parser.parse_args(argv)
    run = RUN_DIR
    if args.stop:
        stop_running(run)
        return
    if _pid_file(run).exists() or (run / "launcher.pid").exists():
        stop_running(run)  # a cluster left behind, or its launcher in another terminal
        time.sleep(1)
    if args.processes < 2:
        parser.error("a cluster has at least 2 processes")

    nginx_binary = ensure_nginx()
    app_ports = [args.first_app_port + n for n in range(args.processes)]
    busy = [p for p in [args.port, *app_ports] if not port_is_free(p)]
    if busy:
        sys.exit(f"端口已被占用：{busy}。先运行 make cluster-stop，或用 CLUSTER_PORT 换一个端口。")

    print(f"数据库：PostgreSQL {args.database}；消息队列：{args.queue}（频道 {args.channel}）")
    try:
        url = create_database(args.database)
    except Exception as error:  # the server is down or refuses us
        sys.exit(f"无法在 PostgreSQL 上创建数据库 {args.database}：{error}")
    env = app_env(url, args.queue, args.channel, run / "instance")
    flask(env, "db", "upgrade")
    print(flask(env, "demo", "load", "--if-empty").stdout.strip())

    run.mkdir(parents=True, exist_ok=True)
    (run / "launcher.pid").write_text(f"{os.getpid()}\n")
    write_nginx_config(run, args.port, app_ports)
    apps: list[AppProcess] = []
    nginx: Nginx | None = None

    def shutdown(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, shutdown)
    try:
        apps = start_apps(env, app_ports, run)
        nginx = Nginx(nginx_binary, run, args.port).start()
        _pid_file(run).write_text(
            "\n".join(str(p.process.pid) for p in [*apps, nginx] if p.process) + "\n"
        )
        _print_addresses(nginx.url, apps, env)
        while True:
            for app in apps:
                if not app.alive():
                    print(f"应用进程 {app.port} 已退出，重新启动（日志 {app.log}）", flush=True)
                    app.start()
            time.sleep(1)
    except KeyboardInterrupt:
        print("\n正在停止本地集群…", flush=True)
    finally:
        if nginx is not None:
            nginx.stop()
        stop_apps(apps)
        _pid_file(run).unlink(missing_ok=True)
        (run / "launcher.pid").unlink(missing_ok=True)
        print("已停止。", flush=True)


def _print_addresses(base: str, apps: list[AppProcess], env: dict[str, str]) -> None:
    hint = _login_hint(env)
    print(f"\n就享家 本地集群已启动：{base}（nginx → {len(apps)} 个应用进程）", flush=True)
    print(f"  电视      {base}/tv/")
    print(f"  自助机    {base}/kiosk/   绑定码：见管理后台“屏幕”页")
    print(f"  管理后台  {base}/admin/")
    print(f"  接口说明  {base}/api/openapi.json")
    print(f"  {hint}")
    for app in apps:
        print(f"  进程 {app.url}  日志 {app.log}")
    print("  按 Ctrl-C 停止全部；在别处停止：make cluster-stop\n", flush=True)


def _login_hint(env: dict[str, str]) -> str:
    code = (
        "from kiosk_server import create_app\n"
        "from kiosk_server.cli import login_hint\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    print(login_hint())\n"
    )
    reply = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    return reply.stdout.strip() or "管理员登录：用 `flask --app kiosk_server create-admin` 设置账号"


if __name__ == "__main__":
    main()
