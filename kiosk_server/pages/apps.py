"""Serving the web apps (the TV at /tv/, the kiosk at /kiosk/, the staff console at
/admin/), the code they share, and the few files of front-end packages they load.

All of them are found under front_ends/ beside this module: links to tv_app/,
kiosk_ui/, admin_ui/ and shared_ui/ at the top of the repository, and in vendor/ one
link per package file, under the short name the pages use, into node_modules
(installed by `make run`, never committed). A wheel built from the repository holds
copies of what the links point to (the package data in pyproject.toml), so an
installed server serves the screens with no checkout beside it.

Each app's index.html is served with its scripts and stylesheets renamed by content
hash (/assets/<hash>/tv/src/app.js, see assets.py): those URLs are cached for a year,
the page itself is revalidated on every load. The plain URLs keep working, revalidated.
Bodies are sent compressed (brotli or gzip) to browsers that accept it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, abort, redirect, request
from flask.blueprints import BlueprintSetupState
from werkzeug.security import safe_join

from kiosk_server.pages import bp
from kiosk_server.pages.assets import Asset, Manifest

FRONT_ENDS = Path(__file__).resolve().parent / "front_ends"
APPS = {
    "tv": FRONT_ENDS / "tv_app",
    "kiosk": FRONT_ENDS / "kiosk_ui",
    "admin": FRONT_ENDS / "admin_ui",
}
SHARED = FRONT_ENDS / "shared_ui"
# Of node_modules, only the files linked here are served.
VENDOR = FRONT_ENDS / "vendor"
APP_FOLDERS = ("src", "styles")
REVALIDATE = "no-cache"
FOREVER = "public, max-age=31536000, immutable"


def _file_for(url_path: str) -> Path | None:
    """The file a plain URL serves, or None: only the apps' own folders, their
    index.html and root scripts, /shared/ and the linked vendor files."""
    parts = url_path.lstrip("/").split("/", 1)
    if len(parts) != 2:
        return None
    top, rest = parts
    if top == "shared":
        found = safe_join(str(SHARED), rest)
    elif top == "vendor":
        found = safe_join(str(VENDOR), rest) if "/" not in rest else None
    elif top in APPS:
        folder = rest.split("/", 1)[0]
        if "/" in rest and folder not in APP_FOLDERS:
            return None
        found = safe_join(str(APPS[top]), rest)
    else:
        return None
    return Path(found) if found else None


# Each page's files are checked at most once a second: an edit shows within it.
manifest = Manifest(_file_for, recheck_seconds=1.0)


def _send(asset: Asset | None, cache_control: str, missing: str = "") -> Response:
    if asset is None:
        if missing:
            return Response(missing, status=404, mimetype="text/plain")
        abort(404)
    offered = [coding for coding in ("br", "gzip") if coding in asset.bodies]
    coding = request.accept_encodings.best_match(offered) if offered else None
    coding = coding or "identity"
    response = Response(asset.bodies[coding], content_type=asset.mimetype)
    if coding != "identity":
        response.headers["Content-Encoding"] = coding
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = cache_control
    # One tag per representation: a cache must not answer a gzip request with brotli.
    response.set_etag(f"{asset.digest}-{coding}")
    return response.make_conditional(request)


@bp.record
def _serve_apps(state: BlueprintSetupState) -> None:
    """Each app's routes, added when an app registers the blueprint: the routes of its
    root scripts come from a listing of its folder, read then and not on import."""
    for name, folder in APPS.items():
        _serve_app(state, name, folder)


def _serve_app(state: BlueprintSetupState, name: str, folder: Path) -> None:
    def to_index() -> Response:
        return redirect(f"/{name}/", code=301)  # type: ignore[return-value]

    def index() -> Response:
        return _send(manifest.page(f"/{name}/index.html"), REVALIDATE)

    def asset(folder_name: str, filename: str) -> Response:
        return _send(manifest.asset(f"/{name}/{folder_name}/{filename}"), REVALIDATE)

    def top_file(filename: str) -> Response:
        return _send(manifest.asset(f"/{name}/{filename}"), REVALIDATE)

    state.add_url_rule(f"/{name}", f"{name}_redirect", to_index)
    state.add_url_rule(f"/{name}/", f"{name}_index", index)
    # Only the app's own folders: a catch-all under /admin/ would also match the
    # staff API's paths and answer a PUT to an unknown one with 405 instead of 404.
    state.add_url_rule(
        f"/{name}/<any(src, styles):folder_name>/<path:filename>", f"{name}_asset", asset
    )
    top_files = sorted(path.name for path in folder.iterdir() if path.suffix == ".js")
    if top_files:  # the kiosk's service worker, which must sit at the app's root
        state.add_url_rule(
            f"/{name}/<any({', '.join(top_files)}):filename>", f"{name}_file", top_file
        )


@bp.get("/shared/<path:filename>")
def shared_asset(filename: str) -> Response:
    return _send(manifest.asset(f"/shared/{filename}"), REVALIDATE)


@bp.get("/vendor/<name>")
def vendor_asset(name: str) -> Response:
    return _send(manifest.asset(f"/vendor/{name}"), REVALIDATE, "前端依赖未安装：请运行 make run")


@bp.get("/assets/<digest>/<path:url_path>")
def hashed_asset(digest: str, url_path: str) -> Response:
    """A file under its content hash: cached for a year, since these bytes never change
    under this name. A hash that is not the file's current one is 404."""
    return _send(manifest.hashed(digest, f"/{url_path}"), FOREVER)
