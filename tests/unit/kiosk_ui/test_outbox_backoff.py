"""The kiosk keeps a form through a 429 and sends it once the server's Retry-After has
passed; the screens' HTTP helper sends nothing to that address meanwhile (issue 22)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("outbox_backoff.js")


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js not installed")
def test_a_form_refused_429_waits_on_the_kiosk_and_goes_once_after_retry_after() -> None:
    run = subprocess.run(
        ["node", str(SCRIPT)], capture_output=True, text=True, timeout=60, check=True
    )
    seen = json.loads(run.stdout)

    # Told it is saved, not refused; kept through the wait, with nothing sent meanwhile.
    assert seen["said"][0] == ["queued", 429]
    assert (seen["keptAfter429"], seen["keptInsideWait"]) == (1, 1)
    assert seen["sentInsideWait"] == 1
    # Sent once after the wait, and answered.
    assert seen["sent"][:2] == ["form-1", "form-1"]
    assert seen["answered"] == [["form-1", "sent", 201]]
    # A limit on the person's number is said to them and nothing stays on the kiosk.
    assert seen["said"][1] == ["refused", 429]
    assert seen["left"] == 0
    assert 89 <= seen["retryAfterDate"] <= 90
