"""What the code relies on inside the libraries pinned exactly in pyproject.toml.

kiosk_server/live/sockets.py, loop_websocket.py and rooms.py (and a few lines
elsewhere, named below) reach into parts of python-engineio, python-socketio,
Flask-SocketIO, gevent-websocket, gevent, gunicorn and Flask-Limiter that those
libraries do not document. Each test here exercises one such part exactly as
our code uses it, so that raising a pin fails here, naming the package, the
part and the code to re-check, and not in production.

Where our code keeps its own copy of a library method's body (sockets.py's
_LeanSocketMixin, rooms.py's RoomIndex.basic_disconnect), the method's code is
fingerprinted too: any change to it means re-reading the new body against our
copy, then updating the fingerprint below.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import json
import os
import re
import textwrap
import time
import tomllib
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import engineio
import gevent
import gevent.event
import gevent.pool
import gevent.queue
import gevent.socket
import pytest
import socketio
from engineio import packet as eio_packet
from engineio import socket as eio_socket
from flask import Flask

from kiosk_server.live import wire_json
from kiosk_server.live.loop_websocket import frame
from kiosk_server.live.rooms import REDIS_RETRY_SECONDS, IndexedManager, IndexedRedisManager
from kiosk_server.live.sockets import _adopt, _take_queued

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = "/screens"

# Each package pinned with == in pyproject.toml, and what relies on its internals.
CONTRACTS = {
    "python-engineio": "kiosk_server/live/sockets.py (LeanSocket, broadcast, _adopt)",
    "python-socketio": "kiosk_server/live/rooms.py (RoomIndex, DirectBroadcast)",
    "flask-socketio": "kiosk_server/listings/feed_cache.py (_hear_messages)",
    "gevent-websocket": "kiosk_server/live/sockets.py (_adopt, ScreenWorker), access_log.py",
    "gevent": "kiosk_server/live/loop_websocket.py (LoopWebSocket), sockets.py (_adopt)",
    "gunicorn": "kiosk_server/live/sockets.py (ScreenWorker), access_log.py",
    "flask-limiter": "kiosk_server/throttle.py (retry_after_seconds, login_locked_until)",
    "flask": "kiosk_server/errors.py (end_database_session)",
    "flask-sqlalchemy": "kiosk_server/errors.py (end_database_session)",
}


def changed(package: str, part: str, relied_on_by: str) -> str:
    return (
        f"{package} changed {part}: {relied_on_by} relies on it; re-check that code "
        f"against the new {package} before raising its pin in pyproject.toml"
    )


# ---- the pins themselves


def _pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {}
    for requirement in project["dependencies"]:
        found = re.fullmatch(
            r"\s*([A-Za-z0-9._-]+)(?:\[[^\]]*\])?\s*==\s*([^\s;]+)\s*", requirement
        )
        if found:
            pins[_normal(found[1])] = found[2]
    return pins


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_what_is_installed_is_what_pyproject_pins() -> None:
    pins = _pins()
    assert set(pins) == set(CONTRACTS), (
        "pyproject.toml's exact pins and this module's contracts differ: "
        f"pinned without a contract here {sorted(set(pins) - set(CONTRACTS))}, "
        f"a contract here but not pinned {sorted(set(CONTRACTS) - set(pins))}"
    )
    for package, pinned in pins.items():
        installed = metadata.version(package)
        assert installed == pinned, (
            f"{package} {installed} is installed but pyproject.toml pins {pinned}: "
            f"{CONTRACTS[package]} relies on its internals. Install the pin "
            "(make .venv/.test-deps), or raise the pin only once this module passes with it."
        )


# ---- fingerprints of the library methods our code keeps a copy of


def _fingerprint(function: Callable[..., Any]) -> str:
    """The method's code without its docstring, as Python reprints it: comments and
    layout don't count."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    body = tree.body[0]
    assert isinstance(body, ast.FunctionDef)
    first = body.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        body.body = body.body[1:]
    return hashlib.sha256(ast.unparse(body).encode()).hexdigest()[:16]


MIRRORED = {
    # python-engineio's Socket, mirrored by sockets.py's _LeanSocketMixin.
    ("python-engineio", eio_socket.Socket, "schedule_ping"): "004bb5cd7ba28d22",
    ("python-engineio", eio_socket.Socket, "_send_ping"): "e9dfbaf4eece96fb",
    ("python-engineio", eio_socket.Socket, "send"): "c3f9f2502d8158be",
    ("python-engineio", eio_socket.Socket, "close"): "2c79fb8c8695d70f",
    ("python-engineio", eio_socket.Socket, "_websocket_handler"): "80f67c18f5dab440",
    # python-socketio's BaseManager, mirrored by rooms.py's RoomIndex.
    ("python-socketio", socketio.base_manager.BaseManager, "basic_disconnect"): "27b154ad1b456740",
    # python-socketio's RedisManager listener loop, rewritten by rooms.py's
    # IndexedRedisManager (a fixed short wait, a reminder after each gap).
    ("python-socketio", socketio.RedisManager, "_redis_listen_with_retries"): "62d96f5312bc3bfc",
}


@pytest.mark.parametrize(
    ("package", "owner", "method"),
    list(MIRRORED),
    ids=[f"{owner.__name__}.{method}" for _package, owner, method in MIRRORED],
)
def test_the_library_methods_we_mirror_are_the_ones_we_copied(
    package: str, owner: type, method: str
) -> None:
    assert _fingerprint(getattr(owner, method)) == MIRRORED[(package, owner, method)], (
        changed(package, f"`{owner.__name__}.{method}`", CONTRACTS[package])
        + " (it keeps its own copy: compare the new body with it, carry the change over,"
        " then update its fingerprint in MIRRORED here; if only Python was upgraded and"
        " prints the same code differently, only the fingerprint needs updating)"
    )


# ---- python-engineio: the Socket that sockets.py replaces and extends

ENGINEIO = "python-engineio"


def _eio_server(**options: Any) -> engineio.Server:
    """An Engine.IO server in the production's async mode, without its monitor task."""
    return engineio.Server(async_mode="gevent", monitor_clients=False, **options)


def _kinds(packets: list[Any]) -> list[int | None]:
    return [None if pkt is None else pkt.packet_type for pkt in packets]


def _connect_environ(transport: str) -> dict[str, Any]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/engine.io/",
        "QUERY_STRING": f"EIO=4&transport={transport}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "localhost",
    }
    if transport == "websocket":
        environ.update(HTTP_CONNECTION="Upgrade", HTTP_UPGRADE="websocket")
    return environ


def test_engineio_makes_each_sessions_socket_from_the_module_attribute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[eio_socket.Socket] = []

    class Recorded(eio_socket.Socket):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

        def schedule_ping(self) -> None:
            pass  # no ping task left behind by this test

    monkeypatch.setattr(eio_socket, "Socket", Recorded)
    server = _eio_server()
    server.handle_request(_connect_environ("polling"), lambda status, headers: None)

    assert len(made) == 1 and server.sockets.get(made[0].sid) is made[0], changed(
        ENGINEIO,
        "how Server creates a session's socket (`engineio.socket.Socket`, read at each connect)",
        "install_lean_sockets in kiosk_server/live/sockets.py",
    )


def test_a_new_socket_has_the_state_the_lean_socket_reads() -> None:
    server = _eio_server()
    sock = eio_socket.Socket(server, "s1")
    state = {
        name: getattr(sock, name, "missing")
        for name in ("server", "sid", "connected", "upgrading", "upgraded", "closing", "closed")
    }
    assert state == {
        "server": server,
        "sid": "s1",
        "connected": False,
        "upgrading": False,
        "upgraded": False,
        "closing": False,
        "closed": False,
    }, changed(ENGINEIO, "Socket's state attributes", CONTRACTS[ENGINEIO])
    # A ping is due at once: the first schedule_ping starts the cycle.
    assert isinstance(sock.last_ping, float), changed(ENGINEIO, "Socket.last_ping", "sockets.py")
    for name in ("empty", "get", "task_done", "join", "put"):
        assert callable(getattr(sock.queue, name, None)), changed(
            ENGINEIO, f"the session queue's `{name}`", "sockets.py (_take_queued, close)"
        )


def test_the_server_has_the_settings_and_table_the_lean_socket_reads() -> None:
    server = _eio_server(ping_interval=7, ping_timeout=3, max_http_buffer_size=1234)
    seen = {
        "ping_interval": getattr(server, "ping_interval", None),
        "ping_timeout": getattr(server, "ping_timeout", None),
        "max_http_buffer_size": getattr(server, "max_http_buffer_size", None),
        "sockets": getattr(server, "sockets", None),
    }
    assert seen == {
        "ping_interval": 7,
        "ping_timeout": 3,
        "max_http_buffer_size": 1234,
        "sockets": {},
    }, changed(ENGINEIO, "Server's settings or its `sockets` table", "sockets.py (broadcast)")
    assert hasattr(server.logger, "info") and server.reason.TRANSPORT_CLOSE, changed(
        ENGINEIO, "Server.logger or Server.reason.TRANSPORT_CLOSE", "sockets.py (_receive_pending)"
    )


def test_the_ping_cycle_is_schedule_ping_then_send_ping(monkeypatch: pytest.MonkeyPatch) -> None:
    """What _LeanSocketMixin does with a loop timer instead of a greenlet."""
    server = _eio_server()
    started: list[Callable[[], None]] = []
    slept: list[float] = []
    monkeypatch.setattr(server, "start_background_task", lambda task: started.append(task))
    monkeypatch.setattr(server, "sleep", slept.append)
    sock = eio_socket.Socket(server, "s1")

    sock.schedule_ping()
    sock.schedule_ping()  # while one is pending, no second
    relied_on = "sockets.py (_LeanSocketMixin.schedule_ping, _ping_due)"
    assert sock.last_ping is None and started == [sock._send_ping], changed(
        ENGINEIO, "Socket.schedule_ping", relied_on
    )
    started[0]()
    assert slept == [server.ping_interval] and isinstance(sock.last_ping, float), changed(
        ENGINEIO, "Socket._send_ping", relied_on
    )
    assert _kinds(_take_queued(sock.queue)) == [eio_packet.PING], changed(
        ENGINEIO, "Socket._send_ping", relied_on
    )


def test_a_pong_asks_for_the_next_ping() -> None:
    asked: list[bool] = []

    class Recorded(eio_socket.Socket):  # type: ignore[misc]
        def schedule_ping(self) -> None:
            asked.append(True)

    Recorded(_eio_server(), "s1").receive(eio_packet.Packet(eio_packet.PONG))
    assert asked == [True], changed(
        ENGINEIO, "Socket.receive (a PONG calls schedule_ping)", "sockets.py (schedule_ping)"
    )


def test_check_ping_timeout_closes_a_silent_socket_and_refuses_a_closed_one() -> None:
    server = _eio_server(ping_timeout=5)
    relied_on = "sockets.py (_LeanSocketMixin.send, broadcast)"
    sock = eio_socket.Socket(server, "s1")
    assert sock.check_ping_timeout() is True, changed(ENGINEIO, "check_ping_timeout", relied_on)

    sock.last_ping = time.time() - 60
    assert sock.check_ping_timeout() is False and sock.closed, changed(
        ENGINEIO, "check_ping_timeout (a socket silent past ping_timeout)", relied_on
    )
    with pytest.raises(engineio.exceptions.SocketIsClosedError):
        sock.check_ping_timeout()


def test_close_tells_the_app_sends_close_through_send_and_queues_the_end() -> None:
    """_LeanSocketMixin.close calls it with wait=False and takes the end marker off the queue."""
    server = _eio_server()
    disconnects: list[tuple[str, Any]] = []
    server.on("disconnect", lambda sid, reason: disconnects.append((sid, reason)))
    sent: list[int] = []

    class Recorded(eio_socket.Socket):  # type: ignore[misc]
        def send(self, pkt: Any) -> None:
            sent.append(pkt.packet_type)

    relied_on = "sockets.py (_LeanSocketMixin.close, _take_queued)"
    sock = Recorded(server, "s1")
    sock.close(wait=False, abort=False, reason="why")
    sock.close(wait=False, abort=False, reason="again")  # once only
    assert disconnects == [("s1", "why")] and sent == [eio_packet.CLOSE], changed(
        ENGINEIO, "Socket.close (the disconnect event, CLOSE sent through self.send)", relied_on
    )
    assert sock.closed and _kinds(_take_queued(sock.queue)) == [None], changed(
        ENGINEIO, "Socket.close (closed, then None queued as the end)", relied_on
    )

    aborted = Recorded(server, "s2")
    aborted.close(wait=False, abort=True)
    assert sent == [eio_packet.CLOSE] and _kinds(_take_queued(aborted.queue)) == [None], changed(
        ENGINEIO, "Socket.close(abort=True)", relied_on
    )


def test_a_sessions_queue_join_gives_up_after_its_timeout() -> None:
    """_LeanSocketMixin.close waits for a poll to take a long-polling session's last
    packets with join(timeout=...): gevent's JoinableQueue, as engineio makes it."""
    sock = eio_socket.Socket(_eio_server(), "s1")
    sock.queue.put(None)  # queued, never taken: no poll comes
    waited = gevent.spawn(sock.queue.join, timeout=0.01)
    waited.join(timeout=5)
    assert waited.ready(), changed(
        ENGINEIO, "the session queue's join(timeout) (gevent's JoinableQueue)", "sockets.py (close)"
    )
    assert waited.value is False, changed(
        GEVENT, "JoinableQueue.join(timeout) returning False when unfinished", "sockets.py (close)"
    )


def test_a_websocket_session_reaches_our_handler_with_open_queued(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A screen that connects by WebSocket at once: _websocket_handler is handed the
    connection by the async driver, and the OPEN packet waits in the queue for it."""
    seen: dict[str, Any] = {}

    class Recorded(eio_socket.Socket):  # type: ignore[misc]
        def schedule_ping(self) -> None:
            pass

        def _websocket_handler(self, ws: Any) -> list[Any]:
            seen["ws"], seen["connected"] = ws, self.connected
            seen["queued"] = _kinds(_take_queued(self.queue))
            return []

    def driver(handler: Callable[[Any], list[Any]], server: Any) -> Callable[..., Any]:
        return lambda environ, start_response: handler("the-connection")

    monkeypatch.setattr(eio_socket, "Socket", Recorded)
    server = _eio_server()
    server._async = {**server._async, "websocket": driver}
    server.handle_request(_connect_environ("websocket"), lambda status, headers: None)

    assert seen == {"ws": "the-connection", "connected": False, "queued": [eio_packet.OPEN]}, (
        changed(
            ENGINEIO,
            "the WebSocket path (_upgrade_websocket → _websocket_handler, OPEN queued first)",
            "sockets.py (_LeanSocketMixin._websocket_handler)",
        )
    )


def test_the_gevent_driver_hands_over_gevent_websockets_connection_as_sock() -> None:
    from engineio.async_drivers import gevent as driver

    relied_on = "sockets.py (_adopt reads ws._sock)"
    assert driver._async["queue"] is gevent.queue.JoinableQueue, changed(
        ENGINEIO, "the gevent driver's queue", "sockets.py (_take_queued)"
    )
    assert driver.SimpleWebSocketWSGI is None, changed(
        ENGINEIO, "the gevent driver's choice of gevent-websocket when installed", relied_on
    )
    handed: list[Any] = []
    connection = SimpleNamespace(version="13", path="/", origin=None, protocol=None)
    wsgi = driver.WebSocketWSGI(handed.append, server=None)
    wsgi({"wsgi.websocket": connection}, lambda status, headers: None)
    assert len(handed) == 1 and getattr(handed[0], "_sock", None) is connection, changed(
        ENGINEIO, "the gevent driver's WebSocketWSGI._sock", relied_on
    )


def test_packets_encode_and_decode_as_the_lean_socket_uses_them() -> None:
    relied_on = "sockets.py (_upgrade_from_polling, _receive, _FrameMemo), rooms.py"
    probe = eio_packet.Packet(encoded_packet="2probe")
    assert (probe.packet_type, probe.data) == (eio_packet.PING, "probe"), changed(
        ENGINEIO, "Packet(encoded_packet=…)", relied_on
    )
    assert eio_packet.Packet(eio_packet.PONG, data="probe").encode() == "3probe", changed(
        ENGINEIO, "Packet.encode", relied_on
    )
    message = eio_packet.Packet(eio_packet.MESSAGE, '2/screens,["change"]').encode()
    assert message == '42/screens,["change"]', changed(ENGINEIO, "Packet(MESSAGE)", relied_on)
    assert eio_packet.Packet(encoded_packet="5").packet_type == eio_packet.UPGRADE
    assert eio_packet.Packet(eio_packet.NOOP).encode() == "6"
    for name in ("UnknownPacketError", "SocketIsClosedError"):
        assert issubclass(getattr(engineio.exceptions, name), Exception), changed(
            ENGINEIO, f"engineio.exceptions.{name}", "sockets.py (_receive)"
        )
    assert engineio.json.loads('{"n": 1}') == {"n": 1}, changed(
        ENGINEIO, "engineio.json.loads", "kiosk_server/live/wire_json.py"
    )


# ---- python-socketio: the client managers rooms.py extends

SOCKETIO = "python-socketio"


def _sio_server(manager: socketio.Manager) -> socketio.Server:
    return socketio.Server(client_manager=manager, async_mode="threading", json=wire_json)


def _bookkeeping(manager: socketio.Manager) -> dict[str, Any]:
    rooms = {
        namespace: {room: dict(members) for room, members in named.items()}
        for namespace, named in manager.rooms.items()
    }
    return {
        "rooms": rooms,
        # Each client's waiting acks by id (0 holds the id counter).
        "callbacks": {sid: sorted(set(acks) - {0}) for sid, acks in manager.callbacks.items()},
        "pending_connect": {ns: list(sids) for ns, sids in manager.pending_connect.items()},
        "pending_disconnect": {ns: list(sids) for ns, sids in manager.pending_disconnect.items()},
    }


def _screens_come_and_go(manager: socketio.Manager) -> Iterator[dict[str, Any]]:
    """A day's worth of what the server asks of its manager, with the bookkeeping and
    each client's rooms after each step."""
    server = _sio_server(manager)
    sids = {}
    for number in range(4):
        sids[number] = manager.connect(f"eio{number}", NAMESPACE)
        manager.enter_room(sids[number], NAMESPACE, f"screen:{number}")
        manager.enter_room(sids[number], NAMESPACE, "place:1")
    # A screen that leaves before the connect handler has finished with it.
    late = manager.pre_connect("eio-late", NAMESPACE)
    manager.enter_room(late, NAMESPACE, "place:1")
    manager._generate_ack_id(sids[0], print)

    def after() -> dict[str, Any]:
        state = _bookkeeping(manager)
        every = [*sids.values(), late]
        state["get_rooms"] = {
            sid: sorted(map(str, manager.get_rooms(sid, NAMESPACE))) for sid in every
        }
        return state

    yield after()
    manager.leave_room(sids[1], NAMESPACE, "place:1")
    yield after()
    manager.close_room("place:1", NAMESPACE)
    yield after()
    server._handle_eio_disconnect("eio0", "transport close")
    yield after()
    manager.pre_disconnect(sids[2], NAMESPACE)
    yield after()
    manager.disconnect(sids[2], NAMESPACE, ignore_queue=True)
    yield after()
    manager.disconnect(late, NAMESPACE, ignore_queue=True)
    yield after()
    for number in (1, 3):
        server._handle_eio_disconnect(f"eio{number}", "transport close")
    yield after()


def test_the_manager_has_the_bookkeeping_room_index_clears() -> None:
    manager = socketio.Manager()
    for name in ("rooms", "callbacks", "pending_connect", "pending_disconnect"):
        assert isinstance(getattr(manager, name, None), dict), changed(
            SOCKETIO,
            f"`BaseManager.{name}` (pending_connect first exists in 5.17)",
            "kiosk_server/live/rooms.py (RoomIndex.basic_disconnect)",
        )


def test_the_indexed_manager_keeps_the_books_as_python_socketio_does() -> None:
    """RoomIndex keeps its own index and its own basic_disconnect: at every step its
    rooms, callbacks, pending_connect and pending_disconnect, and the rooms it reports
    for each client, are python-socketio's own."""

    class Plain(socketio.Manager):  # type: ignore[misc]
        pass

    steps = zip(
        _screens_come_and_go(_with_ids(Plain())),
        _screens_come_and_go(_with_ids(IndexedManager())),
        strict=True,
    )
    step = 0
    try:
        for step, (theirs, ours) in enumerate(steps):
            assert ours == theirs, changed(
                SOCKETIO,
                f"the client manager's bookkeeping (step {step}: rooms, callbacks, "
                "pending_connect, pending_disconnect or get_rooms)",
                "kiosk_server/live/rooms.py (RoomIndex)",
            )
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        pytest.fail(
            changed(
                SOCKETIO, f"the client manager (step {step}: {error!r})", "rooms.py (RoomIndex)"
            )
        )
    assert theirs["rooms"] == {} and theirs["pending_disconnect"] == {}, "the day did not end"


def _with_ids(manager: socketio.Manager) -> socketio.Manager:
    """The sids are python-engineio's random ids: the same ones for every manager."""
    ids = (f"sid{number}" for number in range(100))
    original = manager.set_server

    def set_server(server: Any) -> None:
        original(server)
        server.eio.generate_id = lambda: next(ids)

    manager.set_server = set_server  # type: ignore[method-assign]
    return manager


def test_a_disconnect_goes_through_pending_disconnect_then_basic_disconnect() -> None:
    """What RoomIndex.basic_disconnect must undo: the sid python-socketio put in
    pending_disconnect before the app's disconnect handler ran (5.17 added pending_connect
    beside it; before, every disconnect raised here)."""
    seen: list[dict[str, Any]] = []

    class Recorded(socketio.Manager):  # type: ignore[misc]
        def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
            seen.append(_bookkeeping(self))
            super().basic_disconnect(sid, namespace, **kwargs)

    manager = Recorded()
    server = _sio_server(manager)
    sid = manager.connect("eio1", NAMESPACE)
    server._handle_eio_disconnect("eio1", "transport close")

    assert [step["pending_disconnect"] for step in seen] == [{NAMESPACE: [sid]}], changed(
        SOCKETIO,
        "`BaseManager.pending_disconnect` or how a disconnect reaches basic_disconnect",
        "kiosk_server/live/rooms.py (RoomIndex.basic_disconnect)",
    )
    assert _bookkeeping(manager)["pending_disconnect"] == {}


def test_the_direct_broadcast_sends_the_packets_python_socketio_would() -> None:
    """Screens not held by this process's LoopWebSockets get, through
    Server._send_eio_packet, exactly what python-socketio's own emit sends them."""

    def sent_by(manager: socketio.Manager, data: Any) -> list[tuple[str, int, Any]]:
        server = _sio_server(manager)
        for number in range(3):
            sid = manager.connect(f"eio{number}", NAMESPACE)
            manager.enter_room(sid, NAMESPACE, "place:1" if number < 2 else "place:2")
        sent: list[tuple[str, int, Any]] = []
        server._send_eio_packet = lambda eio_sid, pkt: sent.append(  # type: ignore[method-assign]
            (eio_sid, pkt.packet_type, pkt.data)
        )
        server.emit("change", data, to="place:1", namespace=NAMESPACE)
        return sorted(sent)

    for data in (None, {"seq": 7, "title": "手工花"}, (1, "两个")):
        theirs, ours = sent_by(socketio.Manager(), data), sent_by(IndexedManager(), data)
        assert ours == theirs and len(theirs) == 2, changed(
            SOCKETIO,
            f"Manager.emit or Server._send_eio_packet (data {data!r})",
            "kiosk_server/live/rooms.py (DirectBroadcast.emit)",
        )


def test_send_eio_packet_is_engineios_send_packet() -> None:
    server = _sio_server(socketio.Manager())
    handed: list[tuple[str, Any]] = []
    server.eio.send_packet = lambda eio_sid, pkt: handed.append((eio_sid, pkt))
    pkt = eio_packet.Packet(eio_packet.MESSAGE, "2")
    server._send_eio_packet("eio1", pkt)
    assert handed == [("eio1", pkt)], changed(
        SOCKETIO, "Server._send_eio_packet", "rooms.py → sockets.broadcast's send_other"
    )


def test_a_message_from_the_queue_reaches_the_direct_broadcast() -> None:
    """With Redis, a publish is heard by each process's listener, which hands it to the
    manager's emit after PubSubManager's: DirectBroadcast.emit, last in the bases."""
    publisher = IndexedRedisManager("redis://127.0.0.1:6379/0", channel="contract")
    listener = IndexedRedisManager("redis://127.0.0.1:6379/0", channel="contract")
    published: list[dict[str, Any]] = []
    heard: dict[str, list[tuple[str, Any]]] = {"publisher": [], "listener": []}
    for name, manager in (("publisher", publisher), ("listener", listener)):
        _sio_server(manager)
        manager.watch(lambda event, data, name=name: heard[name].append((event, data)))
    publisher._publish = published.append  # type: ignore[method-assign]

    publisher.emit("change", {"seq": 3}, namespace=NAMESPACE, room="place:1")
    listener._listen = lambda: iter(json.dumps(message) for message in published)  # type: ignore[method-assign]
    listener._thread()

    assert heard == {
        "publisher": [("change", {"seq": 3})],
        "listener": [("change", {"seq": 3})],
    }, changed(
        SOCKETIO,
        "PubSubManager.emit/_thread/_handle_emit (each calls the manager's emit after its own)",
        "kiosk_server/live/rooms.py (DirectBroadcast last in IndexedRedisManager's bases)",
    )


class _Subscription:
    """Stands in for redis-py's PubSub: hears one message, then loses Redis."""

    def __init__(self, log: list[str]) -> None:
        self.log = log

    def subscribe(self, channel: str) -> None:
        self.log.append(f"subscribe {channel}")

    def listen(self) -> Iterator[dict[str, Any]]:
        yield {"type": "message", "channel": b"contract", "data": b"heard"}
        raise ConnectionError("redis went away")

    def unsubscribe(self, channel: str) -> None:
        self.log.append(f"unsubscribe {channel}")


def test_the_redis_listener_loop_is_ours_and_reminds_after_a_gap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """RedisManager._listen reads what _redis_listen_with_retries yields (rooms.py
    replaces that loop): a lost subscription is retried after REDIS_RETRY_SECONDS,
    not python-socketio's doubling wait, and once subscribed again the rooms are
    reminded (push.remind_rooms) while listening goes on."""
    manager = IndexedRedisManager("redis://127.0.0.1:6379/0", channel="contract")
    server = _sio_server(manager)
    log: list[str] = []
    attempts = iter([True, False, False, True, True])

    def connect() -> None:
        if not next(attempts):
            raise ConnectionError("refused")
        manager.pubsub = _Subscription(log)

    monkeypatch.setattr(manager, "_redis_connect", connect)
    monkeypatch.setattr(server, "sleep", lambda seconds: log.append(f"sleep {seconds}"))
    monkeypatch.setattr(
        server, "start_background_task", lambda task: log.append(f"task {task.__name__}")
    )
    heard = manager._listen()
    assert [next(heard), next(heard)] == [b"heard", b"heard"], changed(
        SOCKETIO,
        "RedisManager._listen",
        "rooms.py (IndexedRedisManager._redis_listen_with_retries)",
    )
    assert log == [
        "subscribe contract",
        *[f"sleep {REDIS_RETRY_SECONDS}"] * 3,
        "subscribe contract",
        "task _remind_rooms",
    ]


def test_the_redis_client_does_not_reconnect_a_subscription_behind_our_back() -> None:
    """redis-py retries a dropped connection itself and resubscribes unseen unless
    told not to; rooms.py gives it no retries, so every gap reaches our loop."""
    manager = IndexedRedisManager("redis://127.0.0.1:6379/0", channel="contract")
    manager._redis_connect()
    assert manager.redis.get_retry().get_retries() == 0, changed(
        "redis", "Redis.from_url(retry=…)", "rooms.py (IndexedRedisManager.__init__)"
    )


def test_a_connection_keeps_its_environ_with_the_flask_app_in_it() -> None:
    """push.remind_rooms finds the app from a screen's connection: Flask-SocketIO's
    middleware puts it in the WSGI environ, and the server keeps that environ by
    Engine.IO session."""
    from flask_socketio import SocketIO

    app = Flask("contract")
    SocketIO().init_app(app, client_manager=IndexedManager(), async_mode="threading")
    seen: list[dict[str, Any]] = []

    def inner(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        seen.append(environ)
        start_response("200 OK", [])
        return [b""]

    app.wsgi_app.wsgi_app = inner  # the Flask app behind the Socket.IO middleware
    app.wsgi_app({"PATH_INFO": "/", "REQUEST_METHOD": "GET"}, lambda *_args: None)
    assert seen and seen[0].get("flask.app") is app, changed(
        "flask-socketio", "environ['flask.app']", "kiosk_server/live/push.py (_app_of)"
    )
    server = app.extensions["socketio"].server
    server._handle_eio_connect("eio1", seen[0])
    assert server.environ["eio1"] is seen[0], changed(
        SOCKETIO, "Server.environ", "kiosk_server/live/push.py (_app_of)"
    )


# ---- Flask-SocketIO: where the app finds the client manager


def test_the_apps_socketio_server_has_the_manager_and_json_we_gave() -> None:
    from flask_socketio import SocketIO

    app = Flask("contract")
    manager = IndexedManager()
    SocketIO().init_app(app, client_manager=manager, async_mode="threading", json=wire_json)
    server = getattr(app.extensions.get("socketio"), "server", None)
    relied_on = "kiosk_server/listings/feed_cache.py (_hear_messages)"
    assert getattr(server, "manager", None) is manager, changed(
        "flask-socketio", 'app.extensions["socketio"].server.manager', relied_on
    )
    assert server.packet_class.json is wire_json, changed(
        "flask-socketio", "init_app(json=…) reaching python-socketio's packets", "wire_json.py"
    )


# ---- gevent-websocket and gevent's pywsgi: the handshake sockets.py takes over

GEVENT_WEBSOCKET = "gevent-websocket"

HANDSHAKE = (
    b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
    b"Host: localhost\r\n"
    b"Upgrade: websocket\r\n"
    b"Connection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Sec-WebSocket-Version: 13\r\n"
    b"\r\n"
)
MASK = b"\x1f\x8b\x3c\x77"
# "40", a Socket.IO connect, masked as a browser sends it.
FIRST_FRAME = b"\x81\x82" + MASK + bytes(b ^ MASK[i % 4] for i, b in enumerate(b"40"))


def _read_at_least(sock: gevent.socket.socket, data: bytes, size: int) -> bytes:
    while len(data) < size:
        chunk = sock.recv(4096)
        assert chunk, f"the connection ended after {data!r}"
        data += chunk
    return data


def _read_fd(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        gevent.socket.wait_read(fd, timeout=5)
        data += os.read(fd, size - len(data))
    return data


@pytest.fixture
def websocket_server() -> Iterator[tuple[Any, gevent.pool.Pool, dict[str, Any]]]:
    """gevent's pywsgi with gevent-websocket's handler, as in ScreenWorker; the app
    adopts the connection as LeanSocket._websocket_handler does, once upgraded."""
    from gevent import pywsgi
    from geventwebsocket.handler import WebSocketHandler

    taken: dict[str, Any] = {"done": gevent.event.Event()}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        ws = environ["wsgi.websocket"]
        taken["handler_type"] = type(ws.handler)
        taken["fd"], taken["already_read"] = _adopt(SimpleNamespace(_sock=ws))
        taken["done"].set()
        return []

    requests = gevent.pool.Pool()
    server = pywsgi.WSGIServer(
        ("127.0.0.1", 0), app, handler_class=WebSocketHandler, spawn=requests, log=None
    )
    server.start()
    yield server, requests, taken
    server.stop()
    if "fd" in taken:
        os.close(taken["fd"])


def test_a_real_handshakes_connection_is_ours_once_adopted(
    websocket_server: tuple[Any, gevent.pool.Pool, dict[str, Any]],
) -> None:
    from geventwebsocket.handler import WebSocketHandler

    server, requests, taken = websocket_server
    relied_on = "kiosk_server/live/sockets.py (_adopt)"
    browser = gevent.socket.create_connection(("127.0.0.1", server.server_port), timeout=5)
    try:
        # The first frame right behind the handshake, as a fast client sends it.
        browser.sendall(HANDSHAKE + FIRST_FRAME)
        assert taken["done"].wait(5), changed(
            GEVENT_WEBSOCKET, "environ['wsgi.websocket'] or WebSocket.handler", relied_on
        )
        assert taken["handler_type"] is WebSocketHandler
        # The request's greenlet ends: from here on, only our descriptor holds the connection.
        assert requests.join(timeout=5), changed(
            GEVENT_WEBSOCKET, "the end of a WebSocket request", relied_on
        )

        received = b""
        while b"\r\n\r\n" not in received:
            received = _read_at_least(browser, received, len(received) + 1)
        response, _, after_response = received.partition(b"\r\n\r\n")
        assert response.startswith(b"HTTP/1.1 101"), response
        # What the handshake's buffer held past it, then what is still in the socket:
        # the first frame whole, read through gevent's pywsgi buffer without blocking.
        first = taken["already_read"]
        first += _read_fd(taken["fd"], len(FIRST_FRAME) - len(first))
        assert first == FIRST_FRAME, changed(
            "gevent", "pywsgi's request buffer (handler.rfile.peek())", relied_on
        )
        # Neither library wrote (no close frame) or closed it as its request ended.
        os.write(taken["fd"], frame("3probe"))
        after_response = _read_at_least(browser, after_response, len(frame("3probe")))
        assert after_response == frame("3probe"), changed(
            GEVENT_WEBSOCKET, "what its handler does with a connection it no longer has", relied_on
        )
    finally:
        browser.close()

    # access_log.py filters this logger, where the handler logs each request line.
    assert server.logger.name == "geventwebsocket.handler", changed(
        GEVENT_WEBSOCKET, "its handler's logger", "kiosk_server/access_log.py"
    )


def test_gevent_websockets_worker_is_gunicorns_gevent_worker_with_its_handler() -> None:
    from geventwebsocket.gunicorn.workers import GeventWebSocketWorker
    from geventwebsocket.handler import WebSocketHandler
    from gunicorn.workers.ggevent import GeventPyWSGIWorker

    assert issubclass(GeventWebSocketWorker, GeventPyWSGIWorker), changed(
        GEVENT_WEBSOCKET, "GeventWebSocketWorker's base", "sockets.py (ScreenWorker)"
    )
    assert GeventWebSocketWorker.wsgi_handler is WebSocketHandler, changed(
        GEVENT_WEBSOCKET, "GeventWebSocketWorker.wsgi_handler", "sockets.py (ScreenWorker)"
    )


# ---- gevent: the hub loop's watchers that LoopWebSocket is served from

GEVENT = "gevent"


def test_loop_watchers_call_back_with_no_arguments_until_stopped() -> None:
    relied_on = "kiosk_server/live/loop_websocket.py (LoopWebSocket), sockets.py (ping timer)"
    loop = gevent.get_hub().loop
    ours, peer = gevent.socket.socketpair()
    readable = gevent.event.Event()
    reader = loop.io(ours.fileno(), 1)
    reader.start(readable.set)
    peer.send(b"x")
    assert readable.wait(5), changed(GEVENT, "loop.io(fd, 1).start(callback)", relied_on)
    reader.stop()
    readable.clear()
    peer.send(b"y")
    writable = gevent.event.Event()
    writer = loop.io(ours.fileno(), 2)
    writer.start(writable.set)
    assert writable.wait(5), changed(GEVENT, "loop.io(fd, 2).start(callback)", relied_on)
    assert not readable.is_set(), changed(GEVENT, "a stopped io watcher", relied_on)
    for watcher in (reader, writer):
        watcher.stop()
        watcher.close()

    fired = gevent.event.Event()
    timer = loop.timer(0.001)
    timer.start(fired.set)
    assert fired.wait(5), changed(GEVENT, "loop.timer(seconds).start(callback)", relied_on)
    timer.close()
    ours.close()
    peer.close()


def test_a_detached_socket_leaves_its_descriptor_open() -> None:
    ours, peer = gevent.socket.socketpair()
    ours.settimeout(0.0)
    fd = ours.detach()
    try:
        os.write(fd, b"still open")
        assert peer.recv(16) == b"still open", changed(
            GEVENT, "socket.detach()", "kiosk_server/live/sockets.py (_adopt)"
        )
    finally:
        os.close(fd)
        peer.close()
    assert "track_greenlet_tree" in gevent.config.settings, changed(
        GEVENT, "config.track_greenlet_tree", "kiosk_server/live/sockets.py (ScreenWorker)"
    )


# ---- gunicorn: the worker method and log atoms our subclasses override


def _calls(function: Callable[..., Any]) -> list[str]:
    """The `self.x()` and `super().x()` calls in a function, in order."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id == "self":
                found.append((node.lineno, f"self.{node.func.attr}"))
            elif isinstance(owner, ast.Call) and getattr(owner.func, "id", "") == "super":
                found.append((node.lineno, f"super().{node.func.attr}"))
    return [call for _line, call in sorted(found)]


def test_the_gevent_worker_loads_the_app_after_patching() -> None:
    """ScreenWorker.load_wsgi sets gevent up and installs the lean sockets: it must run
    in the worker, after gevent patched the standard library, before the app is served."""
    from gunicorn.workers.base import Worker
    from gunicorn.workers.ggevent import GeventWorker

    relied_on = "kiosk_server/live/sockets.py (ScreenWorker.load_wsgi)"
    gevent_init = _calls(GeventWorker.init_process)
    assert gevent_init[:1] == ["self.patch"] and "super().init_process" in gevent_init, changed(
        "gunicorn", "GeventWorker.init_process (patch, then the base's)", relied_on
    )
    base_init = _calls(Worker.init_process)
    assert "self.load_wsgi" in base_init and base_init.index("self.load_wsgi") < base_init.index(
        "self.run"
    ), changed("gunicorn", "Worker.init_process (load_wsgi before run)", relied_on)


def test_the_log_atoms_that_carry_a_query_string_are_the_ones_access_log_empties() -> None:
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    from kiosk_server.access_log import PrivateAccessLogger

    secret = "t=5f0c9a7b"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/r/AB12?{secret}",
        "PATH_INFO": "/r/AB12",
        "QUERY_STRING": secret,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://example.org/r/AB12?{secret}",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = Logger(Config()).atoms(response, request, environ, _elapsed())
    carrying = {name for name, value in atoms.items() if secret in str(value)}
    emptied = {
        name
        for name, value in PrivateAccessLogger(Config())
        .atoms(response, request, environ, _elapsed())
        .items()
        if name in atoms and value != atoms[name]
    }
    assert carrying <= emptied, changed(
        "gunicorn",
        f"Logger.atoms (atoms {sorted(carrying - emptied)} now carry the query string)",
        "kiosk_server/access_log.py (PrivateAccessLogger.atoms)",
    )


def _elapsed() -> Any:
    from datetime import timedelta

    return timedelta(milliseconds=12)


# ---- Flask-Limiter: the breached window Retry-After is taken from


def test_a_request_limit_has_the_window_retry_after_reads() -> None:
    from flask_limiter import Limiter, RateLimitExceeded

    app = Flask("contract")
    limiter = Limiter(key_func=lambda: "203.0.113.9", app=app, storage_uri="memory://")
    seen: dict[str, Any] = {}

    @app.get("/sign-in")
    @limiter.limit("2 per minute", error_message="太频繁")
    def sign_in() -> str:
        seen["counted"] = [(c.key, c.remaining, c.reset_at) for c in limiter.current_limits]
        return "ok"

    @app.errorhandler(RateLimitExceeded)
    def refused(error: RateLimitExceeded) -> tuple[str, int]:
        breached = limiter.current_limit
        seen["message"] = (error.limit.error_message, error.description)
        seen["window"] = (breached.window.reset_time, breached.reset_at, breached.remaining)
        return "no", 429

    client = app.test_client()
    before = time.time()
    statuses = [client.get("/sign-in").status_code for _ in range(3)]
    relied_on = "kiosk_server/throttle.py"
    assert statuses == [200, 200, 429]
    [(key, remaining, _reset_at)] = seen["counted"]
    assert "203.0.113.9" in key and remaining == 0, changed(
        "flask-limiter", "Limiter.current_limits (RequestLimit.key, .remaining)", relied_on
    )
    assert seen["message"] == ("太频繁", "太频繁"), changed(
        "flask-limiter", "RateLimitExceeded.limit.error_message / .description", relied_on
    )
    reset_time, reset_at, remaining = seen["window"]
    assert before < reset_time <= time.time() + 60 and reset_at == int(reset_time + 1), changed(
        "flask-limiter",
        "`RequestLimit.window` (its reset_time, the breached window's end)",
        f"{relied_on} (retry_after_seconds)",
    )
    assert remaining == 0


# ---- Flask and Flask-SQLAlchemy (one undocumented order, one private name)


def test_the_apps_session_teardown_runs_before_flask_sqlalchemys(tmp_path: Path) -> None:
    """errors.py's end_database_session closes the session, logging a failure, before
    Flask-SQLAlchemy's own teardown would raise it: Flask calls teardown_appcontext
    functions latest first, which it does not document."""
    from kiosk_server import create_app
    from kiosk_server.errors import end_database_session
    from kiosk_server.extensions import db
    from tests.conftest import make_config

    order: list[str] = []
    probe = Flask(__name__)
    probe.teardown_appcontext(lambda _error: order.append("first registered"))
    probe.teardown_appcontext(lambda _error: order.append("last registered"))
    with probe.app_context():
        pass
    relied_on = "kiosk_server/errors.py (end_database_session)"
    assert order == ["last registered", "first registered"], changed(
        "flask", "the order of teardown_appcontext functions", relied_on
    )
    app = create_app(make_config(f"sqlite:///{tmp_path / 'order.sqlite3'}", tmp_path))
    teardowns = app.teardown_appcontext_funcs
    assert teardowns.index(end_database_session) > teardowns.index(db._teardown_session), changed(
        "flask-sqlalchemy", "where init_app registers its teardown", relied_on
    )
