"""What residents send when they register."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from kiosk_server.validation import Strict

MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def _mobile(value: Any) -> Any:
    """People type 138 0000 0000 or 138-0000-0000; the number is the digits."""
    if not isinstance(value, str):
        raise ValueError("请输入手机号码")
    digits = re.sub(r"[\s-]", "", value)
    if not digits.isdigit() or len(digits) != 11:
        raise ValueError("请输入11位手机号码")
    if not MOBILE.match(digits):
        raise ValueError("这个号码不像手机号，请检查一下")
    return digits


Mobile = Annotated[str, BeforeValidator(_mobile)]


def _consent(value: Any) -> Any:
    if value is not True:
        raise ValueError("请先同意我们按说明使用您的手机号")
    return value


Consent = Annotated[Literal[True], BeforeValidator(_consent)]


class CallbackIn(Strict):
    """A TV viewer asks staff to call back about one listing."""

    mobile: Mobile
    consent: Consent
    idempotency_key: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")] | None = None
