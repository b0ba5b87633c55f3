"""Slowing down password guessing by client address, whichever accounts it tries.

The account lock in staff/actions.py stops guesses at one account; this stops one
address going through many. Counts live where RATELIMIT_STORAGE_URI says, so
several server processes share them.
"""

from __future__ import annotations

import math
import time

from flask import Flask, Response, current_app
from flask_limiter import RateLimitExceeded

from kiosk_server.errors import ApiError, error_response
from kiosk_server.extensions import limiter

# When the window's end cannot be read, a minute is a fair guess to give.
FALLBACK_RETRY_SECONDS = 60


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _login_unlimited() -> bool:
    return not current_app.config.get("LOGIN_RATE_LIMIT")


# Every attempt counts, and a refused one is refused before its password is
# checked: it costs no hashing and says nothing about whether the guess was right.
limit_login = limiter.limit(
    _login_limit,
    exempt_when=_login_unlimited,
    error_message="登录尝试太频繁，请稍后再试",
)


def _retry_after() -> int:
    breached = limiter.current_limit
    if breached is None:
        return FALLBACK_RETRY_SECONDS
    # The window's own end: reset_at rounds it up a further second.
    return max(1, math.ceil(breached.window.reset_time - time.time()))


def _refuse(error: RateLimitExceeded) -> tuple[Response, int]:
    # Without a message of its own, the description is the limit in English ("10 per 1 minute").
    message = error.description if error.limit.error_message else None
    response, status = error_response(ApiError(429, message, code="rate_limited"))
    response.headers["Retry-After"] = str(_retry_after())
    return response, status


def init_app(app: Flask) -> None:
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _refuse)
