"""gunicorn settings for one app process (see docs/deploy.md), kept in the package so
an installed copy has them. Three ways in, one set of settings:

    python -m kiosk_server                                    (make run; __main__.py)
    gunicorn -c deploy/gunicorn.conf.py kiosk_server.wsgi:app  (a checkout; systemd)
    gunicorn -c python:kiosk_server.gunicorn_conf kiosk_server.wsgi:app  (a wheel)

`python -m kiosk_server` changes only what one process at a terminal needs
(kiosk_server/__main__.py: quieter start, quicker stop).

One process holds thousands of screens: one gevent worker. WebSockets are
opened by gevent-websocket, the worker Flask-SocketIO's deployment notes name for
gunicorn + gevent, and then held without a greenlet each: the loop reads a
socket when bytes arrive (kiosk_server/live/sockets.py, loop_websocket.py).
python-engineio picks the same library by itself whenever it is installed, so the
two always agree; without it (an old install) this file falls back to gunicorn's
plain gevent worker, and python-engineio to simple-websocket. Idle screens
connected and synced, RSS each (docs/benchmarks.md): 64 KB with
geventwebsocket's own worker, 20–23 KB with this one, 170 KB with
simple-websocket.

Exactly one worker: Socket.IO's long-polling needs every request of a session to
reach the process that holds it, and gunicorn's workers share one socket with no
stickiness. For more processes run more of these (systemd jxj@PORT) behind nginx.

Address: HOST and PORT, read by kiosk_server.config like everything else
(127.0.0.1:5000 unless set); `--bind` on the command line wins over this file.
"""

from __future__ import annotations

import importlib.util
import resource
from pathlib import Path

from gunicorn.config import KNOWN_SETTINGS

from kiosk_server.access_log import ACCESS_LOG_FORMAT
from kiosk_server.config import server_address

_host, _port = server_address()
bind = [f"[{_host}]:{_port}" if ":" in _host else f"{_host}:{_port}"]

if importlib.util.find_spec("geventwebsocket") is not None:
    # geventwebsocket's worker, with no greenlet per idle socket (kiosk_server/live/sockets.py).
    worker_class = "kiosk_server.live.sockets.ScreenWorker"
else:
    worker_class = "gevent"
workers = 1
# Requests in progress: with ScreenWorker, handshakes and long-polls (an idle
# WebSocket is not counted); with the plain gevent worker, every screen, and
# gunicorn's default (1000) would refuse the 1001st. The process's open-file
# limit caps the screens (systemd: LimitNOFILE=65536).
worker_connections = 20000
# Pending connections while a reconnect storm is being accepted.
backlog = 4096

# Never recycle the worker: a restart drops every screen on it at once.
max_requests = 0
# The worker answers gunicorn's heartbeat between greenlet switches; a worker
# stuck for this long (a runaway CPU loop) is killed and replaced.
timeout = 30
# On stop or reload, finish ordinary requests; screens still connected after
# this are dropped and reconnect through nginx to another process.
graceful_timeout = 15
# Longer than nginx's upstream keepalive_timeout, so nginx closes idle links first.
keepalive = 75
# The heartbeat file in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None

# Load the app in the worker, after gevent has patched the standard library.
preload_app = False
proc_name = f"jxj-{_port}"
# gunicorn's control socket has one default path for every process on the host;
# several app processes would fight over it, and nothing here uses it.
control_socket_disable = True

# nginx logs every request; the app logs what matters to stderr (journald).
accesslog = None
# With --access-logfile, a line per request: the path, never the query string or
# the referer, which may carry a registration's see-or-cancel token.
logger_class = "kiosk_server.access_log.PrivateAccessLogger"
access_log_format = ACCESS_LOG_FORMAT
errorlog = "-"
loglevel = "info"


def on_starting(server) -> None:  # type: ignore[no-untyped-def]
    """Raise the open-file limit to what the system allows (up to 65536): a shell's
    soft limit is often 1024, which would cap a process started by hand (make
    cluster, make bench) near 1000 screens. systemd sets LimitNOFILE itself."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        server.log.info("open-file limit raised from %s to %s", soft, want)


# The settings above, by gunicorn's names: what deploy/gunicorn.conf.py takes with
# its star import and what __main__.py sets, so neither can miss one added here.
__all__ = [setting.name for setting in KNOWN_SETTINGS if setting.name in globals()]
