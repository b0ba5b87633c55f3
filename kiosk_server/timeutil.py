"""Time handling: everything is stored in UTC and shown in China Standard Time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

CHINA = ZoneInfo("Asia/Shanghai")
WEEKDAYS = "一二三四五六日"


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(CHINA)


def china_midnight(day: date) -> datetime:
    """The moment a China day begins: staff pick days as they live them."""
    return datetime.combine(day, time.min, tzinfo=CHINA)


def local_today() -> date:
    """Today in China: until 8 in the morning, UTC is still on yesterday."""
    return to_local(utcnow()).date()


def day_label(day: date) -> str:
    """ "11月22日（周日）", as people say a day."""
    return f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）"


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend.

    SQLite keeps no offset, so values are normalised to UTC before storing.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
