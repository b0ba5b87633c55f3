"""What staff send to log in, and what administrators send to manage accounts."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from kiosk_server.validation import Id, Line, Strict


class LoginIn(Strict):
    username: Line(40, 1)
    password: Line(200, 1)


# The same minimum as `flask create-admin`.
MIN_PASSWORD_LENGTH = 8
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def _clean_password(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("包含无法输入的字符")
    # The login form trims what is typed, so such a password could never be used.
    if value != value.strip():
        raise ValueError("密码开头和结尾不能有空格")
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"密码至少{MIN_PASSWORD_LENGTH}位")
    return value


# What _clean_password accepts, for the OpenAPI document.
PASSWORD_PATTERN = r"^[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$"
Password = Annotated[
    str,
    Field(
        max_length=200,
        json_schema_extra={"minLength": MIN_PASSWORD_LENGTH, "pattern": PASSWORD_PATTERN},
    ),
    AfterValidator(_clean_password),
]
# Letters, digits and . _ - : what people can type on any keyboard and read aloud.
Username = Annotated[
    str, Field(min_length=3, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
]
Role = Literal["city_admin", "district", "street", "station"]


class StaffIn(Strict):
    """What an administrator may change on an account (PUT replaces all three)."""

    display_name: Line(40, 1)
    role: Role
    scope_id: Id


class StaffCreateIn(StaffIn):
    username: Username
    password: Password


class PasswordIn(Strict):
    password: Password


class StaffQuery(Strict):
    role: Role | None = None
    active: bool | None = None
    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 50
