"""Taking a finished WebSocket handshake from gevent-websocket (kiosk_server/live/sockets.py)."""

from __future__ import annotations

import os
from types import SimpleNamespace

import gevent.socket
from geventwebsocket.websocket import Stream, WebSocket

from kiosk_server.live.sockets import _adopt
from tests.helpers import cyclic_garbage


def handshake_done(server_end: gevent.socket.socket) -> SimpleNamespace:
    """What python-engineio holds once gevent-websocket has upgraded a request."""
    handler = SimpleNamespace(
        socket=server_end,
        rfile=server_end.makefile("rb"),
        environ={"wsgi.input": object()},
        server=SimpleNamespace(application=object()),
    )
    return SimpleNamespace(_sock=WebSocket({}, Stream(handler), handler))


def test_an_adopted_connection_keeps_its_bytes_and_leaves_nothing_for_the_cycle_collector() -> None:
    server_end, browser = gevent.socket.socketpair()
    ws = handshake_done(server_end)
    browser.sendall(b"\x81\x85")  # the start of a first frame, sent right behind the handshake
    gevent.sleep(0.01)
    ws._sock.handler.rfile.peek()  # pywsgi had read it along with the request

    with cyclic_garbage("geventwebsocket") as found:
        fd, already_read = _adopt(ws)
        del ws

    assert already_read == b"\x81\x85"
    # The descriptor is ours now: what is written to it reaches the browser.
    os.write(fd, b"\x81\x02ok")
    assert browser.recv(16) == b"\x81\x02ok"
    os.close(fd)
    browser.close()
    # Before, gevent-websocket built a class to report the close of each one to no one.
    assert found == [], found
