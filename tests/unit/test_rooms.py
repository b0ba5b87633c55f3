"""Leaving Socket.IO rooms costs a client its own rooms, not every room there is."""

from __future__ import annotations

from typing import Any

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
