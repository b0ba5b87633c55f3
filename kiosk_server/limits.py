"""Request body limits: small for JSON everywhere, larger only where a view asks for it.

The check must run before CSRF protection reads the form, so this hook is
registered ahead of it in create_app().
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request

View = TypeVar("View", bound=Callable[..., Any])


def allow_body(max_bytes: int) -> Callable[[View], View]:
    """Let one view accept bodies up to `max_bytes` (uploads)."""

    def mark(view: View) -> View:
        view.max_body_bytes = max_bytes  # type: ignore[attr-defined]
        return view

    return mark


def _apply_view_limit() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "max_body_bytes", None)
    if limit is not None:
        request.max_content_length = limit


def init_app(app: Flask) -> None:
    app.before_request(_apply_view_limit)
