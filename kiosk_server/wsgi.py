"""The production entry point: `gunicorn -c deploy/gunicorn.conf.py kiosk_server.wsgi:app`,
and what `python -m kiosk_server` (make run) serves through the same settings.

gunicorn imports this module in each worker, after the gevent worker has patched
the standard library, so the app below picks gevent for Socket.IO (config.py) and
its expiry sweeper runs as a greenlet of this process. Every process runs one
sweeper; the sweep is safe to run in several at once (live/sweeper.py).
"""

from __future__ import annotations

from kiosk_server import create_app
from kiosk_server.live.sweeper import start_sweeper

app = create_app()
start_sweeper(app, app.config["KIOSK_CONFIG"].sweep_interval_seconds)
