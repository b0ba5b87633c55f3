"""Parsing request input with pydantic, with field messages in Chinese."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Self, TypeVar

from flask import request
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from kiosk_server.errors import ApiError

MAX_ID = 2**31 - 1  # PostgreSQL integer; larger ids would overflow, not 404
M = TypeVar("M", bound=BaseModel)
# Leading parts of an error's location that users never typed, level by level:
# an envelope's field, then a discriminated union's tag.
Hidden = tuple[frozenset[str], ...]

# JSON bodies: a number must be a number (lax mode would take true or "5").
Id = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]
Count = Annotated[int, Field(ge=0, le=1_000_000, strict=True)]
Flag = Annotated[bool, Field(strict=True)]
# Query strings are text by nature, so these convert.
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]

# Bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C) make text
# read in another order than it was typed (a name shown reversed in the console or
# the CSV); line and paragraph separators (U+2028/9) break a line where no line break
# shows. Dropped from all input, not refused: a pasted name carries them unseen.
_MISLEADING = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]")


def without_misleading(value: Any) -> Any:
    """The value with misleading characters dropped from every text in it, at any depth."""
    if isinstance(value, str):
        return _MISLEADING.sub("", value)
    if isinstance(value, dict):
        return {key: without_misleading(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_misleading(item) for item in value]
    return value


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def _clean_multiline(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("包含无法显示的字符")
    return value.replace("\r\n", "\n").strip()


def _clean_line(value: str) -> str:
    if _CONTROL_SINGLE_LINE.search(value):
        raise ValueError("包含无法显示的字符或换行")
    return value.strip()


# The same rules for the OpenAPI document (JSON Schema patterns): no control character
# anywhere, and for a required field one character that is neither space nor dropped.
_NO_CONTROL = r"\x00-\x1f\x7f"
DROPPED_CHARS = r"\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029"
LINE_PATTERN = f"^[^{_NO_CONTROL}]*$"
FILLED_LINE_PATTERN = rf"^[^{_NO_CONTROL}]*[^\s{_NO_CONTROL}{DROPPED_CHARS}][^{_NO_CONTROL}]*$"
PARAGRAPHS_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def Line(max_length: int, min_length: int = 0) -> Any:
    """One line of text, trimmed, with no control characters."""
    # The trimmed text must be filled: spaces alone are empty.
    pattern = FILLED_LINE_PATTERN if min_length else LINE_PATTERN
    return Annotated[
        str,
        # Also here, for a line checked outside a schema (a screen's app version).
        BeforeValidator(without_misleading),
        Field(
            max_length=max_length,
            min_length=min_length,
            json_schema_extra={"pattern": pattern},
        ),
        AfterValidator(_clean_line),
        AfterValidator(_require_min(min_length)),
    ]


def Paragraphs(max_length: int) -> Any:
    return Annotated[
        str,
        Field(max_length=max_length, json_schema_extra={"pattern": PARAGRAPHS_PATTERN}),
        AfterValidator(_clean_multiline),
    ]


def _require_min(min_length: int) -> Any:
    def check(value: str) -> str:
        if min_length and len(value) < min_length:
            raise ValueError("必填" if min_length == 1 else f"至少{min_length}个字")
        return value

    return check


PHONE_PATTERN = r"^[0-9][0-9\- ]{4,19}$"
Phone = Annotated[str, Field(pattern=PHONE_PATTERN), AfterValidator(_clean_line)]
# One type rather than `Phone | Literal[""]`: a union's errors carry its
# members' names in the location, which no one can act on.
PhoneOrBlank = Annotated[str, Field(pattern=f"^$|{PHONE_PATTERN}")]


def _text_time(value: Any) -> Any:
    # pydantic would read a number as seconds (or milliseconds) since 1970;
    # a client that sends one has a bug, and a guessed date would go live.
    if isinstance(value, int | float):
        raise ValueError("日期格式不对，例如 2026-11-22T19:00:00+08:00")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(_text_time)]
Day = Annotated[date, BeforeValidator(_text_time)]


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("应为数字")
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(_not_bool),
    Field(ge=0, le=1_000_000, decimal_places=2, allow_inf_nan=False),
]


class Strict(BaseModel):
    """Unknown fields are refused rather than silently dropped. Every input schema is
    one (tests/unit/test_misleading_text.py), so every text field of every input,
    whatever its own type, is cleaned here before it is checked."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    @model_validator(mode="before")
    @classmethod
    def _drop_misleading(cls, data: Any) -> Any:
        return without_misleading(data)


class NoQuery(Strict):
    """For a route that takes no query string: a stray parameter is a client's
    mistake (a filter it thinks exists), so it is refused, not ignored."""


class FieldProblem(ValueError):
    """A cross-field check that failed, pinned to the field a person would correct."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _query_day(value: Any) -> Any:
    # A day, not a moment: Day's message shows a time and zone.
    if not isinstance(value, str) or not _DAY.match(value):
        raise ValueError("日期格式不对，例如 2026-11-22")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("没有这一天，例如 2026-11-22") from None


QueryDay = Annotated[date, BeforeValidator(_query_day)]


class DayRange(Strict):
    """`from` and `to` in a staff list's query: China days, both included."""

    from_: QueryDay | None = Field(default=None, alias="from")
    to: QueryDay | None = None

    @model_validator(mode="after")
    def _days_in_order(self) -> Self:
        if self.from_ and self.to and self.to < self.from_:
            raise FieldProblem("to", "结束日期不能早于开始日期")
        return self


def _message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "必填"
    if kind == "extra_forbidden":
        return "不支持此字段"
    # Limits on text that has validators of its own come back as plain too_long/too_short,
    # the same types as for lists; what was sent tells them apart.
    text = isinstance(error.get("input"), str)
    if kind == "string_too_long" or (kind == "too_long" and text):
        return f"最多{ctx.get('max_length')}个字"
    if kind == "too_long":
        return "条目太多"
    if kind == "string_too_short" or (kind == "too_short" and text):
        return "必填" if ctx.get("min_length") == 1 else f"至少{ctx.get('min_length')}个字"
    if kind == "string_unicode":
        return "包含无法显示的字符"
    if kind == "string_type":
        return "应为文字"
    if kind.startswith("int_") or kind == "int_from_float":
        return "应为整数"
    if kind.startswith(("float_", "decimal_parsing", "decimal_type")):
        return "应为数字"
    if kind == "decimal_max_places":
        return f"最多{ctx.get('decimal_places')}位小数"
    if kind in {"greater_than_equal", "greater_than"}:
        return f"不能小于{ctx.get('ge', ctx.get('gt'))}"
    if kind in {"less_than_equal", "less_than"}:
        return f"不能大于{ctx.get('le', ctx.get('lt'))}"
    if kind in {"literal_error", "enum"}:
        # pydantic joins the last choice with an English "or".
        return f"应为以下之一：{str(ctx.get('expected', '')).replace(' or ', ', ')}"
    if kind.startswith("bool"):
        return "应为 true 或 false"
    if kind.startswith("timezone_aware") or kind.startswith("timezone"):
        return "请带上时区，例如 2026-11-22T19:00:00+08:00"
    if kind.startswith(("datetime", "date")):
        return "日期格式不对，例如 2026-11-22T19:00:00+08:00"
    if kind == "string_pattern_mismatch":
        return "格式不对"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return "应为对象"
    if kind == "list_type":
        return "应为列表"
    if kind == "union_tag_invalid":
        return f"应为以下之一：{ctx.get('expected_tags', '')}"
    if kind == "union_tag_not_found":
        return "必填"
    if kind == "value_error":
        return str(ctx.get("error", "格式不对"))
    return "格式不对"


def _path(item: Mapping[str, Any], hidden: Hidden) -> list[str]:
    path = [str(part) for part in item["loc"]]
    # Matched level by level, not anywhere: the job block is itself named
    # "job", and "job.pay.min" must keep it.
    for level in hidden:
        if not path or path[0] not in level:
            break
        path.pop(0)
    ctx = item.get("ctx") or {}
    if item["type"] in {"union_tag_invalid", "union_tag_not_found"}:
        path.append(str(ctx.get("discriminator", "")).strip("'"))
    if isinstance(ctx.get("error"), FieldProblem):
        path.append(ctx["error"].field)
    # A bad key of a mapping is reported at "[key]" below the key itself.
    return [part for part in path if part != "[key]"]


def field_messages(error: ValidationError, hidden: Hidden = ()) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in error.errors():
        key = ".".join(_path(item, hidden)) or "_body"
        fields.setdefault(key, _message(item))
    return fields


def parse(model: type[M], data: Any, hidden: Hidden = ()) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ApiError(422, fields=field_messages(error, hidden)) from None


def json_body() -> Any:
    """The request's JSON, or a clear 415/400 instead of Flask's HTML page.

    An empty body counts as an empty object, for actions with optional settings.
    """
    if not request.get_data(cache=True) and not request.content_type:
        return {}
    if not request.is_json:
        raise ApiError(415)
    raw = request.get_data(cache=True)
    try:
        return json.loads(raw, parse_constant=_not_json)
    # RecursionError: a body of nothing but "[[[[…" fits in the size limit.
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ApiError(400, "JSON 格式不对", code="malformed_json") from None


def _not_json(constant: str) -> Any:
    # Python reads NaN and Infinity, but they are not JSON and no client means them.
    raise ValueError(f"{constant} is not JSON")


def json_object() -> dict[str, Any]:
    data = json_body()
    if not isinstance(data, dict):
        raise ApiError(422, fields={"_body": "应为 JSON 对象"})
    return data


def parse_body(model: type[M], hidden: Hidden = ()) -> M:
    return parse(model, json_object(), hidden)


def parse_query(model: type[M]) -> M:
    args: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        if len(values) > 1:
            raise ApiError(422, fields={key: "只能出现一次"})
        args[key] = values[0]
    return parse(model, args)
