"""Limits on every public write, per client address and per screen token.

Nobody logs in to register a TV, enrol a kiosk, ask for a callback, register or
cancel a registration, so each is limited here: a stranger with one address or
one token cannot flood staff, mint tokens or guess enrolment codes. The sizes
are in config.RATE_LIMITS (RATE_LIMIT_<NAME> in the environment). Staff logins
are limited per address (LOGIN_RATE_LIMIT) and, for wrong passwords, per address
and username (login_lock), so a guesser locks out only themself.

Counts live where RATELIMIT_STORAGE_URI says, so several server processes share
them. A refusal is 429 with Retry-After, in JSON for the API and as a Chinese page
for the phone's forms.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Flask, Response, current_app, make_response, request
from flask.typing import ResponseReturnValue
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import RateLimitItemPerSecond

from kiosk_server.errors import ApiError
from kiosk_server.extensions import limiter
from kiosk_server.listings.feed_cache import KEEPABLE
from kiosk_server.validation import json_object

View = TypeVar("View", bound=Callable[..., Any])

# When the window's end cannot be read, a minute is a fair guess to give.
FALLBACK_RETRY_SECONDS = 60
TOO_OFTEN = "操作太频繁，请稍后再试"
LOCKED = "登录失败次数过多，请15分钟后再试"
# Refusals that are not "too often" carry their own code.
CODES = {LOCKED: "locked"}


def _configured(name: str) -> Callable[[], str]:
    return lambda: str(current_app.config["RATE_LIMITS"].get(name) or "")


def _off(name: str) -> Callable[[], bool]:
    return lambda: not current_app.config["RATE_LIMITS"].get(name)


def _digest(value: str) -> str:
    """Tokens and names are kept out of the counters' keys (Redis is not a vault)."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _screen_token() -> str:
    return request.headers.get("X-Screen-Token") or ""


def _by_token() -> str:
    return "screen:" + _digest(_screen_token())


def _without_token() -> bool:
    return not _screen_token()


def _login_name() -> str:
    """The username tried, or "" for a body the view will refuse anyway. A key
    function must not raise: Flask-Limiter would take it for a storage failure."""
    try:
        body = json_object()
    except ApiError:
        return ""
    name = body.get("username")
    return name.strip().lower() if isinstance(name, str) else ""


def _by_address_and_name() -> str:
    return f"{get_remote_address()}:{_digest(_login_name())}"


def _limit(name: str, *, per_token: bool = False, **options: Any) -> Callable[[View], View]:
    """One named limit from the configuration, counted per address or per screen token."""
    return limiter.limit(
        _configured(name),
        key_func=_by_token if per_token else get_remote_address,
        exempt_when=_off(name),
        error_message=options.pop("error_message", TOO_OFTEN),
        **options,
    )


def _shared(name: str, exempt_when: Callable[[], bool] | None = None) -> Callable[[View], View]:
    """One count per address across every route that uses the limit `name`, POSTs only."""

    def exempt() -> bool:
        return _off(name)() or (exempt_when is not None and exempt_when())

    return limiter.shared_limit(
        _configured(name),
        scope=name,
        exempt_when=exempt,
        methods=["POST"],
        error_message=TOO_OFTEN,
    )


def _both(*limits: Callable[[View], View]) -> Callable[[View], View]:
    def apply(view: View) -> View:
        for limit in reversed(limits):
            view = limit(view)
        return view

    return apply


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _login_unlimited() -> bool:
    return not current_app.config.get("LOGIN_RATE_LIMIT")


def _wrong_password(response: Response) -> bool:
    return response.status_code == 401


# Every attempt counts against the address, and a refused one is refused before its
# password is checked: it costs no hashing and says nothing about the guess. Wrong
# passwords count against the address and name too: known and unknown names alike,
# so the lock tells nothing about which accounts exist.
limit_login = _both(
    limiter.limit(
        _login_limit, exempt_when=_login_unlimited, error_message="登录尝试太频繁，请稍后再试"
    ),
    limiter.limit(
        _configured("login_lock"),
        key_func=_by_address_and_name,
        exempt_when=_off("login_lock"),
        deduct_when=_wrong_password,
        error_message=LOCKED,
    ),
)
limit_logout = _limit("logout")
# A TV registers once; many homes may share an address behind a carrier's NAT.
limit_screen_signup = _limit("screen_signup")
# Eight digits valid for a day: a guesser gets a few tries an hour per address.
limit_kiosk_enrolment = _limit("kiosk_enrolment")
limit_callback = _both(
    _limit("callback_per_screen", per_token=True), _limit("callback_per_address")
)
# A kiosk (with its token) is counted per token and per station address; a phone
# (without one) shares the phone forms' count for its address.
limit_registration = _both(
    limiter.limit(
        _configured("registration_per_screen"),
        key_func=_by_token,
        exempt_when=lambda: _off("registration_per_screen")() or _without_token(),
        error_message=TOO_OFTEN,
    ),
    limiter.limit(
        _configured("registration_per_address"),
        exempt_when=lambda: _off("registration_per_address")() or _without_token(),
        error_message=TOO_OFTEN,
    ),
    _shared("phone_signup", exempt_when=lambda: not _without_token()),
)
limit_phone_signup = _shared("phone_signup")
limit_registration_cancel = _limit("registration_cancel")


def login_locked_until() -> datetime | None:
    """When this wrong password is the last one the lock allows from this address for
    this name, the moment the lock will end; else None."""
    key = _by_address_and_name()
    for counted in limiter.current_limits:
        # Counted after the answer (deduct_when): one left means this one spends it.
        if key in counted.key and counted.remaining <= 1:
            return datetime.fromtimestamp(counted.reset_at, UTC)
    return None


def requester_address() -> str:
    """The address a request is counted by, here as in every limit of Flask-Limiter's."""
    return get_remote_address()


def spend_mobile_use(mobile: str, amount: int, seconds: int, client: str) -> bool:
    """Count one registration of `mobile` from the `client` address; False once the
    address has made `amount` of them in `seconds`. Counted per address, not per number
    alone: a count that strangers share would tell them a number was used elsewhere
    (issue 22, point 2), and let them use it up for its owner."""
    if not limiter.enabled:
        return True
    item = RateLimitItemPerSecond(amount, seconds)
    prefix = str(current_app.config.get("RATELIMIT_KEY_PREFIX") or "")
    key = ("mobile_use", prefix, client, _digest(mobile))
    try:
        return limiter.limiter.hit(item, *key)
    except Exception:  # the storage's own errors: redis, memcached, ...
        # As Flask-Limiter's limits do while their storage is away: let it through.
        current_app.logger.warning("Rate limit storage unreachable: a number's count skipped")
        return True


def retry_after_seconds() -> int:
    breached = limiter.current_limit
    if breached is None:
        return FALLBACK_RETRY_SECONDS
    # The window's own end: reset_at rounds it up a further second.
    return max(1, math.ceil(breached.window.reset_time - time.time()))


def _refuse(error: RateLimitExceeded) -> Response:
    # Without a message of its own, the description is the limit in English ("10 per 1 minute").
    message = error.description if error.limit.error_message else TOO_OFTEN
    refusal = ApiError(429, message, code=CODES.get(message, "rate_limited"))
    # The app's own handler: JSON for the API, a Chinese page for a phone's form.
    response = make_response(current_app.handle_user_exception(refusal))
    response.headers["Retry-After"] = str(retry_after_seconds())
    return response


# The reads every screen and phone makes, mostly answered from memory (feed_cache).
# None has a limit: the limits above are on writes.
UNLIMITED_READS = frozenset(
    {
        "api.listing_feed",
        "api.home_screen",
        "api.listing_detail",
        "pages.phone_listing",
        "pages.tv_index",
        "pages.kiosk_index",
    }
)
READ_METHODS = frozenset({"GET", "HEAD"})


def _answer_unlimited_read() -> ResponseReturnValue | None:
    """Answer a screen's read before Flask-Limiter's hook, which looks for the request's
    limits even when a request_filter exempts it: that search cost more than a 304
    from memory (issue #21). Flask stops at the first before_request function that
    answers, and answers it as the view's own return value: errors, after_request
    functions (headers, compression) and teardown are as for any request. The app's
    functions run before a blueprint's, so none may be set on these views'
    blueprints (tests/functional/test_abuse_limits.py checks)."""
    endpoint = request.endpoint
    if endpoint not in UNLIMITED_READS or request.method not in READ_METHODS:
        return None
    # Its whole answer may be kept and sent again while trusted (feed_cache.answer_kept).
    request.environ[KEEPABLE] = True
    return current_app.view_functions[endpoint](**(request.view_args or {}))


def init_app(app: Flask) -> None:
    app.before_request(_answer_unlimited_read)  # ahead of the limiter's own hook
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _refuse)
