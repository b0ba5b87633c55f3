"""Public answers kept in the process, so a repeated read costs no query and no Flask.

A feed's body follows from its community, the newest change in the
community's scope and the query string: every change to what a feed shows
(a publish, an edit, a withdrawal, an expiry, a seat taken, a banner) records a
change row in the scope it is aimed at, which moves that scope's head. So the
body made for one head is the body for every request that reads the same head,
and a request that reads a newer head looks for another key and makes a new one.

Each app keeps its own cache in app.extensions: tests build many apps, and a
cache shared between them would hand one database's answers to another.

What this process knows (a community's place and heads, a listing's answer and
its phone page) is also kept, so that a repeated read or a 304 costs no query at
all. Such knowledge is trusted only while two things hold:

- no change has been heard since it was read. Every write committed through this
  process's session counts as one, and so does every change message: with a
  message queue each process is handed every process's messages (live/push.py,
  live/rooms.py), so a change committed elsewhere is heard once its message
  arrives, as the screens hear it. A read that raced a change is not kept.
- it is younger than TRUST_SECONDS (give or take the one read that renews it). A
  message lost by the queue, a place moved by hand, a database restored under the
  running process: none of these is heard, and this bounds how long an answer can
  lag behind them.

Within those bounds an answer may be older than the database, never inconsistent:
a feed's body and its cursors come from the same heads, and a screen catches up
from those cursors as it does after any feed (docs/protocol.md).

The screens' reads (throttle.UNLIMITED_READS) are also kept whole, as sent, under
the same two rules, and a repeat of one is answered before Flask builds a request
(answer_kept, called by KioskFlask.wsgi_app): no routing, no hooks, no view, so a
repeat or a 304 costs less than a bare Flask app's answer (issue #21). A kept
answer is trusted for TRUST_SECONDS from when it was made or revalidated, on top
of what it was made from: an answer lags at most twice that behind what is not
heard. The apps' pages (/tv/, /kiosk/) are kept the same way, so an edited file
shows within that, plus the second pages/apps.py waits before looking.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from datetime import datetime
from typing import Any, NamedTuple

from flask import Flask, Response, current_app, has_app_context, request
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from werkzeug.http import remove_entity_headers

from kiosk_server.extensions import db
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
# How long what this process knows is trusted without a change heard (see above).
TRUST_SECONDS = 1.0
# Places and single answers known at once: a listing's answer is 2 KB, its page 5 KB.
MAX_KNOWN = 4096
# Whole answers as sent (see KeptAnswer): a feed page is 30-50 KB, 10 KB compressed.
MAX_KEPT = 1024
MAX_KEPT_BYTES = 16 * 1024 * 1024
# Set in a request's environ by a view whose whole answer may be kept (throttle.py).
KEEPABLE = "kiosk.keepable"
NOT_MODIFIED = "304 NOT MODIFIED"  # as werkzeug writes it


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


class KeptAnswer(NamedTuple):
    """A public read's answer as it was sent, to answer the same request again before
    Flask builds a request for it: no routing, no hooks, no view (issue #21). Its
    headers are those the whole app gave it (security headers, compression, Vary)."""

    status: str
    headers: list[tuple[str, str]]
    # Flask's own 304 for it: the same headers less those describing a body.
    not_modified: list[tuple[str, str]]
    # None when only a 304 was seen: then only that tag is answered, with not_modified.
    body: bytes | None
    etag: str
    generation: int
    at: float

    def size(self) -> int:
        headers = sum(len(name) + len(value) for name, value in self.not_modified)
        return len(self.body or b"") + 2 * headers


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
        # Moves on every change heard: knowledge read before it is no longer trusted.
        self.generation = 0
        self.clock: Callable[[], float] = time.monotonic
        self._known: OrderedDict[Hashable, tuple[Any, int, float]] = OrderedDict()
        self._rereading: set[Hashable] = set()
        self._kept: OrderedDict[tuple[str, ...], KeptAnswer] = OrderedDict()
        self._kept_bytes = 0

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

    def know(self, key: Hashable, value: Any, generation: int) -> None:
        """Keep what was read while `generation` was current, unless a change was heard since."""
        with self._lock:
            if generation != self.generation:
                return
            self._known.pop(key, None)
            self._known[key] = (value, generation, self.clock())
            while len(self._known) > MAX_KNOWN:
                self._known.popitem(last=False)

    def heard_change(self) -> None:
        with self._lock:
            self.generation += 1
            self._forget()

    def _forget(self) -> None:
        self._known.clear()
        self._kept.clear()
        self._kept_bytes = 0

    def kept_answer(self, key: tuple[str, ...]) -> tuple[KeptAnswer | None, bool]:
        """The answer kept for this request, and whether it is trusted as what remember()
        keeps is. No lock: one dict lookup is atomic, and an entry is never changed in place."""
        kept = self._kept.get(key)
        if kept is None:
            return None, False
        trusted = kept.generation == self.generation and self.clock() - kept.at < TRUST_SECONDS
        return kept, trusted

    def keep_answer(self, key: tuple[str, ...], kept: KeptAnswer) -> None:
        """Keep an answer made while `kept.generation` was current, unless a change came since."""
        with self._lock:
            if kept.generation != self.generation:
                return
            old = self._kept.pop(key, None)
            if old is not None:
                self._kept_bytes -= old.size()
            self._kept[key] = kept
            self._kept_bytes += kept.size()
            while len(self._kept) > MAX_KEPT or self._kept_bytes > MAX_KEPT_BYTES:
                self._kept_bytes -= self._kept.popitem(last=False)[1].size()

    def remember(self, key: Hashable, read: Callable[[], Any]) -> Any:
        """What is known under `key`, or what `read()` answers now, kept for next time.

        Once an entry is due, one request reads it again while the others go on with
        it for that moment: with no change heard it is still consistent, only older,
        and a crowd of screens would otherwise all read at once. No lock on the way
        in: one dict lookup is atomic, and an entry is never changed in place."""
        entry = self._known.get(key)
        if entry is None or entry[1] != self.generation:
            return self._read(key, read)
        value, _generation, at = entry
        if self.clock() - at < TRUST_SECONDS:
            return value
        with self._lock:
            if key in self._rereading:
                return value
            self._rereading.add(key)
        try:
            return self._read(key, read)
        finally:
            with self._lock:
                self._rereading.discard(key)

    def _read(self, key: Hashable, read: Callable[[], Any]) -> Any:
        generation = self.generation  # before reading: a change heard meanwhile wins
        value = read()
        self.know(key, value, generation)
        return value

    def clear(self) -> None:
        with self._lock:
            self._bodies.clear()
            self._bytes = 0
            self._scopes.clear()
            self.generation += 1
            self._forget()

    def __len__(self) -> int:
        return len(self._bodies)

    @property
    def bytes_held(self) -> int:
        return self._bytes


# An answer kept whole: its weak ETag's value and its body.
Tagged = tuple[str, bytes]


def remembered(key: Hashable, read: Callable[[], Tagged | None], mimetype: str) -> Response | None:
    """The public answer kept under `key`, or read now and kept while trusted: a 304
    when the request holds its tag, else its body; None when `read` found nothing.

    A repeat costs no query, no validation and no rendering, so `key` must hold
    everything the answer depends on besides what a change moves."""
    tag, body = answer = feed_cache(current_app).remember(key, read) or ("", b"")
    if not answer[0]:
        return None
    # Asked again each time: a 304 if unchanged, which says so too (RFC 9110, 15.4.5).
    headers = {"ETag": f'W/"{tag}"', "Cache-Control": "no-cache"}
    sent = request.headers.get("If-None-Match")
    # A screen sends back exactly the tag it got, recognised without parsing the header.
    if sent and (sent == headers["ETag"] or request.if_none_match.contains_weak(tag)):
        return current_app.response_class(status=304, headers=headers)
    return current_app.response_class(body, mimetype=mimetype, headers=headers)


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _request_key(environ: dict[str, Any]) -> tuple[str, ...]:
    """Everything of a public read that its answer may depend on: the address it was
    asked at (a phone page's links) and the codings it accepts (Vary)."""
    return tuple(
        str(environ.get(name, ""))
        for name in (
            "wsgi.url_scheme",
            "HTTP_HOST",
            "SERVER_NAME",
            "SERVER_PORT",
            "SCRIPT_NAME",
            "PATH_INFO",
            "QUERY_STRING",
            "HTTP_ACCEPT_ENCODING",
        )
    )


def _undated(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A Date (werkzeug's make_conditional sets one) would go stale: the server adds its own."""
    return [(name, value) for name, value in headers if name.lower() != "date"]


def answer_kept(
    app: Flask, environ: dict[str, Any], start_response: Callable[..., Any], wsgi_app: WsgiApp
) -> Iterable[bytes]:
    """A GET answered from a KeptAnswer while it is trusted, else by `wsgi_app`. Its
    answer is kept when its view said it may be (KEEPABLE) and it is a 200 with an
    ETag; a 304 with the kept tag renews the kept answer's trust, as it does a
    screen's copy, and a 304 with another is kept to answer that tag alone (a crowd
    of screens revalidating their app's page may send nothing else). A request
    carrying a tag other than the kept one goes to Flask, which parses the header.
    Called without cookies only: no staff session to refresh."""
    cache = feed_cache(app)
    key = _request_key(environ)
    kept, trusted = cache.kept_answer(key)
    sent = environ.get("HTTP_IF_NONE_MATCH")
    if kept is not None and trusted and sent is None and kept.body is not None:
        start_response(kept.status, list(kept.headers))
        return [kept.body]
    if kept is not None and trusted and sent == kept.etag:
        start_response(NOT_MODIFIED, list(kept.not_modified))
        return []
    generation = cache.generation  # before the view reads: a change heard meanwhile wins
    sent_as: list[Any] = []

    def note(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        sent_as[:] = [status, headers]
        return start_response(status, headers, exc_info)

    answer = wsgi_app(environ, note)
    if not environ.get(KEEPABLE) or not sent_as:
        return answer
    status, headers = sent_as
    names = {name.lower(): value for name, value in headers}
    if "etag" not in names or "set-cookie" in names:
        return answer
    if status == NOT_MODIFIED:
        if kept is None or names["etag"] != kept.etag:
            kept = KeptAnswer("", [], _undated(headers), None, names["etag"], 0, 0.0)
        cache.keep_answer(key, kept._replace(generation=generation, at=cache.clock()))
        return answer
    if not status.startswith("200 "):
        return answer
    try:
        body = b"".join(answer)
    finally:
        if hasattr(answer, "close"):
            answer.close()
    headers = _undated(headers)
    not_modified = list(headers)
    remove_entity_headers(not_modified)
    made = KeptAnswer(
        status, list(headers), not_modified, body, names["etag"], generation, cache.clock()
    )
    cache.keep_answer(key, made)
    return [body]


def feed_cache(app: Flask) -> FeedCache:
    """This app's cache, made on first use, and told of every change message sent."""
    cache = app.extensions.get(EXTENSION_KEY)
    if cache is None:
        with _MAKING:
            cache = app.extensions.get(EXTENSION_KEY)
            if cache is None:
                cache = FeedCache()
                _hear_messages(app, cache)
                app.extensions[EXTENSION_KEY] = cache
    return cache


_MAKING = threading.Lock()


def _hear_messages(app: Flask, cache: FeedCache) -> None:
    socketio = app.extensions.get("socketio")
    manager = getattr(getattr(socketio, "server", None), "manager", None)
    if manager is None or not hasattr(manager, "watch"):
        return  # an app without Socket.IO (unit tests): only its own writes are heard

    def heard(event_name: str, _data: Any) -> None:
        if event_name == "change":
            cache.heard_change()

    manager.watch(heard)


# Writes committed through this process's session. Flagged per transaction, so a
# transaction that only read (every request) moves nothing.
_WROTE = "feed_cache_wrote"


@event.listens_for(db.session, "after_flush")
def _flushed(session: Session, _context: UOWTransaction) -> None:
    session.info[_WROTE] = True


@event.listens_for(db.session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if not state.is_select:  # UPDATE, DELETE, INSERT, and raw SQL of any kind
        state.session.info[_WROTE] = True


@event.listens_for(db.session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(_WROTE, False) and has_app_context():
        cache = current_app.extensions.get(EXTENSION_KEY)
        if cache is not None:
            cache.heard_change()


@event.listens_for(db.session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_WROTE, None)


def locate(cache: FeedCache, community_id: int | None, site_id: int | None) -> FeedPlace | None:
    """The feed's community and its scope's heads: from memory while they are trusted
    (see above), else one query once this process has seen the community or site,
    since the heads are read for the scope it had then.

    The scope is never trusted from memory: the statement also returns the
    place's path, and a guess that no longer matches it is asked again.
    """
    target = ("site", site_id) if site_id is not None else ("community", community_id or 0)
    return cache.remember(("place", *target), lambda: _locate(cache, target))


def _locate(cache: FeedCache, target: tuple[str, int]) -> FeedPlace | None:
    kind, target_id = target
    community_id, site_id = (None, target_id) if kind == "site" else (target_id, None)
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
