"""Serving the web apps (the TV at /tv/, the kiosk at /kiosk/, the staff console at
/admin/), the code they share, and front-end packages from node_modules (installed by
`make run`, never committed)."""

from __future__ import annotations

from pathlib import Path

from flask import Response, redirect, send_from_directory

from kiosk_server.config import PROJECT_ROOT
from kiosk_server.pages import bp

APPS = {
    "tv": PROJECT_ROOT / "tv_app",
    "kiosk": PROJECT_ROOT / "kiosk_ui",
    "admin": PROJECT_ROOT / "admin_ui",
}
SHARED = PROJECT_ROOT / "shared_ui"
NODE_MODULES = PROJECT_ROOT / "node_modules"
# Only these files of node_modules are reachable, each under a short name.
VENDOR = {
    "socket.io.min.js": NODE_MODULES / "socket.io-client/dist/socket.io.min.js",
    "simple-keyboard.js": NODE_MODULES / "simple-keyboard/build/index.js",
    "simple-keyboard.css": NODE_MODULES / "simple-keyboard/build/css/index.css",
    # The pinyin candidates (拼音 → 汉字) come with the layouts package.
    "simple-keyboard-layouts.js": NODE_MODULES / "simple-keyboard-layouts/build/index.js",
}


def _no_store(response: Response) -> Response:
    # Until assets carry content hashes (deploy issue), screens must revalidate.
    response.headers["Cache-Control"] = "no-cache"
    return response


def _send(folder: Path, filename: str) -> Response:
    return _no_store(send_from_directory(folder, filename))


def _serve_app(name: str, folder: Path) -> None:
    def to_index() -> Response:
        return redirect(f"/{name}/", code=301)  # type: ignore[return-value]

    def index() -> Response:
        return _send(folder, "index.html")

    def asset(folder_name: str, filename: str) -> Response:
        return _send(folder / folder_name, filename)

    def top_file(filename: str) -> Response:
        return _send(folder, filename)

    bp.add_url_rule(f"/{name}", f"{name}_redirect", to_index)
    bp.add_url_rule(f"/{name}/", f"{name}_index", index)
    # Only the app's own folders: a catch-all under /admin/ would also match the
    # staff API's paths and answer a PUT to an unknown one with 405 instead of 404.
    bp.add_url_rule(
        f"/{name}/<any(src, styles):folder_name>/<path:filename>", f"{name}_asset", asset
    )
    top_files = sorted(path.name for path in folder.iterdir() if path.suffix == ".js")
    if top_files:  # the kiosk's service worker, which must sit at the app's root
        bp.add_url_rule(f"/{name}/<any({', '.join(top_files)}):filename>", f"{name}_file", top_file)


for _name, _folder in APPS.items():
    _serve_app(_name, _folder)


@bp.get("/shared/<path:filename>")
def shared_asset(filename: str) -> Response:
    return _send(SHARED, filename)


@bp.get("/vendor/<name>")
def vendor_asset(name: str) -> Response:
    path = VENDOR.get(name)
    if path is None or not path.exists():
        return Response("前端依赖未安装：请运行 make run", status=404, mimetype="text/plain")
    return _send(path.parent, path.name)
