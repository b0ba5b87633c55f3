"""Socket.IO rooms: leaving costs a client its own rooms, not every room there is;
a message to a room is written straight to its screens (kiosk_server/live/rooms.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import gevent.socket
import pytest
import socketio

from kiosk_server.live import wire_json
from kiosk_server.live.loop_websocket import LoopWebSocket
from kiosk_server.live.rooms import IndexedManager

NAMESPACE = "/screens"


class WatchedRooms(dict[Any, Any]):
    """The namespace's rooms, counting every walk through all of them."""

    walks = 0

    def items(self) -> Any:
        WatchedRooms.walks += 1
        return super().items()

    def copy(self) -> dict[Any, Any]:
        WatchedRooms.walks += 1
        return dict(self)


def _crowd(size: int) -> IndexedManager:
    manager = IndexedManager()
    for number in range(size):
        sid = f"sid{number}"
        manager.basic_enter_room(sid, NAMESPACE, None, eio_sid=f"eio{number}")
        manager.basic_enter_room(sid, NAMESPACE, f"screen:{number}")
        manager.basic_enter_room(sid, NAMESPACE, "place:1")
    manager.rooms[NAMESPACE] = WatchedRooms(manager.rooms[NAMESPACE])
    return manager


def test_a_leaving_screen_is_gone_from_its_rooms_and_the_others_stay() -> None:
    manager = _crowd(50)

    manager.basic_disconnect("sid7", NAMESPACE)

    rooms = manager.rooms[NAMESPACE]
    assert "screen:7" not in rooms
    assert "sid7" not in rooms[None] and "sid7" not in rooms["place:1"]
    assert len(rooms["place:1"]) == 49 and "screen:8" in rooms
    assert sorted(manager.get_rooms("sid8", NAMESPACE)) == ["place:1", "screen:8"]
    assert manager.get_rooms("sid7", NAMESPACE) == []


def test_leaving_does_not_walk_through_every_room() -> None:
    manager = _crowd(2000)
    WatchedRooms.walks = 0

    for number in range(2000):
        manager.basic_disconnect(f"sid{number}", NAMESPACE)

    assert WatchedRooms.walks == 0
    assert NAMESPACE not in manager.rooms  # the last one out removes the namespace


def test_a_pending_disconnect_and_callbacks_are_cleared_too() -> None:
    manager = _crowd(3)
    manager.pending_disconnect[NAMESPACE] = ["sid1"]
    manager.callbacks["sid1"] = {1: print}

    manager.basic_disconnect("sid1", NAMESPACE)

    assert NAMESPACE not in manager.pending_disconnect
    assert "sid1" not in manager.callbacks


# ---- a message to a room, written straight to its screens' WebSockets


class Screens:
    """Screens in rooms of a real python-socketio server, each with a socket as
    kiosk_server/live/sockets.py leaves it: a LoopWebSocket on one end of a
    socket pair, whose other end is what the screen reads."""

    def __init__(self) -> None:
        self.server = socketio.Server(client_manager=IndexedManager(), json=wire_json)
        self.manager = self.server.manager
        self.manager.set_server(self.server)
        self.manager.initialize()
        self.sent_otherwise: list[tuple[str, str]] = []
        self.server._send_eio_packet = lambda eio_sid, pkt: self.sent_otherwise.append(  # type: ignore[method-assign]
            (eio_sid, pkt.data)
        )
        self.ends: dict[str, gevent.socket.socket] = {}
        self.conns: list[LoopWebSocket] = []

    def join(self, eio_sid: str, place: int, *, adopted: bool = True, **state: Any) -> None:
        sid = self.manager.connect(eio_sid, NAMESPACE)
        self.manager.enter_room(sid, NAMESPACE, f"place:{place}")
        conn = None
        if adopted:
            server_end, self.ends[eio_sid] = gevent.socket.socketpair()
            conn = LoopWebSocket(server_end.detach(), lambda _message: None, 1 << 16)
            self.conns.append(conn)
        socket = SimpleNamespace(_conn=conn, closed=False, last_ping=None)
        socket.__dict__.update(state)
        self.server.eio.sockets[eio_sid] = socket

    def heard(self, eio_sid: str) -> bytes:
        end = self.ends[eio_sid]
        end.settimeout(0.2)
        try:
            return end.recv(65536)
        except TimeoutError:
            return b""

    def close(self) -> None:
        for conn in self.conns:
            conn._abort()  # as when the peer is gone: the descriptor is released at once
        for end in self.ends.values():
            end.close()


@pytest.fixture
def screens() -> Iterator[Screens]:
    made = Screens()
    yield made
    made.close()


def socketio_frame(payload: str) -> bytes:
    data = payload.encode()
    assert len(data) < 126
    return bytes((0x81, len(data))) + data


def test_a_change_to_a_room_reaches_each_of_its_screens_once_and_no_other(screens: Screens) -> None:
    for number in range(3):
        screens.join(f"home{number}", place=1)
    screens.join("elsewhere", place=2)

    screens.server.emit("change", {"seq": 7, "title": "手工花"}, to="place:1", namespace=NAMESPACE)

    expected = socketio_frame('42/screens,["change",{"seq":7,"title":"手工花"}]')
    assert [screens.heard(f"home{number}") for number in range(3)] == [expected] * 3
    assert screens.heard("elsewhere") == b""
    assert screens.sent_otherwise == []


def test_screens_the_broadcast_cannot_write_to_go_the_way_engineio_sends(screens: Screens) -> None:
    screens.join("written", place=1)
    # Not upgraded yet: engineio queues it for the next poll.
    screens.join("polling", place=1, adopted=False)
    screens.join("closed", place=1, closed=True)
    screens.join("silent", place=1, last_ping=time.time() - 3600)  # engineio closes it on send

    screens.server.emit("change", {"seq": 8}, to="place:1", namespace=NAMESPACE)

    packet = '2/screens,["change",{"seq":8}]'  # a Socket.IO event inside an Engine.IO message
    assert screens.heard("written") == socketio_frame("4" + packet)
    others = [(sid, packet) for sid in ("closed", "polling", "silent")]
    assert sorted(screens.sent_otherwise) == others
    assert screens.heard("closed") == b"" and screens.heard("silent") == b""


def test_a_message_with_an_ack_is_sent_the_way_python_socketio_sends_it(screens: Screens) -> None:
    screens.join("written", place=1)
    sent: list[tuple[str, Any]] = []
    screens.server._send_packet = lambda eio_sid, pkt: sent.append((eio_sid, pkt.data))  # type: ignore[method-assign]

    screens.server.emit("ping", {"n": 1}, to="place:1", namespace=NAMESPACE, callback=print)

    assert sent == [("written", ["ping", {"n": 1}])]
    assert screens.heard("written") == b""
