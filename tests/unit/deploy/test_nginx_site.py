"""deploy/nginx/jxj.conf is a configuration nginx accepts, once its placeholders are filled."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl")
pytestmark = pytest.mark.skipif(
    not Path(NGINX).exists() or OPENSSL is None, reason="nginx or openssl not installed"
)


def test_the_site_passes_nginx_t(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *(str(OPENSSL), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    site = (ROOT / "deploy" / "nginx" / "jxj.conf").read_text()
    for placeholder, value in {
        "/etc/ssl/jxj/fullchain.pem": str(cert),
        "/etc/ssl/jxj/privkey.pem": str(key),
        "/var/cache/nginx/jxj": str(tmp_path / "cache"),
        "listen 80;": "listen 127.0.0.1:18080;",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": "listen 127.0.0.1:18443 ssl http2;",
        "listen [::]:443 ssl http2;": "",
    }.items():
        assert placeholder in site, placeholder
        site = site.replace(placeholder, value)
    (tmp_path / "site.conf").write_text(site)
    temp = "".join(
        f"{kind}_temp_path {tmp_path}/{kind};" for kind in ("client_body", "proxy", "fastcgi")
    ) + "".join(f"{kind}_temp_path {tmp_path}/{kind};" for kind in ("uwsgi", "scgi"))
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; {temp}\n"
        f"include {tmp_path}/site.conf; }}\n"
    )

    check = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )

    assert check.returncode == 0, check.stderr
