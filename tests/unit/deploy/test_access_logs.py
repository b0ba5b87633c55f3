"""No log line keeps a registration's see-or-cancel token: not the app's access log
(deploy/gunicorn.conf.py, with any format), not nginx's (deploy/nginx/jxj.conf)."""

from __future__ import annotations

import logging
import runpy
import shutil
import socket
import ssl
import subprocess
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

ROOT = Path(__file__).resolve().parents[3]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl")
TOKEN = "5f0c9a7be1d24c3a8e6b7d10"
PATH = "/r/AB12CD34"
REFERER = f"https://screens.example.org{PATH}?t={TOKEN}"


def _gunicorn_config(log: Path, log_format: str | None = None) -> Config:
    """The deployment's settings, read as gunicorn reads -c, with an access log on."""
    cfg = Config()
    for name, value in runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py")).items():
        if name in cfg.settings:
            cfg.set(name, value)
    cfg.set("accesslog", str(log))
    if log_format:
        cfg.set("access_log_format", log_format)
    return cfg


def _log_one_request(cfg: Config) -> None:
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{PATH}?t={TOKEN}",
        "PATH_INFO": PATH,
        "QUERY_STRING": f"t={TOKEN}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": REFERER,
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    request = SimpleNamespace(headers=[("REFERER", REFERER), ("USER-AGENT", "Mozilla/5.0")])
    logger = cfg.logger_class(cfg)
    logger.access(response, request, environ, timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()


@pytest.mark.parametrize(
    "log_format",
    [None, "%(r)s %(q)s %(f)s %({referer}i)s %({raw_uri}e)s %({query_string}e)s"],
    ids=["deployed-format", "an-operators-format-with-every-query-atom"],
)
def test_the_apps_access_log_has_the_path_but_no_token(tmp_path: Path, log_format) -> None:
    log = tmp_path / "access.log"
    _log_one_request(_gunicorn_config(log, log_format))
    line = log.read_text()
    assert PATH in line
    assert TOKEN not in line


def test_the_websocket_workers_own_request_lines_drop_the_query(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cfg = _gunicorn_config(tmp_path / "access.log")
    cfg.logger_class(cfg)  # the worker sets its logger up like this
    with caplog.at_level(logging.INFO, logger="geventwebsocket.handler"):
        logging.getLogger("geventwebsocket.handler").info(
            '%s - - [%s] "%s" 200 1234 0.012',
            "203.0.113.9",
            "2026-05-01 09:00:00",
            f"GET {PATH}?t={TOKEN} HTTP/1.1",
        )
    assert PATH in caplog.text and TOKEN not in caplog.text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.skipif(
    not Path(NGINX).exists() or OPENSSL is None, reason="nginx or openssl not installed"
)
def test_nginx_logs_the_path_but_no_token(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *(str(OPENSSL), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    port, http_port = _free_port(), _free_port()
    site = (ROOT / "deploy" / "nginx" / "jxj.conf").read_text()
    for placeholder, value in {
        "/etc/ssl/jxj/fullchain.pem": str(cert),
        "/etc/ssl/jxj/privkey.pem": str(key),
        "/var/cache/nginx/jxj": str(tmp_path / "cache"),
        "/var/log/nginx/jxj.access.log": str(tmp_path / "access.log"),
        "/var/log/nginx/error.log": str(tmp_path / "error.log"),
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
    }.items():
        assert placeholder in site, placeholder
        site = site.replace(placeholder, value)
    (tmp_path / "site.conf").write_text(site)
    temp = "".join(
        f"{kind}_temp_path {tmp_path}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log info;\n"
        "events { worker_connections 64; }\n"
        f"http {{ include /etc/nginx/mime.types; {temp}\n"
        f"include {tmp_path}/site.conf; }}\n"
    )
    nginx = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        insecure = ssl.create_default_context()
        insecure.check_hostname = False
        insecure.verify_mode = ssl.CERT_NONE
        url = f"https://127.0.0.1:{port}{PATH}?t={TOKEN}"
        request = urllib.request.Request(url, headers={"Referer": REFERER})
        deadline = time.monotonic() + 10
        while True:
            try:
                urllib.request.urlopen(request, context=insecure, timeout=5)
            except urllib.error.HTTPError:
                break  # no app behind it: 502, logged like any answer
            except urllib.error.URLError:
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.1)
                continue
            break
        plain = f"http://127.0.0.1:{http_port}{PATH}?t={TOKEN}"
        with pytest.raises(urllib.error.HTTPError):  # the redirect to https, not followed
            urllib.request.build_opener(_NoRedirect).open(plain, timeout=5)
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)

    access = (tmp_path / "access.log").read_text()
    assert access.count(PATH) == 2, access
    assert TOKEN not in access
    assert TOKEN not in (tmp_path / "error.log").read_text()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None
