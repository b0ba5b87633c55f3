"""What staff send to log in."""

from __future__ import annotations

from kiosk_server.validation import Line, Strict


class LoginIn(Strict):
    username: Line(40, 1)
    password: Line(200, 1)
