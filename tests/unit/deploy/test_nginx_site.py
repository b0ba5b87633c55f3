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


# --- the upstream: a live process always gets the traffic ----------------------------


def _cluster_site(tmp_path: Path) -> Block:
    """The configuration `make cluster` and tests/cluster/ run nginx with."""
    from scripts import cluster

    return _parse(cluster.write_nginx_config(tmp_path, 8080, [8101, 8102]).read_text())


def _sites(tmp_path: Path) -> dict[str, Block]:
    return {"deploy/nginx/jxj.conf": _parse(SITE.read_text()), "cluster": _cluster_site(tmp_path)}


def _walk(block: Block) -> Iterator[Block]:
    for child in block.children:
        yield child
        yield from _walk(child)


def _proxying_locations(
    block: Block, inherited: dict[str, list[str]]
) -> Iterator[tuple[Block, dict[str, list[str]]]]:
    """Every location that passes requests to an upstream, with the proxy_next_upstream*
    directives in force there (its own, else the nearest block's around it)."""
    own = {c.name: c.args for c in block.children if c.name.startswith("proxy_next_upstream")}
    in_force = inherited | own
    if block.name == "location" and any(c.name == "proxy_pass" for c in block.children):
        yield block, in_force
    for child in block.children:
        if child.children:
            yield from _proxying_locations(child, in_force)


def test_no_upstream_server_is_ever_marked_down(tmp_path: Path) -> None:
    """With max_fails above 0 a few failures within fail_timeout (a restart, a 503
    server_busy in a reconnect storm) mark a live process down too; with every
    process marked so, nginx answers 502 "no live upstreams" while one is healthy."""
    for name, site in _sites(tmp_path).items():
        servers = [b for b in _walk(site) if b.name == "server" and not b.children]
        assert servers, f"{name}: no upstream server"
        for server in servers:
            assert "max_fails=0" in server.args, f"{name}: server {' '.join(server.args)}"
            assert "backup" not in server.args, f"{name}: server {' '.join(server.args)}"


def test_every_location_retries_an_idempotent_request_on_the_next_process(
    tmp_path: Path,
) -> None:
    """A process that is down or restarting refuses the connection: the request goes to
    the next one, WebSocket upgrades and long-polls (GETs) included, or a screen whose
    process is down could not reconnect. A POST already received by a process is never
    sent to another (no non_idempotent): it may have done its work there."""
    for name, site in _sites(tmp_path).items():
        locations = list(_proxying_locations(site, {}))
        assert locations, f"{name}: no proxied location"
        for location, directives in locations:
            where = f"{name}: location {' '.join(location.args)}"
            retry_on = directives.get("proxy_next_upstream", ["error", "timeout"])
            assert {"error", "timeout"} <= set(retry_on), where
            assert "non_idempotent" not in retry_on, where
            assert "off" not in retry_on, where
            tries = int(directives.get("proxy_next_upstream_tries", ["0"])[0])
            assert tries == 0 or tries >= 2, where
