"""What staff may ask of the audit log."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from kiosk_server.validation import DayRange, Line, QueryId


class AuditQuery(DayRange):
    q: Line(40) | None = None
    action: Annotated[str, Field(max_length=40, pattern=r"^[a-z_]+\.[a-z_]+$")] | None = None
    entity_type: (
        Literal["listing", "announcement", "screen", "enrolment_code", "staff", "registration"]
        | None
    ) = None
    entity_id: QueryId | None = None
    staff_id: QueryId | None = None
    place_id: QueryId | None = None
    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 50
