"""Text that cannot mislead: no input keeps a bidirectional control or a line or
paragraph separator, so a name cannot read reversed or split in the console or the CSV."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from pydantic import BaseModel

import kiosk_server
from kiosk_server.listings.schemas import AnnouncementIn
from kiosk_server.live.events import AppVersion
from kiosk_server.registrations.schemas import GigWorkerIn, JobSeekerIn
from kiosk_server.validation import Strict, parse

# U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C; then U+2028, U+2029.
MISLEADING = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
MISLEADING += ["\u200e", "\u200f", "\u061c", "\u2028", "\u2029"]


def _all_models() -> list[type[BaseModel]]:
    for info in pkgutil.walk_packages(kiosk_server.__path__, "kiosk_server."):
        if ".migrations" not in info.name:
            importlib.import_module(info.name)
    found: list[type[BaseModel]] = []
    pending = list(BaseModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith("kiosk_server."):
            found.append(model)
    return found


def test_every_input_schema_is_strict_and_so_cleans_its_text() -> None:
    models = _all_models()
    assert len(models) > 30  # the walk found the schemas
    loose = [f"{m.__module__}.{m.__qualname__}" for m in models if not issubclass(m, Strict)]
    assert loose == []


@pytest.mark.parametrize("char", MISLEADING, ids=[f"U+{ord(c):04X}" for c in MISLEADING])
def test_each_misleading_character_is_stripped_from_a_line(char: str) -> None:
    until = "2030-01-01T00:00:00+08:00"
    data = parse(AnnouncementIn, {"text": f"今晚{char}7点", "target_id": 1, "valid_until": until})
    assert data.text == "今晚7点"


def test_text_everywhere_in_a_registration_is_cleaned() -> None:
    seeker = parse(
        JobSeekerIn,
        {
            "kind": "job_seeker",
            "idempotency_key": "abcdefgh\u202e",
            "consent": True,
            "name": "\u202e士女王",
            "mobile": "139\u20660000\u20690000",
            "community_id": 1,
            "age_band": "40-49",
            "wanted": ["gig\u200f"],
            "skills": "保洁\u2028做饭",
            "availability": ["weekend\u2069"],
        },
    )
    assert (seeker.name, seeker.mobile, seeker.skills) == ("士女王", "13900000000", "保洁做饭")
    assert seeker.wanted == ["gig"]
    gig = parse(
        GigWorkerIn,
        {
            "kind": "gig_worker",
            "idempotency_key": "abcdefgh",
            "consent": True,
            "name": "王女士",
            "mobile": "13900000000",
            "community_id": 1,
            "age_band": "40-49",
            "trades": ["保\u202d洁"],
            "service_area": "黄岛\u2029街道",
            "availability": ["weekend"],
        },
    )
    assert (gig.trades, gig.service_area) == (["保洁"], "黄岛街道")


def test_a_paragraph_keeps_its_line_breaks_but_not_separators() -> None:
    from kiosk_server.listings.schemas import ListingBase

    fields: dict[str, Any] = {"title": "标题", "target_id": 1, "body": "一行\n二行\u2029三行"}
    assert parse(ListingBase, fields).body == "一行\n二行三行"


def test_a_line_checked_on_its_own_is_cleaned_too() -> None:
    # A screen's app version comes in a Socket.IO event, not through a schema.
    assert AppVersion.validate_python("1.2\u202e.3") == "1.2.3"


def test_text_of_nothing_but_controls_is_blank_and_so_refused_where_required() -> None:
    from kiosk_server.errors import ApiError

    with pytest.raises(ApiError) as refused:
        parse(
            AnnouncementIn,
            {"text": "\u202e\u2028", "target_id": 1, "valid_until": "2030-01-01T00:00:00+08:00"},
        )
    assert refused.value.fields == {"text": "必填"}
