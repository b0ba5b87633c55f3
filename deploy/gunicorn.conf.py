"""gunicorn settings for one app process of a checkout (see docs/deploy.md):

    gunicorn -c deploy/gunicorn.conf.py kiosk_server.wsgi:app

The settings, and why each has its value, are in kiosk_server/gunicorn_conf.py, so
that an installed wheel (which has no deploy/ folder) and `python -m kiosk_server`
(make run) use the same ones. This file is what systemd's jxj@.service, make
cluster and the benchmarks name; a host's own changes go below the import.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Import this checkout's package however gunicorn was started.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk_server.gunicorn_conf import *  # noqa: F403 (each of gunicorn's settings)
