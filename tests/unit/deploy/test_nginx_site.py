"""deploy/nginx/jxj.conf is a configuration nginx accepts, once its placeholders are filled,
and every HTTPS answer carries the server's security headers, whichever location sends it."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import urllib3

from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[3]
SITE = ROOT / "deploy" / "nginx" / "jxj.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl")
needs_nginx = pytest.mark.skipif(
    not Path(NGINX).exists() or OPENSSL is None, reason="nginx or openssl not installed"
)


def _prepare(
    tmp_path: Path,
    http_port: int = 18080,
    https_port: int = 18443,
    app_ports: tuple[int, int] = (5001, 5002),
) -> Path:
    """The site with its placeholders filled, in an nginx.conf of its own: its path."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *(str(OPENSSL), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    site = SITE.read_text()
    for placeholder, value in {
        "/etc/ssl/jxj/fullchain.pem": str(cert),
        "/etc/ssl/jxj/privkey.pem": str(key),
        "/var/cache/nginx/jxj": str(tmp_path / "cache"),
        "/var/log/nginx/": f"{tmp_path}/",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "server 127.0.0.1:5001 ": f"server 127.0.0.1:{app_ports[0]} ",
        "server 127.0.0.1:5002 ": f"server 127.0.0.1:{app_ports[1]} ",
    }.items():
        assert placeholder in site, placeholder
        site = site.replace(placeholder, value)
    (tmp_path / "site.conf").write_text(site)
    temp = "".join(
        f"{kind}_temp_path {tmp_path}/{kind};" for kind in ("client_body", "proxy", "fastcgi")
    ) + "".join(f"{kind}_temp_path {tmp_path}/{kind};" for kind in ("uwsgi", "scgi"))
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; {temp}\n"
        f"include {tmp_path}/site.conf; }}\n"
    )
    return conf


@needs_nginx
def test_the_site_passes_nginx_t(tmp_path: Path) -> None:
    conf = _prepare(tmp_path)

    check = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )

    assert check.returncode == 0, check.stderr


# --- add_header: a block with any of its own inherits none from around it --------------


@dataclass
class Block:
    """One directive of the configuration, and the directives inside it if it is a block."""

    name: str
    args: list[str]
    children: list[Block] = field(default_factory=list)

    def headers(self) -> dict[str, str]:
        """Its own add_header lines, by lower-cased header name: the value and flags."""
        return {
            child.args[0].lower(): " ".join(child.args[1:])
            for child in self.children
            if child.name == "add_header"
        }


TOKEN = re.compile(r"""\s+|#[^\n]*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[{};]|[^\s{};"'#]+""")


def _tokens(text: str) -> Iterator[str]:
    for found in TOKEN.finditer(text):
        token = found.group()
        if token.isspace() or token.startswith("#"):
            continue
        yield token[1:-1] if token[0] in "\"'" else token


def _parse(text: str) -> Block:
    top = Block("http", [])
    stack, words = [top], []
    for token in _tokens(text):
        if token == "{":
            block = Block(words[0], words[1:])
            stack[-1].children.append(block)
            stack.append(block)
            words = []
        elif token == ";":
            stack[-1].children.append(Block(words[0], words[1:]))
            words = []
        elif token == "}":
            stack.pop()
        else:
            words.append(token)
    assert len(stack) == 1 and not words, "unbalanced configuration"
    return top


def _answering_blocks(
    block: Block, inherited: dict[str, str]
) -> Iterator[tuple[Block, dict[str, str]]]:
    """Every location (and `if`) with the headers nginx adds in it: its own add_header
    lines if it has any, else those it inherits (nginx's rule for add_header)."""
    for child in block.children:
        if child.name not in ("server", "location", "if"):
            continue
        own = child.headers()
        headers = own or inherited
        if child.name != "server":
            yield child, headers
        yield from _answering_blocks(child, headers)


def _servers(top: Block) -> list[Block]:
    return [child for child in top.children if child.name == "server"]


def test_every_location_sends_the_servers_security_headers() -> None:
    """A location with an add_header of its own (X-Cache on /assets/) drops every
    add_header of its server, HSTS included, unless it repeats them."""
    top = _parse(SITE.read_text())
    https = [
        server
        for server in _servers(top)
        if any("ssl" in line.args for line in server.children if line.name == "listen")
    ]
    assert https, "no HTTPS server in the site"
    for server in https:
        required = top.headers() | server.headers()
        assert "strict-transport-security" in required
        for location, headers in _answering_blocks(server, required):
            missing = {name for name, value in required.items() if headers.get(name) != value}
            assert not missing, f"location {' '.join(location.args)} does not send {missing}"


# --- and nginx agrees -------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """The site running on free ports, its app processes away (nginx answers 502 itself)."""
    port = free_port()
    nobody = (free_port(), free_port())  # ports no app listens on
    conf = _prepare(tmp_path, http_port=free_port(), https_port=port, app_ports=nobody)
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"],
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not start listening"
                time.sleep(0.1)
        yield f"https://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=10)


@needs_nginx
def test_every_https_answer_carries_hsts(site: str) -> None:
    # One path for each location of the HTTPS server, and one that only the last takes.
    paths = ["/assets/abc/tv.js", "/socket.io/?EIO=4", "/tv/", "/api/health", "/r/ABC", "/"]
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    for path in paths:
        answer = requests.get(site + path, verify=False, timeout=10)  # our own test certificate
        assert answer.status_code >= 400, path  # nginx's own answer: no app behind it here
        assert answer.headers.get("Strict-Transport-Security") == "max-age=31536000", path
