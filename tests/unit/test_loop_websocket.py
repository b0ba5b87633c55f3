"""The screens' WebSocket, read by event-loop callbacks (kiosk_server/live/loop_websocket.py).

A real socket pair under gevent: the test writes what a browser would send
(masked frames) on one end and reads what the server side sends on the other.
"""

from __future__ import annotations

import gc
import os
import weakref
from collections.abc import Iterator

import gevent
import gevent.socket
import pytest

from kiosk_server.live import loop_websocket
from kiosk_server.live.loop_websocket import LoopWebSocket

MASK = b"\x1f\x8b\x3c\x77"


def client_frame(payload: bytes, opcode: int, fin: bool = True, masked: bool = True) -> bytes:
    size = len(payload)
    first = (0x80 if fin else 0) | opcode
    if size < 126:
        head = bytes((first, (0x80 if masked else 0) | size))
    elif size < 65536:
        head = bytes((first, (0x80 if masked else 0) | 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((first, (0x80 if masked else 0) | 127)) + size.to_bytes(8, "big")
    if not masked:
        return head + payload
    return head + MASK + bytes(b ^ MASK[i % 4] for i, b in enumerate(payload))


def text(message: str, **kwargs: bool) -> bytes:
    return client_frame(message.encode(), 0x1, **kwargs)


class Peer:
    """The browser's end: sends raw bytes, reads the server's frames."""

    def __init__(self, sock: gevent.socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)
        settle()

    def _read_exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            with gevent.Timeout(5):
                chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buffer += chunk
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def read_frame(self) -> tuple[int, bytes]:
        first, second = self._read_exactly(2)
        assert not second & 0x80, "server frames are never masked"
        size = second & 0x7F
        if size == 126:
            size = int.from_bytes(self._read_exactly(2), "big")
        elif size == 127:
            size = int.from_bytes(self._read_exactly(8), "big")
        return first & 0x0F, self._read_exactly(size)

    def at_eof(self) -> bool:
        with gevent.Timeout(5):
            return self.buffer == b"" and self.sock.recv(1) == b""


Pair = tuple[LoopWebSocket, Peer, list[str | bytes | None]]


def settle() -> None:
    for _ in range(5):
        gevent.sleep(0.005)


@pytest.fixture()
def pair() -> Iterator[Pair]:
    server_end, client_end = gevent.socket.socketpair()
    delivered: list[str | bytes | None] = []
    conn = LoopWebSocket(server_end.detach(), delivered.append, max_message=1000)
    conn.start()
    yield conn, Peer(client_end), delivered
    conn.close()
    settle()
    client_end.close()


def test_messages_arrive_whole_and_in_order_however_the_bytes_are_split(pair: Pair) -> None:
    _conn, peer, delivered = pair
    stream = (
        text("42/screens,", fin=False)
        + client_frame(b'["sync",{}]', 0x0)
        + client_frame(b"\x00\x01", 0x2)
        + text("就享家")
    )
    for i in range(len(stream)):
        peer.send(stream[i : i + 1])
    assert delivered == ['42/screens,["sync",{}]', b"\x00\x01", "就享家"]


def test_bytes_read_with_the_handshake_come_first() -> None:
    server_end, client_end = gevent.socket.socketpair()
    delivered: list[str | bytes | None] = []
    conn = LoopWebSocket(server_end.detach(), delivered.append, max_message=1000)
    conn.start(text("first"))
    client_end.sendall(text("second"))
    settle()
    assert delivered == ["first", "second"]
    conn.close()
    client_end.close()


def test_a_ping_is_answered_with_its_payload_and_a_pong_is_ignored(pair: Pair) -> None:
    _conn, peer, delivered = pair
    peer.send(client_frame(b"are you there", 0x9) + client_frame(b"x", 0xA))
    assert peer.read_frame() == (0xA, b"are you there")
    assert delivered == []


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (text("not masked", masked=False), 1002),
        (client_frame(b"x", 0x3), 1002),  # reserved opcode
        (client_frame(b"x", 0x9, fin=False), 1002),  # fragmented control frame
        (client_frame(b"x", 0x0), 1002),  # continuation of nothing
        (text("a", fin=False) + text("b"), 1002),  # new message inside a fragmented one
        (client_frame(b"\xff\xfe", 0x1), 1007),  # not UTF-8
        (client_frame(b"x" * 1001, 0x2), 1009),
        (client_frame(b"x" * 600, 0x2, fin=False) + client_frame(b"x" * 600, 0x0), 1009),
    ],
)
def test_a_protocol_error_closes_with_its_status_code(pair: Pair, bad: bytes, code: int) -> None:
    conn, peer, delivered = pair
    peer.send(bad + text("after the error"))
    assert peer.read_frame() == (0x8, code.to_bytes(2, "big"))
    assert peer.at_eof()
    assert delivered == [None]
    assert conn.closed


def test_a_close_from_the_peer_is_answered_and_ends_the_connection_once(pair: Pair) -> None:
    conn, peer, delivered = pair
    peer.send(client_frame((1001).to_bytes(2, "big"), 0x8))
    assert peer.read_frame() == (0x8, (1000).to_bytes(2, "big"))
    assert peer.at_eof()
    conn.close()
    assert delivered == [None]


def test_a_peer_that_disappears_ends_the_connection(pair: Pair) -> None:
    conn, peer, delivered = pair
    peer.sock.close()
    settle()
    assert delivered == [None]
    conn.send("nobody is listening")
    assert delivered == [None]


def test_a_close_from_our_side_reaches_the_peer_after_what_was_sent(pair: Pair) -> None:
    conn, peer, delivered = pair
    conn.send("3")
    conn.close()
    conn.send("too late")
    assert peer.read_frame() == (0x1, b"3")
    assert peer.read_frame() == (0x8, (1000).to_bytes(2, "big"))
    assert peer.at_eof()
    assert delivered == [None]


def test_a_message_bigger_than_the_send_buffer_arrives_whole(pair: Pair) -> None:
    conn, peer, _delivered = pair
    big = os.urandom(400_000)
    conn.send(big)
    conn.send("after")
    assert peer.read_frame() == (0x2, big)
    assert peer.read_frame() == (0x1, b"after")


def test_a_peer_that_stops_reading_is_dropped_past_the_limit(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn, _peer, delivered = pair
    monkeypatch.setattr(loop_websocket, "MAX_UNSENT_BYTES", 100_000)
    for _ in range(100):
        conn.send(b"x" * 10_000)
        settle()
        if delivered:
            break
    assert delivered == [None]
    assert conn.closed


class Owner:
    """Holds its connection and receives from it, as the engineio socket does."""

    def __init__(self, fd: int) -> None:
        self.conn = LoopWebSocket(fd, self.deliver, max_message=1000)
        self.ended = False

    def deliver(self, message: str | bytes | None) -> None:
        self.ended = message is None


def test_a_finished_connection_is_freed_without_the_cycle_collector() -> None:
    server_end, client_end = gevent.socket.socketpair()
    owner = Owner(server_end.detach())
    owner.conn.start()
    client_end.close()
    settle()
    assert owner.ended
    gone = weakref.ref(owner)
    gc.disable()
    try:
        del owner
        assert gone() is None, "the connection and its owner are left for the cycle collector"
    finally:
        gc.enable()
