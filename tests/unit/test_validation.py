"""Field messages: each limit said in Chinese the way a person can act on it."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk_server.errors import ApiError
from kiosk_server.registrations.schemas import GigWorkerIn, JobSeekerIn
from kiosk_server.validation import parse


def _fields(model: type, data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ApiError) as refused:
        parse(model, data)
    return refused.value.fields


def test_text_with_validators_of_its_own_is_measured_in_characters_not_entries() -> None:
    # Markup is stripped before the length is checked, so pydantic reports these
    # as plain too_long/too_short, as it does for lists.
    gig = _fields(GigWorkerIn, {"trades": ["长" * 21, ""], "service_area": ""})
    seeker = _fields(JobSeekerIn, {"skills": "长" * 201, "wanted": ["gig"] * 7})

    assert gig["trades.0"] == "最多20个字"
    assert gig["trades.1"] == "必填"
    assert gig["service_area"] == "必填"
    assert seeker["skills"] == "最多200个字"
    assert seeker["wanted"] == "条目太多"  # a list stays a list
