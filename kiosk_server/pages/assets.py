"""Content-hashed names for the files each app's index.html loads, with their bodies kept
compressed in memory.

Every script and stylesheet an index.html names is read once, hashed and compressed
(gzip, and brotli when the module is installed); the page is served with each reference
rewritten to `/assets/<hash>/<original path>`, and that URL may be cached for a year.
Hashes come from the bytes alone, so every process of a cluster agrees on them.

No build step: before a page is served, its files' sizes and modification times are
checked (a few dozen stat calls), and any file that changed is read again, so an edit
shows up on the next reload in development as in production. A server may check at
most once every `recheck_seconds` (a morning when every TV starts at once asks for
the same page thousands of times a second), and an edit then shows within that time.
A hash that is not the file's current one answers 404, never another body.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import mimetypes
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

try:  # brotli is about a fifth smaller than gzip on scripts; without it, gzip alone
    import brotli
except ImportError:  # pragma: no cover - depends on the environment
    brotli = None

HASH_LENGTH = 10
ASSET_PREFIX = "/assets/"
# src="..." and href="..." in the apps' own index.html files (which we write ourselves).
REFERENCE = re.compile(r'(?P<attr>\b(?:src|href))="(?P<url>[^"]+)"')
# Smaller than this, compression costs more than it saves.
MIN_COMPRESS_BYTES = 256


def _compressed(body: bytes) -> dict[str, bytes]:
    bodies = {"identity": body}
    if len(body) < MIN_COMPRESS_BYTES:
        return bodies
    bodies["gzip"] = gzip.compress(body, compresslevel=9, mtime=0)
    if brotli is not None:
        bodies["br"] = brotli.compress(body, quality=11)
    return bodies


@dataclass(frozen=True)
class Asset:
    """One file as it was when read: its hash and its bodies by content coding."""

    path: Path
    stamp: tuple[int, int]  # (size, mtime_ns) when read
    digest: str
    mimetype: str
    bodies: dict[str, bytes]

    @classmethod
    def read(cls, path: Path) -> Asset:
        stat = path.stat()
        body = path.read_bytes()
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if mimetype.startswith("text/") or mimetype == "application/javascript":
            mimetype += "; charset=utf-8"
        return cls(
            path=path,
            stamp=(stat.st_size, stat.st_mtime_ns),
            digest=hashlib.sha256(body).hexdigest()[:HASH_LENGTH],
            mimetype=mimetype,
            bodies=_compressed(body),
        )

    def fresh(self) -> bool:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return False
        return (stat.st_size, stat.st_mtime_ns) == self.stamp


class Manifest:
    """The files behind URL paths, read when first asked for and again when changed.

    `resolve` maps a URL path (/tv/src/app.js, /shared/dom.js, /vendor/x.js) to the file
    that answers it, or None; it is the same mapping the un-hashed routes serve.
    """

    def __init__(self, resolve: Callable[[str], Path | None], recheck_seconds: float = 0) -> None:
        self._resolve = resolve
        self._assets: dict[str, Asset] = {}
        self._pages: dict[str, Asset] = {}
        self._lock = threading.Lock()
        self.recheck_seconds = recheck_seconds
        self.clock: Callable[[], float] = time.monotonic
        self._checked: dict[str, float] = {}  # when each page's files were last checked

    def asset(self, url_path: str) -> Asset | None:
        """The file at this URL path as it is now (read again if it changed)."""
        known = self._assets.get(url_path)
        if known is not None and known.fresh():
            return known
        path = self._resolve(url_path)
        if path is None or not path.is_file():
            return None
        with self._lock:
            asset = Asset.read(path)
            self._assets[url_path] = asset
        return asset

    def hashed(self, digest: str, url_path: str) -> Asset | None:
        """The file behind a hashed URL, only while the hash is still its content's.

        No stat here: a hash names bytes, and the bytes read under it are still right
        for it, until a page load notices the change and replaces them."""
        known = self._assets.get(url_path)
        if known is None or known.digest != digest:
            known = self.asset(url_path)  # first asked here, or changed since (another process)
        return known if known is not None and known.digest == digest else None

    def page(self, url_path: str) -> Asset | None:
        """An index.html with every reference to a known file replaced by its hashed URL."""
        kept = self._pages.get(url_path)
        now = self.clock()
        if kept is not None and now - self._checked.get(url_path, -math.inf) < self.recheck_seconds:
            return kept
        self._checked[url_path] = now
        source = self.asset(url_path)
        if source is None:
            return None
        base = url_path.rsplit("/", 1)[0] + "/"

        def rewrite(match: re.Match[str]) -> str:
            target = _absolute(base, match["url"])
            asset = self.asset(target) if target else None
            if asset is None:
                return match.group(0)
            return f'{match["attr"]}="{ASSET_PREFIX}{asset.digest}{target}"'

        text = REFERENCE.sub(rewrite, source.bodies["identity"].decode("utf-8"))
        body = text.encode("utf-8")
        kept = self._pages.get(url_path)
        if kept is not None and kept.bodies["identity"] == body:
            return kept
        page = Asset(
            path=source.path,
            stamp=source.stamp,
            digest=hashlib.sha256(body).hexdigest()[:HASH_LENGTH],
            mimetype="text/html; charset=utf-8",
            bodies=_compressed(body),
        )
        self._pages[url_path] = page
        return page


def _absolute(base: str, url: str) -> str | None:
    """The site path a reference in a page at `base` points to; None for other sites,
    data: URLs, queries and fragments (left as they are)."""
    if re.match(r"^[a-z][a-z0-9+.-]*:|^//", url, re.IGNORECASE) or "?" in url or "#" in url:
        return None
    if url.startswith("/"):
        return url
    parts: list[str] = []
    for part in (base + url).split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)
