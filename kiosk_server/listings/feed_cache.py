"""Feed answers kept in the process, so a repeated /api/feed costs one query.

A feed's body follows from its community, the newest change in the
community's scope and the query string: every change to what a feed shows
(a publish, an edit, a withdrawal, an expiry, a seat taken, a banner) records a
change row in the scope it is aimed at, which moves that scope's head. So the
body made for one head is the body for every request that reads the same head,
and a request that reads a newer head looks for another key and makes a new one.

Each app keeps its own cache in app.extensions: tests build many apps, and a
cache shared between them would hand one database's answers to another.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from typing import NamedTuple

from flask import Flask

from kiosk_server.listings.queries import FeedPlace, Origin, feed_place

EXTENSION_KEY = "feed_cache"
# A feed page is 30-40 KB; 512 of them is one page per community of a large
# city with room for filters, in at most 32 MiB.
MAX_ENTRIES = 512
MAX_BYTES = 32 * 1024 * 1024
# Scopes guessed per community or site; a wrong guess only costs a second query.
MAX_GUESSES = 4096
# A guess is corrected once; more means the place tree moved between two reads.
LOCATE_ATTEMPTS = 3


class FeedKey(NamedTuple):
    """What a feed body depends on, so an entry is only ever used for its own state."""

    # Which answer: the feed, or the home screen's.
    answer: str
    community_id: int
    # The path and name come from the same statement as the heads: a place moved
    # or renamed by hand makes a new key, although no change row says so.
    path: str
    name: str
    head: int
    head_at: datetime | None
    # Nearest first measures from here; a site moved by hand moves it, too.
    origin: Origin | None
    # The whole query string, not the ETag's short hash: two query strings that
    # share a hash must never share a body.
    query_string: bytes

    @classmethod
    def of(cls, place: FeedPlace, answer: str, query_string: bytes) -> FeedKey:
        return cls(
            answer,
            place.community_id,
            place.path,
            place.name,
            place.head,
            place.head_at,
            place.origin,
            query_string,
        )

    def size(self) -> int:
        return len(self.answer) + len(self.query_string) + len(self.path) + len(self.name)


class FeedCache:
    """Rendered feed bodies, least recently used first out, bounded in count and bytes.

    One lock guards everything; nothing slow (no query, no rendering) happens
    under it. Under gevent the lock is a greenlet lock, which is what we want.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._bodies: OrderedDict[FeedKey, bytes] = OrderedDict()
        self._bytes = 0
        self._scopes: dict[tuple[str, int], list[int]] = {}
        self._lock = threading.Lock()

    def get(self, key: FeedKey) -> bytes | None:
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def put(self, key: FeedKey, body: bytes) -> None:
        """Keep a body; two requests that missed at once both render, the last one stays."""
        cost = len(body) + key.size()
        if cost > self.max_bytes:
            return
        with self._lock:
            old = self._bodies.pop(key, None)
            if old is not None:
                self._bytes -= len(old) + key.size()
            self._bodies[key] = body
            self._bytes += cost
            while len(self._bodies) > self.max_entries or self._bytes > self.max_bytes:
                evicted, evicted_body = self._bodies.popitem(last=False)
                self._bytes -= len(evicted_body) + evicted.size()

    def scope_guess(self, target: tuple[str, int]) -> list[int]:
        with self._lock:
            return self._scopes.get(target, [])

    def remember_scope(self, target: tuple[str, int], scope: list[int]) -> None:
        with self._lock:
            if target not in self._scopes and len(self._scopes) >= MAX_GUESSES:
                del self._scopes[next(iter(self._scopes))]
            self._scopes[target] = scope

    def clear(self) -> None:
        with self._lock:
            self._bodies.clear()
            self._bytes = 0
            self._scopes.clear()

    def __len__(self) -> int:
        return len(self._bodies)

    @property
    def bytes_held(self) -> int:
        return self._bytes


def feed_cache(app: Flask) -> FeedCache:
    """This app's cache, made on first use."""
    cache = app.extensions.get(EXTENSION_KEY)
    if cache is None:
        cache = app.extensions.setdefault(EXTENSION_KEY, FeedCache())
    return cache


def locate(cache: FeedCache, community_id: int | None, site_id: int | None) -> FeedPlace | None:
    """The feed's community and its scope's heads: one query once this process has
    seen the community or site, since the heads are read for the scope it had then.

    The scope is never trusted from memory: the statement also returns the
    place's path, and a guess that no longer matches it is asked again.
    """
    target = ("site", site_id) if site_id is not None else ("community", community_id or 0)
    guess = cache.scope_guess(target)
    for _ in range(LOCATE_ATTEMPTS):
        place = feed_place(community_id, site_id, guess)
        if place is None:
            return None
        if place.scope == guess:
            cache.remember_scope(target, guess)
            return place
        guess = place.scope
    raise RuntimeError(f"the place tree kept moving while reading the feed of {target}")
