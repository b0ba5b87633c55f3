"""Serving the screen apps: the TV at /tv/, the code both screens share, and
front-end packages from node_modules (installed by `make run`, never committed)."""

from __future__ import annotations

from flask import Response, redirect, send_from_directory

from kiosk_server.config import PROJECT_ROOT
from kiosk_server.pages import bp

TV_APP = PROJECT_ROOT / "tv_app"
SHARED = PROJECT_ROOT / "shared_ui"
# Only these files of node_modules are reachable, each under a short name.
VENDOR = {
    "socket.io.min.js": PROJECT_ROOT / "node_modules/socket.io-client/dist/socket.io.min.js",
}


def _no_store(response: Response) -> Response:
    # Until assets carry content hashes (deploy issue), screens must revalidate.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/tv")
def tv_redirect() -> Response:
    return redirect("/tv/", code=301)  # type: ignore[return-value]


@bp.get("/tv/")
def tv_index() -> Response:
    return _no_store(send_from_directory(TV_APP, "index.html"))


@bp.get("/tv/<path:filename>")
def tv_asset(filename: str) -> Response:
    return _no_store(send_from_directory(TV_APP, filename))


@bp.get("/shared/<path:filename>")
def shared_asset(filename: str) -> Response:
    return _no_store(send_from_directory(SHARED, filename))


@bp.get("/vendor/<name>")
def vendor_asset(name: str) -> Response:
    path = VENDOR.get(name)
    if path is None or not path.exists():
        return Response("前端依赖未安装：请运行 make run", status=404, mimetype="text/plain")
    return _no_store(send_from_directory(path.parent, path.name))
