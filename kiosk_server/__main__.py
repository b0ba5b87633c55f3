"""`python -m kiosk_server` (what `make run` ends with): TV, kiosk, admin and API in one
process, served the way a deployment serves them.

That is gunicorn with the deployment's settings (kiosk_server/gunicorn_conf.py, which
deploy/gunicorn.conf.py takes too; in the package, so an installed wheel has them):
the project's gevent WebSocket worker (kiosk_server/live/sockets.py), one process,
the address from HOST and PORT, no access log. The database and message queue are
whatever DATABASE_URL and MESSAGE_QUEUE_URL say: the embedded SQLite and the
in-process queue unless set, and the instance folder ./instance of the folder it is
started in (kiosk_server/config.py). So what a newcomer tries is what is deployed,
and what it prints is only where to go and how to log in.

Started through gunicorn's own application class rather than its command line,
which would read this program's arguments and GUNICORN_CMD_ARGS as its own. Not a
`flask` command, because Flask refuses to start a blocking server from inside its
own CLI.
"""

from __future__ import annotations

import signal
from typing import Any

from gunicorn.app.base import BaseApplication

from kiosk_server import gunicorn_conf
from kiosk_server.config import server_address

# Where one process at a terminal differs from a deployment's.
LOCAL_SETTINGS: dict[str, Any] = {
    # gunicorn's notes on starting and stopping; its warnings and errors still show.
    "loglevel": "warning",
    # A deployment gives screens 15 s to be moved through nginx to another process;
    # here there is none, and an idle browser connection would hold a stop that long.
    # Ordinary requests finish well within this.
    "graceful_timeout": 3,
}


def _leave_ctrl_c_to_the_master(worker: Any) -> None:
    """Ctrl+C reaches the whole terminal's group, and gunicorn's master then tells the
    worker to quit as well; the worker acting on both printed a SystemExit traceback
    as it left. It quits when the master says, as under systemd."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class KioskServer(BaseApplication):  # type: ignore[misc]
    def load_config(self) -> None:
        # The deployment's settings, as `gunicorn -c deploy/gunicorn.conf.py` reads them.
        for name in gunicorn_conf.__all__:
            self.cfg.set(name, getattr(gunicorn_conf, name))
        for name, value in LOCAL_SETTINGS.items():
            self.cfg.set(name, value)
        deployed = self.cfg.post_worker_init

        def post_worker_init(worker: Any) -> None:
            deployed(worker)
            _leave_ctrl_c_to_the_master(worker)

        self.cfg.set("post_worker_init", post_worker_init)

    def load(self) -> Any:
        # In the worker, after gevent has patched the standard library (preload_app
        # is off): the app, with its expiry sweeper, is kiosk_server.wsgi's.
        from kiosk_server.wsgi import app

        announce(app)
        return app


def base_url() -> str:
    host, port = server_address()
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def announce(app: Any) -> None:
    """Where everything is, and the administrator's login, once the app is loaded."""
    from kiosk_server.cli import login_hint
    from kiosk_server.extensions import db

    with app.app_context():
        hint = login_hint()
        db.session.remove()
    base = base_url()
    print(f"\n就享家 已启动：{base}")
    print(f"  电视      {base}/tv/")
    print(f"  自助机    {base}/kiosk/   绑定码：flask --app kiosk_server screens enrolment-code")
    print(f"  工作台    {base}/admin/")
    print(f"  公开接口  {base}/api/places   {base}/api/feed?community_id=<社区编号>")
    print(f"  手机页    {base}/l/<信息编号>")
    print(f"  接口说明  {base}/api/openapi.json")
    print(f"  {hint}\n", flush=True)


def main() -> None:
    KioskServer().run()


if __name__ == "__main__":
    main()
