"""Finding screens."""

from __future__ import annotations

from sqlalchemy import select

from kiosk_server.errors import ApiError
from kiosk_server.extensions import db
from kiosk_server.screens.models import Screen, hash_token

# What a screen hears when it is unknown or stopped; apps show "请联系工作人员" on this code.
UNKNOWN_SCREEN = {"code": "unknown_screen", "message": "此屏幕未登记或已停用，请联系工作人员"}


def unknown_screen_error() -> ApiError:
    return ApiError(401, UNKNOWN_SCREEN["message"], code=UNKNOWN_SCREEN["code"])


def active_screen_by_token(token: object) -> Screen | None:
    if not isinstance(token, str) or not 20 <= len(token) <= 200:
        return None
    return db.session.scalar(
        select(Screen).where(Screen.token_hash == hash_token(token), Screen.revoked_at.is_(None))
    )


def scope_ids(screen: Screen) -> list[int]:
    """The rooms a screen listens to: its community and every place above it."""
    return screen.community.ancestor_ids
