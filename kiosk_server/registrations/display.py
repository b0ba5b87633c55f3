"""How registrations read to staff: lists, one registration in full, the CSV export.

Mobiles are masked everywhere here (UX.md): revealing one is a separate,
audited step, never a side effect of reading a list, a detail or an export.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kiosk_server.listings.display import iso
from kiosk_server.listings.models import JOB_CATEGORY_NAMES
from kiosk_server.listings.models import KIND_NAMES as LISTING_KIND_NAMES
from kiosk_server.registrations.models import (
    AGE_BAND_NAMES,
    AVAILABILITY_NAMES,
    CHANNEL_NAMES,
    HALF_DAY_NAMES,
    KIND_NAMES,
    STATUS_NAMES,
    Registration,
    allowed_moves,
    mask_mobile,
)
from kiosk_server.timeutil import day_label, to_local


def _names(values: Any, names: dict[str, str]) -> str:
    if not isinstance(values, list):
        return ""
    return "、".join(names.get(str(value), str(value)) for value in values)


def detail_items(registration: Registration) -> list[dict[str, Any]]:
    """The kind's answers as label and text, in the order the forms ask them."""
    details = registration.details or {}
    items: list[dict[str, Any]] = []

    def add(key: str, label: str, text: str) -> None:
        if text:
            items.append({"key": key, "label": label, "value": details.get(key), "text": text})

    add("age_band", "年龄段", AGE_BAND_NAMES.get(str(details.get("age_band")), ""))
    add("wanted", "想找的工作", _names(details.get("wanted"), JOB_CATEGORY_NAMES))
    add("skills", "技能", str(details.get("skills") or ""))
    add("trades", "会的手艺", "、".join(str(t) for t in details.get("trades") or []))
    add("service_area", "服务区域", str(details.get("service_area") or ""))
    add("availability", "方便的时间", _names(details.get("availability"), AVAILABILITY_NAMES))
    day = details.get("preferred_day")
    if isinstance(day, str) and day:
        half = HALF_DAY_NAMES.get(str(details.get("half_day")), "")
        add("preferred_day", "想约的日子", f"{day_label(date.fromisoformat(day))}{half}")
    session = registration.session
    if session is not None:
        when = to_local(session.starts_at).strftime("%Y-%m-%d %H:%M")
        text = f"{when} {session.venue}".strip()
        items.append({"key": "session", "label": "培训期次", "value": session.id, "text": text})
    if registration.waitlisted:
        items.append(
            {"key": "waitlisted", "label": "候补", "value": True, "text": "排在候补名单上"}
        )
    if registration.kind == "application":
        shared = registration.share_with_employer
        items.append(
            {
                "key": "share_with_employer",
                "label": "转给用人单位",
                "value": shared,
                "text": "同意" if shared else "不同意，只由工作人员联系",
            }
        )
    return items


def registration_summary(registration: Registration) -> dict[str, Any]:
    """One line of the inbox, and what the staff socket sends about a registration."""
    listing = registration.listing
    return {
        "id": registration.id,
        "reference": registration.reference,
        "kind": registration.kind,
        "kind_name": KIND_NAMES[registration.kind],
        "status": registration.status,
        "status_name": STATUS_NAMES[registration.status],
        "channel": registration.channel,
        "name": registration.name,
        "mobile": mask_mobile(registration.mobile),
        "community": {"id": registration.community.id, "name": registration.community.name},
        "listing": {"id": listing.id, "title": listing.title} if listing else None,
        "created_at": iso(registration.created_at),
        "updated_at": iso(registration.updated_at),
    }


def registration_detail(registration: Registration) -> dict[str, Any]:
    listing = registration.listing
    return {
        **registration_summary(registration),
        "channel_name": CHANNEL_NAMES.get(registration.channel, registration.channel),
        "details": detail_items(registration),
        "listing": None
        if listing is None
        else {
            "id": listing.id,
            "kind": listing.kind,
            "kind_name": LISTING_KIND_NAMES.get(listing.kind, listing.kind),
            "title": listing.title,
            "status": listing.status,
            "employer": listing.employer,
            "target": {"id": listing.target.id, "name": listing.target.name},
        },
        "consented_at": iso(registration.consented_at),
        "notes": [line for line in (registration.notes or "").split("\n") if line],
        "next_statuses": [
            {"status": status, "name": STATUS_NAMES[status]}
            for status in allowed_moves(registration.status)
        ],
    }


CSV_HEADER = ["登记号", "类型", "状态", "姓名", "手机", "社区", "信息", "登记时间", "渠道", "备注"]
# A cell starting with one of these is a formula to Excel (and a tab or return can start one).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """Text as text: a name like "=HYPERLINK(…)" must not run when the file is opened."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def csv_row(registration: Registration) -> list[str]:
    listing = registration.listing
    about = [f"{LISTING_KIND_NAMES.get(listing.kind, '信息')}：{listing.title}"] if listing else []
    about += [f"{item['label']}：{item['text']}" for item in detail_items(registration)]
    cells = [
        registration.reference,
        KIND_NAMES[registration.kind],
        STATUS_NAMES[registration.status],
        registration.name,
        mask_mobile(registration.mobile),
        registration.community.name,
        "；".join(about),
        to_local(registration.created_at).strftime("%Y-%m-%d %H:%M"),
        CHANNEL_NAMES.get(registration.channel, registration.channel),
        registration.notes or "",
    ]
    return [csv_cell(cell) for cell in cells]
