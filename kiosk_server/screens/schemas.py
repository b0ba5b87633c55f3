"""What screens send: registration over HTTP, cursors over the socket."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from kiosk_server.validation import MAX_ID, Id, Line, Strict

# Change numbers are PostgreSQL integers; a larger one could only fail to store.
Seq = Annotated[int, Field(ge=0, le=MAX_ID, strict=True)]
ScopeKey = Annotated[str, Field(pattern=r"^[1-9][0-9]{0,9}$")]


class TvRegistrationIn(Strict):
    kind: Literal["tv"] = "tv"
    community_id: Id
    app_version: Line(32) = ""


class CursorsIn(Strict):
    # {"<place id>": last change applied in that scope}
    cursors: Annotated[dict[ScopeKey, Seq], Field(max_length=16)]

    def as_ints(self) -> dict[int, int]:
        return {int(key): value for key, value in self.cursors.items() if int(key) <= MAX_ID}


class KioskEnrolmentIn(Strict):
    # Eight digits, as staff read them out; spaces are allowed for readability.
    code: Annotated[str, Field(pattern=r"^[0-9 ]{8,12}$")]
    app_version: Line(32) = ""


class ScreensQuery(Strict):
    """Staff's list of screens, a page at a time: all, one kind, or those in one state."""

    kind: Literal["tv", "kiosk"] | None = None
    # stale: has left a change unapplied for more than two minutes.
    status: Literal["online", "offline", "stale"] | None = None
    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 50


class DeliveryQuery(Strict):
    """A page of the screens a listing or announcement reaches; totals always count them all."""

    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=200)] = 50
