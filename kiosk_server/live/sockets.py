"""The gunicorn worker that holds the screens' WebSockets (kiosk_server/gunicorn_conf.py).

It is geventwebsocket's worker with changes that matter only because one process
keeps thousands of idle screens, each measured in RSS (docs/benchmarks.md):

- Once the WebSocket handshake is done, the connection leaves gevent-websocket
  and its request greenlet ends: a LoopWebSocket (loop_websocket.py) reads it
  from event-loop callbacks and writes to it directly. A suspended greenlet
  keeps a copy of its C stack and its own Python frames, about 15 KB of RSS
  with pywsgi's; python-engineio keeps three per socket (reader, writer, ping).
- Messages from a screen are handed to engineio in order by a greenlet that
  lives only while some are waiting.
- The ping is a timer on the event loop.
- A broadcast frames its packet once for every screen in the room, and
  writes it to each of them in one loop (`broadcast`, used by live/rooms.py).
- gevent records the spawning stack of every greenlet (for debugging); not here.
- The cycle collector's full passes, which stop the process, come less often.

Behaviour on the wire is python-engineio's own: the same packets in the same
order, the same ping interval and timeout, the same close on a dead client.
Long-polling (a TV's first seconds, before its upgrade) is engineio's unchanged.
"""

from __future__ import annotations

import gc
import io
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

import gevent
from geventwebsocket.gunicorn.workers import GeventWebSocketWorker

from kiosk_server.live.loop_websocket import LoopWebSocket, frame

# What this module relies on inside python-engineio, gevent-websocket, gevent and
# gunicorn is pinned exactly in pyproject.toml and exercised, part by part, by
# tests/unit/test_library_contracts.py: raise a pin only once that passes.

# Messages from one screen waiting for engineio before its socket is no longer
# read; a screen sends a few a minute.
MAX_PENDING_MESSAGES = 64
# How long closing a long-polling session waits for a poll to take its last
# packets (CLOSE). A screen keeps a poll waiting, so that is at once; a client
# that only POSTs never polls, and engineio closes from inside its POST (a packet
# it refuses): unbounded, that request and its greenlet were held for ever.
CLOSE_WAIT_SECONDS = 2.0


class ScreenWorker(GeventWebSocketWorker):
    def load_wsgi(self) -> None:
        # Here, not at import: gunicorn's master imports this class before the
        # worker has patched the standard library.
        gevent.config.track_greenlet_tree = False
        install_lean_sockets()
        super().load_wsgi()
        collect_cycles_less_often()


# Python runs a full pass of its cycle collector when the objects that outlived
# the younger passes have grown by a quarter and this many middle passes have
# run since the last; its default is 10.
MIDDLE_PASSES_PER_FULL_PASS = 100


def collect_cycles_less_often() -> None:
    """Fewer full passes of the cycle collector over the screens' objects.

    A full pass visits every object that can hold references and stops the
    process while it does: up to 0.6 s with 10,000 screens held. With Python's
    defaults, a 10,000-screen benchmark run (connect, publishes, storm) ran 29
    of them, 8.7 s in all; with this, 7 and 1.7 s. Screen events leave no
    cycles behind (application.py; tests/functional/test_event_garbage.py), so
    a full pass finds next to nothing. What the app loaded at start is frozen
    out of every pass, and full passes come ten times less often; young
    objects are collected as before."""
    gc.collect()
    gc.freeze()
    young, middle, _full = gc.get_threshold()
    gc.set_threshold(young, middle, MIDDLE_PASSES_PER_FULL_PASS)


def install_lean_sockets() -> None:
    """Make python-engineio create LeanSocket for every new Engine.IO session."""
    from engineio import socket as engineio_socket

    if not issubclass(engineio_socket.Socket, _LeanSocketMixin):
        engineio_socket.Socket = type("LeanSocket", (_LeanSocketMixin, engineio_socket.Socket), {})


class _FrameMemo:
    """A broadcast hands the same packet object to every socket in the room."""

    packet: Any = None
    data: bytes = b""

    @classmethod
    def frame_of(cls, pkt: Any) -> bytes:
        if pkt is not cls.packet:
            cls.data, cls.packet = frame(pkt.encode()), pkt
        return cls.data


def broadcast(
    eio_server: Any, eio_sids: Iterable[str], pkt: Any, send_other: Callable[[str, Any], None]
) -> None:
    """engineio's send_packet to each of `eio_sids`, with the room's sockets written at once.

    A change to a community goes to thousands of screens in one loop that holds
    the process until it ends, so the time to the last screen is that loop's.
    Through python-socketio and engineio each screen costs five calls before
    its write; here it costs the checks engineio's Socket.send makes (closed,
    ping timeout) and the write. A socket that is still long-polling, closed,
    past its ping timeout or not this process's goes to `send_other`, which is
    engineio's own path and does what it always does with them.
    """
    data = _FrameMemo.frame_of(pkt)
    sockets = eio_server.sockets
    ping_timeout = eio_server.ping_timeout
    now = time.time()
    for eio_sid in eio_sids:
        socket = sockets.get(eio_sid)
        conn = getattr(socket, "_conn", None)
        if (
            conn is None
            or socket.closed
            or (socket.last_ping and now - socket.last_ping > ping_timeout)
        ):
            send_other(eio_sid, pkt)
        else:
            conn.send_frame(data)


def _adopt(ws: Any) -> tuple[int, bytes]:
    """Take a finished handshake's connection from gevent-websocket and pywsgi.

    Returns the file descriptor and whatever the handshake's read buffer already
    holds beyond it. Afterwards neither library reads, writes or closes it.
    """
    websocket = ws._sock
    handler = websocket.handler
    sock = handler.socket
    sock.settimeout(0.0)
    # Without blocking: the buffer's bytes, or b"" when it is empty.
    already_read = handler.rfile.peek()
    websocket.closed = True
    # Its __del__ closes it again. Without a handler that stops at the first
    # line; with one, gevent-websocket builds a throwaway class to tell no one,
    # and every connection left that class behind as cyclic garbage.
    websocket.handler = None
    handler.socket = None
    # Socket.IO keeps the environ for the session's life; its input would keep
    # the request's read buffer with it.
    handler.environ["wsgi.input"] = io.BytesIO()
    return sock.detach(), already_read


# Its copies of engineio's methods are fingerprinted in tests/unit/test_library_contracts.py
# (MIRRORED): a changed original fails there until this copy is brought along.
class _LeanSocketMixin:
    """engineio.socket.Socket whose WebSocket is a LoopWebSocket.

    The methods below mirror python-engineio 4.x's Socket.schedule_ping,
    _send_ping, send, close and _websocket_handler; the rest is inherited
    unchanged, long-polling included.
    """

    # Set once the WebSocket is adopted; None while long-polling or upgrading.
    _conn: LoopWebSocket | None = None
    _inbox: deque[str | bytes | None] | None = None
    _receiver: gevent.Greenlet | None = None
    _ping_timer: Any = None

    server: Any
    queue: Any
    sid: str
    last_ping: float | None
    closing: bool
    closed: bool
    connected: bool
    upgrading: bool
    upgraded: bool

    def schedule_ping(self) -> None:
        if self.last_ping:
            self.last_ping = None
            timer = gevent.get_hub().loop.timer(self.server.ping_interval)
            self._ping_timer = timer
            # Runs in the event loop itself: it must not block, and send() does
            # not (it writes without waiting, or queues for a poll).
            timer.start(self._ping_due)

    def _ping_due(self) -> None:
        self._stop_ping_timer()
        if not self.closing and not self.closed:
            self.last_ping = time.time()
            from engineio import packet

            self.send(packet.Packet(packet.PING))

    def _stop_ping_timer(self) -> None:
        timer, self._ping_timer = self._ping_timer, None
        if timer is not None:
            timer.close()

    def send(self, pkt: Any) -> None:
        conn = self._conn
        if conn is None:
            super().send(pkt)  # type: ignore[misc]
        elif self.check_ping_timeout():  # type: ignore[attr-defined]
            conn.send_frame(_FrameMemo.frame_of(pkt))

    def close(self, wait: bool = True, abort: bool = False, reason: Any = None) -> None:
        first = not self.closed and not self.closing
        self._stop_ping_timer()
        conn = self._conn
        # The parent joins the queue when asked to wait: on a WebSocket nothing
        # reads the queue, so the wait is done here, for long-polling only.
        super().close(wait=False, abort=abort, reason=reason)  # type: ignore[misc]
        if conn is not None:
            _take_queued(self.queue)  # the end marker the parent queued
            conn.close()
        elif wait and first:
            self.queue.join(timeout=CLOSE_WAIT_SECONDS)

    def _websocket_handler(self, ws: Any) -> list[Any]:
        for attr in ["_sock", "socket"]:
            if hasattr(ws, attr) and hasattr(getattr(ws, attr), "settimeout"):
                getattr(ws, attr).settimeout(self.server.ping_interval + self.server.ping_timeout)

        if self.connected:
            if not self._upgrade_from_polling(ws):
                return []
        else:
            self.connected = True
            self.upgraded = True

        fd, already_read = _adopt(ws)
        conn = LoopWebSocket(fd, self._deliver, self.server.max_http_buffer_size)
        self._conn = conn
        # What was queued before the WebSocket was up (the OPEN packet, or what
        # was sent during the upgrade) goes first.
        for pkt in _take_queued(self.queue):
            if pkt is None:
                conn.close()
                break
            conn.send_frame(_FrameMemo.frame_of(pkt))
        conn.start(already_read)
        self.server.logger.info("%s: Upgrade to websocket successful", self.sid)
        return []

    def _upgrade_from_polling(self, ws: Any) -> bool:
        """The probe exchange of a TV that started on long-polling, as python-engineio's."""
        from engineio import packet

        def websocket_wait() -> Any:
            data = ws.wait()
            if data and len(data) > self.server.max_http_buffer_size:
                raise ValueError("packet is too large")
            return data

        self.upgrading = True
        pkt = websocket_wait()
        decoded_pkt = packet.Packet(encoded_packet=pkt)
        if decoded_pkt.packet_type != packet.PING or decoded_pkt.data != "probe":
            self.server.logger.info("%s: Failed websocket upgrade, no PING packet", self.sid)
            self.upgrading = False
            return False
        ws.send(packet.Packet(packet.PONG, data="probe").encode())
        self.queue.put(packet.Packet(packet.NOOP))  # end poll
        pkt = websocket_wait()
        decoded_pkt = packet.Packet(encoded_packet=pkt)
        if decoded_pkt.packet_type != packet.UPGRADE:
            self.upgraded = False
            self.server.logger.info(
                "%s: Failed websocket upgrade, expected UPGRADE packet, received %s instead.",
                self.sid,
                pkt,
            )
            self.upgrading = False
            return False
        self.upgraded = True
        self.upgrading = False
        return True

    def _deliver(self, message: str | bytes | None) -> None:
        """Called from the event loop with each message, and None at the end: queue only."""
        inbox = self._inbox
        if inbox is None:
            inbox = self._inbox = deque()
        inbox.append(message)
        if len(inbox) >= MAX_PENDING_MESSAGES and self._conn is not None:
            self._conn.pause_reading()
        if self._receiver is None:
            self._receiver = gevent.spawn(self._receive_pending)

    def _receive_pending(self) -> None:
        inbox = self._inbox
        try:
            while inbox:
                message = inbox.popleft()
                if message is None or not self._receive(message):
                    self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)
                    inbox.clear()
                    return
            if self._conn is not None:
                self._conn.resume_reading()
        finally:
            self._receiver = None
            if not self._inbox:
                self._inbox = None

    def _receive(self, message: str | bytes) -> bool:
        """Hand one message to engineio; False when the connection must end."""
        from engineio import exceptions, packet

        try:
            self.receive(packet.Packet(encoded_packet=message))  # type: ignore[attr-defined]
        except exceptions.UnknownPacketError:
            pass
        except exceptions.SocketIsClosedError:
            self.server.logger.info("Receive error -- socket is closed")
            return False
        except Exception:
            self.server.logger.exception("%s: Unreadable packet, closing connection", self.sid)
            return False
        return True


def _take_queued(queue: Any) -> list[Any]:
    """Everything in an engineio queue, marked done so that no join() waits on it."""
    taken = []
    while not queue.empty():
        taken.append(queue.get(block=False))
        queue.task_done()
    return taken
