"""Access log lines without secrets: a path is logged, never its query string or a referer.

The see-or-cancel link of a registration carries its token in the query string
(/r/<reference>?t=…), and a phone that follows a link from that page may send the
whole link as its Referer. Neither belongs in a log line kept for weeks.
kiosk_server/gunicorn_conf.py names the logger class and the format; nginx logs with its
own format (deploy/nginx/jxj.conf, jxj_private).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

# Apache's combined format, with the path in place of the request line and no referer.
ACCESS_LOG_FORMAT = '%(h)s - %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'

# A request line inside a log message: `"GET /r/AB12?t=… HTTP/1.1"`.
_QUERY_IN_REQUEST_LINE = re.compile(r'("[A-Z]+ [^"?\s]*)\?[^"\s]*')


def without_query(text: str) -> str:
    return _QUERY_IN_REQUEST_LINE.sub(r"\1", text)


class PrivateAccessLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, with the atoms that carry a query string emptied, so no
    format an operator picks (--access-logformat) can write a token."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        path = environ.get("PATH_INFO", "")
        atoms["r"] = f"{environ['REQUEST_METHOD']} {path} {environ['SERVER_PROTOCOL']}"
        atoms["q"] = "-"
        atoms["f"] = "-"
        atoms["{raw_uri}e"] = path
        atoms["{query_string}e"] = "-"
        atoms["{referer}i"] = "-"
        atoms["{http_referer}e"] = "-"
        return atoms

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        # The WebSocket worker's handler logs each plain request itself, request line
        # and all, through this logger (INFO, shown once any logging is configured).
        logging.getLogger("geventwebsocket.handler").addFilter(_drop_query)


def _drop_query(record: logging.LogRecord) -> bool:
    record.msg = without_query(record.getMessage())
    record.args = ()
    return True
