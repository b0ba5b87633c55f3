"""What staff may ask of the audit log."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from kiosk_server.validation import Day, FieldProblem, Line, QueryId, Strict


class AuditQuery(Strict):
    q: Line(40) | None = None
    action: Annotated[str, Field(max_length=40, pattern=r"^[a-z_]+\.[a-z_]+$")] | None = None
    entity_type: (
        Literal["listing", "announcement", "screen", "enrolment_code", "staff", "registration"]
        | None
    ) = None
    entity_id: QueryId | None = None
    staff_id: QueryId | None = None
    place_id: QueryId | None = None
    # Days in China, both included: "from=2026-11-01&to=2026-11-30" is all of November.
    from_: Annotated[Day | None, Field(alias="from")] = None
    to: Day | None = None
    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 50

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.from_ and self.to and self.to < self.from_:
            raise FieldProblem("to", "结束日期不能早于开始日期")
        return self
