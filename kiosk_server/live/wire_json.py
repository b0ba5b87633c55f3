"""The JSON of Socket.IO packets: Chinese text goes out as UTF-8.

python-socketio writes packets with the standard library's defaults, which
escape every character outside ASCII as \\uXXXX: six bytes for each character
of a listing's Chinese text instead of UTF-8's three, for every screen a change
reaches. Reading stays python-engineio's own, which refuses oversized integers.
"""

from __future__ import annotations

import json
from typing import Any

from engineio.json import loads

__all__ = ["dumps", "loads"]


def dumps(obj: Any, **kwargs: Any) -> str:
    kwargs.setdefault("ensure_ascii", False)
    return json.dumps(obj, **kwargs)
