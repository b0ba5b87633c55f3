"""A server-side WebSocket served by event-loop callbacks, with no greenlet of its own.

An idle screen is a socket that nobody reads until bytes arrive. A greenlet
parked in a read costs about 15 KB of RSS (its saved C stack and Python frames);
a read watcher on the event loop costs a few hundred bytes. So once the
handshake is done (kiosk_server/live/sockets.py), the connection is handed to
this class: the loop calls `_readable` when bytes arrive, and writes go straight
to the socket, buffered only when the kernel's send buffer is full.

Callbacks run in gevent's hub, where nothing may block: complete messages go to
`deliver` (which must only queue them), and so does `None` once, when the
connection has ended. Frames follow RFC 6455 as a server sees them: masked from
the client, unmasked to it, fragments joined, pings answered, and a protocol
error closed with its status code (1002, 1007, 1009).
"""

from __future__ import annotations

import _socket
from collections.abc import Callable

import gevent

# gevent's loop watchers, as used here, are exercised by
# tests/unit/test_library_contracts.py; gevent is pinned exactly in pyproject.toml.

OP_CONTINUATION, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
CLOSE_NORMAL, CLOSE_PROTOCOL_ERROR, CLOSE_INVALID_DATA, CLOSE_TOO_BIG = 1000, 1002, 1007, 1009

READ_CHUNK_BYTES = 65536
# A screen that stops reading (a stalled network) is dropped once this much is
# waiting for it; it reconnects and catches up, which costs less than the queue.
MAX_UNSENT_BYTES = 1 << 20
# After our close frame, how long the peer gets to close its side.
CLOSE_WAIT_SECONDS = 5.0
_READ, _WRITE = 1, 2

Deliver = Callable[[str | bytes | None], None]


def frame(payload: str | bytes, opcode: int | None = None) -> bytes:
    """One unfragmented, unmasked frame (server to client)."""
    if isinstance(payload, str):
        data, op = payload.encode(), OP_TEXT
    else:
        data, op = payload, OP_BINARY
    op = op if opcode is None else opcode
    size = len(data)
    if size < 126:
        head = bytes((0x80 | op, size))
    elif size < 65536:
        head = bytes((0x80 | op, 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((0x80 | op, 127)) + size.to_bytes(8, "big")
    return head + data


def unmask(data: bytes, mask: bytes) -> bytes:
    size = len(data)
    if not size:
        return b""
    key = (mask * (size // 4 + 1))[:size]
    return (int.from_bytes(data, "little") ^ int.from_bytes(key, "little")).to_bytes(size, "little")


class ProtocolError(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class LoopWebSocket:
    __slots__ = (
        "_close_timer",
        "_closing",
        "_deliver",
        "_ended",
        "_fragment_op",
        "_fragment_size",
        "_fragments",
        "_inbuf",
        "_loop",
        "_max_message",
        "_outbuf",
        "_read_watcher",
        "_sock",
        "_write_watcher",
    )

    def __init__(self, fd: int, deliver: Deliver, max_message: int) -> None:
        self._sock = _socket.socket(fileno=fd)
        self._sock.setblocking(False)
        self._loop = gevent.get_hub().loop
        self._read_watcher = self._loop.io(fd, _READ)
        self._write_watcher = None
        self._close_timer = None
        self._deliver = deliver
        self._max_message = max_message
        self._inbuf = b""
        self._outbuf: bytearray | None = None
        self._fragments: list[bytes] | None = None
        self._fragment_op = 0
        self._fragment_size = 0
        self._closing = False  # our close frame is queued: nothing more is sent
        self._ended = False  # deliver(None) has been called

    @property
    def closed(self) -> bool:
        return self._closing or self._ended

    def start(self, already_read: bytes = b"") -> None:
        """Begin reading; `already_read` is what the handshake's buffer held past it."""
        if already_read:
            self._received(already_read)
        if not self._closing:
            self._read_watcher.start(self._readable)

    def pause_reading(self) -> None:
        self._read_watcher.stop()

    def resume_reading(self) -> None:
        if not self._closing and not self._ended:
            self._read_watcher.start(self._readable)

    # ---- writing

    def send(self, message: str | bytes) -> None:
        self.send_frame(frame(message))

    def send_frame(self, data: bytes) -> None:
        if not self._closing:
            self._write(data)

    def close(self, code: int = CLOSE_NORMAL) -> None:
        """Send a close frame, then end the connection once it is out."""
        if self._closing:
            return
        self._write(frame(code.to_bytes(2, "big"), OP_CLOSE))
        self._closing = True
        self._end()
        if not self._outbuf:
            self._half_close()

    def _write(self, data: bytes) -> None:
        if self._outbuf is not None:
            if len(self._outbuf) + len(data) > MAX_UNSENT_BYTES:
                self._abort()
                return
            self._outbuf += data
            return
        try:
            sent = self._sock.send(data)
        except BlockingIOError:
            sent = 0
        except OSError:
            self._abort()
            return
        if sent < len(data):
            self._outbuf = bytearray(data[sent:])
            self._write_watcher = self._loop.io(self._sock.fileno(), _WRITE)
            self._write_watcher.start(self._writable)

    def _writable(self) -> None:
        outbuf = self._outbuf
        if outbuf is None:
            return
        try:
            sent = self._sock.send(outbuf)
        except BlockingIOError:
            return
        except OSError:
            self._abort()
            return
        del outbuf[:sent]
        if not outbuf:
            self._outbuf = None
            self._stop_writing()
            if self._closing:
                self._half_close()

    def _stop_writing(self) -> None:
        watcher, self._write_watcher = self._write_watcher, None
        if watcher is not None:
            watcher.stop()
            watcher.close()

    # ---- reading

    def _readable(self) -> None:
        try:
            data = self._sock.recv(READ_CHUNK_BYTES)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._abort()
        elif self._closing:
            pass  # the peer's last words after our close frame are not read
        else:
            self._received(data)

    def _received(self, data: bytes) -> None:
        buf = self._inbuf + data if self._inbuf else data
        try:
            used = self._parse(buf)
        except ProtocolError as error:
            self._inbuf = b""
            self.close(error.code)
            return
        self._inbuf = buf[used:]

    def _parse(self, buf: bytes) -> int:
        """Handle every complete frame in buf; return how many bytes they took."""
        pos, end = 0, len(buf)
        while end - pos >= 2 and not self._closing:
            first, second = buf[pos], buf[pos + 1]
            if first & 0x70 or not second & 0x80:
                raise ProtocolError(CLOSE_PROTOCOL_ERROR)  # extensions or unmasked
            size, head = second & 0x7F, pos + 2
            if size == 126:
                if end - head < 2:
                    break
                size, head = int.from_bytes(buf[head : head + 2], "big"), head + 2
            elif size == 127:
                if end - head < 8:
                    break
                size, head = int.from_bytes(buf[head : head + 8], "big"), head + 8
            if size > self._max_message:
                raise ProtocolError(CLOSE_TOO_BIG)
            if end - head < 4 + size:
                break
            payload = unmask(buf[head + 4 : head + 4 + size], buf[head : head + 4])
            pos = head + 4 + size
            self._frame(bool(first & 0x80), first & 0x0F, payload)
        return pos

    def _frame(self, fin: bool, opcode: int, payload: bytes) -> None:
        if opcode >= OP_CLOSE:
            if not fin or len(payload) > 125:
                raise ProtocolError(CLOSE_PROTOCOL_ERROR)
            if opcode == OP_PING:
                self.send_frame(frame(payload, OP_PONG))
            elif opcode == OP_CLOSE:
                self.close()
            elif opcode != OP_PONG:
                raise ProtocolError(CLOSE_PROTOCOL_ERROR)
            return
        if opcode == OP_CONTINUATION:
            if self._fragments is None:
                raise ProtocolError(CLOSE_PROTOCOL_ERROR)
        elif opcode in (OP_TEXT, OP_BINARY):
            if self._fragments is not None:
                raise ProtocolError(CLOSE_PROTOCOL_ERROR)
            self._fragments, self._fragment_op, self._fragment_size = [], opcode, 0
        else:
            raise ProtocolError(CLOSE_PROTOCOL_ERROR)
        self._fragment_size += len(payload)
        if self._fragment_size > self._max_message:
            raise ProtocolError(CLOSE_TOO_BIG)
        self._fragments.append(payload)
        if fin:
            message = b"".join(self._fragments)
            op, self._fragments = self._fragment_op, None
            if op == OP_TEXT:
                try:
                    self._deliver(message.decode())
                except UnicodeDecodeError as error:
                    raise ProtocolError(CLOSE_INVALID_DATA) from error
            else:
                self._deliver(message)

    # ---- ending

    def _end(self) -> None:
        if not self._ended:
            self._ended = True
            self._deliver(None)

    def _half_close(self) -> None:
        """Our side is done; give the peer a moment to close its own, then release."""
        try:
            self._sock.shutdown(_socket.SHUT_WR)
        except OSError:
            self._release()
            return
        self._close_timer = self._loop.timer(CLOSE_WAIT_SECONDS)
        self._close_timer.start(self._release)

    def _abort(self) -> None:
        """The peer is gone or can't keep up: stop at once."""
        self._closing = True
        self._end()
        self._release()

    def _release(self) -> None:
        if self._sock.fileno() == -1:
            return
        # Its owner holds this connection: without this the two would be a
        # reference cycle, left for the garbage collector's full passes.
        self._deliver = _delivered_nowhere
        self._outbuf = None
        self._stop_writing()
        self._read_watcher.stop()
        self._read_watcher.close()
        timer, self._close_timer = self._close_timer, None
        if timer is not None:
            timer.close()
        self._sock.close()


def _delivered_nowhere(_message: str | bytes | None) -> None:
    """A released connection has delivered its end already (see _end)."""
