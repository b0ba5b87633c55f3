"""How a screen reads to staff, wherever it is listed."""

from __future__ import annotations

from typing import Any

from kiosk_server.screens.models import Screen


def screen_identity(screen: Screen) -> dict[str, Any]:
    """Which screen it is and where it stands; callers add the state they are about."""
    return {
        "id": screen.id,
        "kind": screen.kind,
        "label": screen.label,
        "community": {"id": screen.community.id, "name": screen.community.name},
        "site": {"id": screen.site.id, "name": screen.site.name} if screen.site else None,
    }
