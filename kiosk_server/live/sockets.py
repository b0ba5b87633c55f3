"""The gunicorn worker that holds the screens' WebSockets (deploy/gunicorn.conf.py).

It is geventwebsocket's worker with three changes that matter only because one
process keeps thousands of idle screens, each measured in RSS (docs/benchmarks.md):

- python-engineio keeps, besides the request greenlet that reads the socket, a
  writer greenlet blocked on the outgoing queue and a greenlet sleeping until the
  next ping. Each suspended greenlet keeps a copy of its C stack and its own
  Python frame stack: about 8 KB of RSS a greenlet, measured. Here the ping is a
  timer on the event loop, and a writer greenlet lives only while there is
  something to send.
- gevent records the spawning stack of every greenlet (for debugging); not here.
- the request's read buffer is 8 KB by default and lives as long as the
  socket; a WebSocket frame from a screen (a sync or an ack) is far smaller.

Behaviour on the wire is python-engineio's own: the same packets in the same
order, the same ping interval and timeout, the same close on a dead client.
"""

from __future__ import annotations

import time
from typing import Any

import gevent
from geventwebsocket.gunicorn.workers import GeventWebSocketWorker
from geventwebsocket.handler import WebSocketHandler

# Big enough for an HTTP request line and most headers in one read; larger
# reads (uploads) bypass the buffer anyway.
READ_BUFFER_BYTES = 1024


class ScreenWebSocketHandler(WebSocketHandler):
    def __init__(self, sock: Any, address: Any, server: Any, rfile: Any = None) -> None:
        if rfile is None:
            rfile = sock.makefile("rb", READ_BUFFER_BYTES)
        super().__init__(sock, address, server, rfile)


class ScreenWorker(GeventWebSocketWorker):
    wsgi_handler = ScreenWebSocketHandler

    def load_wsgi(self) -> None:
        # Here, not at import: gunicorn's master imports this class before the
        # worker has patched the standard library.
        gevent.config.track_greenlet_tree = False
        install_lean_sockets()
        super().load_wsgi()


def install_lean_sockets() -> None:
    """Make python-engineio create LeanSocket for every new Engine.IO session."""
    from engineio import socket as engineio_socket

    if not issubclass(engineio_socket.Socket, _LeanSocketMixin):
        engineio_socket.Socket = type("LeanSocket", (_LeanSocketMixin, engineio_socket.Socket), {})


class _LeanSocketMixin:
    """engineio.socket.Socket without its per-socket writer and ping greenlets.

    The methods below mirror python-engineio 4.x's Socket.schedule_ping,
    _send_ping, close and _websocket_handler (the writer part); the rest is
    inherited unchanged.
    """

    # Set once the WebSocket is up; None for long-polling (the GET request writes).
    _ws: Any = None
    _writer: gevent.Greenlet | None = None
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
            # not (the queue is unbounded; the writer is a new greenlet).
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
        super().send(pkt)  # type: ignore[misc]
        self._start_writer()

    def close(self, wait: bool = True, abort: bool = False, reason: Any = None) -> None:
        first = not self.closed and not self.closing
        self._stop_ping_timer()
        # The parent joins the queue when asked to wait; the end marker it queues
        # needs a writer first, so the wait is done here.
        super().close(wait=False, abort=abort, reason=reason)  # type: ignore[misc]
        self._start_writer()
        if wait and first:
            self.queue.join()

    def _start_writer(self) -> None:
        if self._ws is not None and self._writer is None:
            self._writer = gevent.spawn(self._write)

    def _write(self) -> None:
        """Send what is queued, then end; None in the queue closes the WebSocket."""
        ws = self._ws
        empty = self.server.get_queue_empty_exception()
        try:
            while True:
                try:
                    pkt = self.queue.get(block=False)
                except empty:
                    return
                self.queue.task_done()
                if pkt is None:
                    break
                try:
                    ws.send(pkt.encode())
                except Exception:
                    break
            # As python-engineio's writer: after the end marker or a failed send,
            # nothing more is written and the WebSocket is closed.
            self._ws = None
            ws.close()
        finally:
            self._writer = None

    def _websocket_handler(self, ws: Any) -> list[Any]:
        from engineio import exceptions, packet

        def websocket_wait() -> Any:
            data = ws.wait()
            if data and len(data) > self.server.max_http_buffer_size:
                raise ValueError("packet is too large")
            return data

        for attr in ["_sock", "socket"]:
            if hasattr(ws, attr) and hasattr(getattr(ws, attr), "settimeout"):
                getattr(ws, attr).settimeout(self.server.ping_interval + self.server.ping_timeout)

        if self.connected:
            # Upgrade from long-polling (TVs start there), as python-engineio does it.
            self.upgrading = True
            pkt = websocket_wait()
            decoded_pkt = packet.Packet(encoded_packet=pkt)
            if decoded_pkt.packet_type != packet.PING or decoded_pkt.data != "probe":
                self.server.logger.info("%s: Failed websocket upgrade, no PING packet", self.sid)
                self.upgrading = False
                return []
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
                return []
            self.upgraded = True
            self.upgrading = False
        else:
            self.connected = True
            self.upgraded = True

        self._ws = ws
        # Whatever was queued before the WebSocket was up (the OPEN packet).
        self._start_writer()
        self.server.logger.info("%s: Upgrade to websocket successful", self.sid)

        while True:
            p = None
            try:
                p = websocket_wait()
            except Exception as e:
                if not self.closed:
                    self.server.logger.info(
                        '%s: Unexpected error "%s", closing connection', self.sid, str(e)
                    )
                break
            if p is None:
                break
            pkt = packet.Packet(encoded_packet=p)
            try:
                self.receive(pkt)  # type: ignore[attr-defined]
            except exceptions.UnknownPacketError:
                pass
            except exceptions.SocketIsClosedError:
                self.server.logger.info("Receive error -- socket is closed")
                break
            except Exception:
                self.server.logger.exception("Unknown receive error")
                break

        self.queue.put(None)  # let the writer close the WebSocket
        self._start_writer()
        writer = self._writer
        if writer is not None:
            writer.join()
        self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)
        return []
