"""The pages a screen steps through (shared_ui/held.js, held.Pages), run in Node: the
next page starts after the last card shown, a page trimmed to fit moves that start,
and a live change is counted off the list's total once, also when it reaches a page
kept from before an answer that already left it out."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

HELD = Path(__file__).parents[2] / "shared_ui" / "held.js"

SCRIPT = """
const window = { screens: {} };
eval(require('fs').readFileSync(process.argv[1], 'utf8'));
const Pages = window.screens.held.Pages;
const item = id => ({ id: id, kind: 'job', status: 'published', seq: 1 });
const answer = (ids, total, more, seq) =>
  ({ items: ids.map(item), total: total, more: more, cursors: { '4': seq } });
const gone = (id, seq) => ({ entity: 'listing', op: 'remove', id: id, seq: seq, scope: 4,
  reason: 'withdrawn', data: { kind: 'job' } });
const seen = {};
const pages = new Pages();
pages.put(0, answer([9, 8, 7], 7, true, 10), true);
seen.afterFirst = pages.after(1);
seen.countFirst = pages.count(0, 3);
// Page 2 answered after 8 was withdrawn (its cursor is past the change, its
// total leaves 8 out), and the change reaches the screen after that answer.
pages.put(1, answer([6, 5, 4], 6, true, 11), true);
pages.apply(gone(8, 11));
seen.totalOnce = pages.total;
seen.keptGone = pages.get(0).items[1].status;
pages.apply(gone(8, 11));
seen.totalAgain = pages.total;
// The next change reaches page 1 only; page 2's answer did not reflect it.
pages.apply(gone(9, 12));
seen.totalTwice = pages.total;
seen.afterSecond = pages.after(2);
// Page 2 trimmed to two cards: page 3 starts after 5, and nothing was kept past it.
pages.put(2, answer([3, 2, 1], 5, false, 12), true);
pages.show(1, 2);
seen.afterTrim = pages.after(2);
seen.thirdKept = pages.get(2) !== null;
seen.lastCount = pages.count(1, 3);
pages.end(1);
seen.countAtEnd = pages.count(1, 3);
process.stdout.write(JSON.stringify(seen));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js not installed")
def test_pages_start_after_the_last_card_shown_and_count_each_change_once() -> None:
    run = subprocess.run(
        ["node", "-e", SCRIPT, str(HELD)], capture_output=True, text=True, timeout=60, check=True
    )
    seen: dict[str, Any] = json.loads(run.stdout)

    assert (seen["afterFirst"], seen["countFirst"]) == (7, 3)
    assert (seen["totalOnce"], seen["keptGone"], seen["totalAgain"]) == (6, "withdrawn", 6)
    assert seen["totalTwice"] == 5
    assert seen["afterSecond"] == 4
    assert (seen["afterTrim"], seen["thirdKept"]) == (5, False)
    assert seen["lastCount"] == 3
    assert seen["countAtEnd"] == 2
