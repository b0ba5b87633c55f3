"""`python -m kiosk_server`: TV, kiosk, admin and API on one process (the embedded default).

Not a `flask` command, because Flask refuses to start a blocking server from
inside its own CLI.
"""

from __future__ import annotations

from kiosk_server import create_app
from kiosk_server.cli import login_hint
from kiosk_server.config import server_address
from kiosk_server.extensions import db, socketio
from kiosk_server.live.sweeper import start_sweeper


def main() -> None:
    app = create_app()
    host, port = server_address()
    base = f"http://{host}:{port}"
    with app.app_context():
        hint = login_hint()
        db.session.remove()
    print(f"\n就享家 已启动：{base}", flush=True)
    print(f"  电视      {base}/tv/")
    print(f"  自助机    {base}/kiosk/   绑定码：flask --app kiosk_server screens enrolment-code")
    print(f"  公开接口  {base}/api/places   {base}/api/feed?community_id=<社区编号>")
    print(f"  手机页    {base}/l/<信息编号>")
    print(f"  接口说明  {base}/api/openapi.json")
    print(f"  {hint}\n", flush=True)
    start_sweeper(app, app.config["KIOSK_CONFIG"].sweep_interval_seconds)
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, use_reloader=False)


if __name__ == "__main__":
    main()
