"""Security headers on every answer of the app: pages, the apps, the API, errors.

A strict Content-Security-Policy (only the site's own scripts, styles, images and
connections; no inline script, no plugin, no <base>), no framing except the
console framing the TV and kiosk apps for its previews (same origin), no MIME
sniffing, and referers kept inside the site (a registration's page has its token
in its address). The header sets are built once at start; a request only picks one.

Written here rather than with flask-talisman: it parses its policy string again on
every request and sets per-view framing with decorators on the views, and the rule
here is one path test. JSON-LD (<script type="application/ld+json">) is data, which
a browser never runs, so the CSP has nothing to allow for it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

# The apps the console shows in an iframe (admin_ui/src/views/preview.js).
FRAMED_BY_CONSOLE = frozenset({"/tv/", "/kiosk/"})


def _websocket_origin(public_base_url: str) -> str:
    """Browsers that predate CSP 3 (older TV engines) do not count ws:/wss: as 'self'."""
    parts = urlsplit(public_base_url)
    if not parts.netloc:
        return ""
    return f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"


def content_security_policy(public_base_url: str, frame_ancestors: str) -> str:
    connect = " ".join(filter(None, ("'self'", _websocket_origin(public_base_url))))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            f"connect-src {connect}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-src 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


def header_sets(public_base_url: str) -> tuple[dict[str, str], dict[str, str]]:
    """(every answer's headers, those of an app the console frames)."""
    common = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
    unframed = {
        **common,
        "Content-Security-Policy": content_security_policy(public_base_url, "'none'"),
        "X-Frame-Options": "DENY",
    }
    framed = {
        **common,
        "Content-Security-Policy": content_security_policy(public_base_url, "'self'"),
        "X-Frame-Options": "SAMEORIGIN",
    }
    return unframed, framed


def init_app(app: Flask) -> None:
    unframed, framed = header_sets(app.config["PUBLIC_BASE_URL"])

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.update(framed if request.path in FRAMED_BY_CONSOLE else unframed)
        return response
