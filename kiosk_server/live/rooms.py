"""Socket.IO's room bookkeeping, with an index from each client to its rooms.

python-socketio finds the rooms of a leaving client by looking through every
room of the namespace. Each screen has a room of its own (live/push.py), so with
N screens connected one disconnect costs N lookups, and the whole crowd leaving
at once (a network blip, a restart of nginx) costs N² — measured at 10,000
screens, it kept the worker's one core busy for tens of seconds. Here each
client's rooms are also kept per client, so leaving costs only its own rooms.

And a message to a room is written to its screens in one loop of our own
(sockets.broadcast) instead of through python-socketio's call per screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import socketio
from engineio import packet as eio_packet
from redis.backoff import NoBackoff
from redis.retry import Retry
from socketio import packet as sio_packet

from kiosk_server.live.sockets import broadcast

# What this module relies on inside python-socketio (the managers' bookkeeping, with
# pending_connect from 5.17 on; Server._send_eio_packet; the pubsub listener's emit;
# RedisManager's listener loop) is pinned exactly in pyproject.toml and exercised by
# tests/unit/test_library_contracts.py.


class RoomIndex:
    """Mixed into a python-socketio client manager, before it in the bases."""

    rooms: dict[str, dict[Any, Any]]
    callbacks: dict[str, Any]
    pending_connect: dict[str, list[str]]
    pending_disconnect: dict[str, list[str]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rooms_of: dict[tuple[str, str], set[Any]] = {}

    def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: Any = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)  # type: ignore[misc]
        self._rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)  # type: ignore[misc]
        joined = self._rooms_of.get((namespace, sid))
        if joined is not None:
            joined.discard(room)
            if not joined:
                del self._rooms_of[(namespace, sid)]

    def basic_disconnect(self, sid: str, namespace: str, **_kwargs: Any) -> None:
        """What python-socketio's does, but leaving only the client's own rooms."""
        if namespace not in self.rooms:
            return
        for room in list(self._rooms_of.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting is not None and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]

    def get_rooms(self, sid: str, namespace: str) -> list[Any]:
        return [room for room in self._rooms_of.get((namespace, sid), ()) if room is not None]


class DirectBroadcast(socketio.Manager):
    """socketio.Manager whose emit to a room, without acks, goes through sockets.broadcast.

    Last in the bases, so that with a message queue it is what the queue's
    listener calls: the publish goes through Redis as before, and each process
    writes to its own screens with this."""

    # Called with (event, data) for every message: with a queue, every process's.
    listeners: tuple[Callable[[str, Any], None], ...] = ()

    def watch(self, listener: Callable[[str, Any], None]) -> None:
        self.listeners = (*self.listeners, listener)

    def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        for listener in self.listeners:
            listener(event, data)
        room = to or room
        if callback is not None or skip_sid is not None or not isinstance(room, str):
            super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback)
            return
        if namespace not in self.rooms:
            return
        # As python-socketio reads `data`: a tuple is several arguments.
        arguments = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        encoded = self.server.packet_class(
            sio_packet.EVENT, namespace=namespace, data=[event, *arguments]
        ).encode()
        if isinstance(encoded, list):  # binary attachments, which screens never get
            super().emit(event, data, namespace, room=room)
            return
        eio_sids = [eio_sid for _sid, eio_sid in self.get_participants(namespace, room)]
        message = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        broadcast(self.server.eio, eio_sids, message, self.server._send_eio_packet)


class IndexedManager(RoomIndex, DirectBroadcast):
    """One process: rooms in memory."""


# Between attempts to reach Redis again. python-socketio doubles its wait up to 60 s,
# which kept a process deaf for up to 8 s after a 6 s outage (issue #22); one attempt
# a second costs Redis nothing.
REDIS_RETRY_SECONDS = 1.0


class IndexedRedisManager(RoomIndex, socketio.RedisManager, DirectBroadcast):
    """Several processes: messages to rooms go through Redis.

    What is published while this process's subscription is down never reaches
    it, and its screens would not know until the next change in their scope. So
    once subscribed again it hands each room the newest change in its scope from
    the database (push.remind_rooms): a screen that missed some syncs by seq."""

    def __init__(self, url: str, channel: str) -> None:
        # redis-py would otherwise reconnect a dropped subscription by itself and
        # resubscribe unseen, and the messages of the gap would go unnoticed: every
        # loss must reach the loop below.
        super().__init__(url, channel=channel, redis_options={"retry": Retry(NoBackoff(), 0)})

    def _redis_listen_with_retries(self) -> Iterator[dict[str, Any]]:
        """python-socketio's loop, with a short fixed wait and a reminder after each gap."""
        lost_at: float | None = None
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                if lost_at is not None:
                    self._get_logger().warning(
                        "receiving from redis again after %.1f s", time.monotonic() - lost_at
                    )
                    lost_at = None
                    # Subscribed first, then read: a change committed after the read
                    # is heard through Redis, and one before it is in the reminder.
                    self.server.start_background_task(self._remind_rooms)
                yield from self.pubsub.listen()
            except Exception as exc:
                if lost_at is None:
                    lost_at = time.monotonic()
                    self._get_logger().error(
                        "Cannot receive from redis... retrying every %s s",
                        REDIS_RETRY_SECONDS,
                        extra={"redis_exception": str(exc)},
                    )
                self.server.sleep(REDIS_RETRY_SECONDS)

    def _remind_rooms(self) -> None:
        from kiosk_server.live.push import remind_rooms  # push needs the app's extensions

        remind_rooms(self)


class IndexedKombuManager(RoomIndex, socketio.KombuManager, DirectBroadcast):
    """Several processes on another broker Kombu speaks (amqp://, …)."""


def client_manager(message_queue_url: str, channel: str) -> socketio.Manager:
    """The manager Flask-SocketIO would pick for this URL, with the room index."""
    if not message_queue_url:
        return IndexedManager()
    if message_queue_url.startswith(("redis://", "rediss://")):
        return IndexedRedisManager(message_queue_url, channel=channel)
    return IndexedKombuManager(message_queue_url, channel=channel)
