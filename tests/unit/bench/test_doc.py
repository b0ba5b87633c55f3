"""Each bench's run appends its full tables to the history, oldest first."""

from __future__ import annotations

from pathlib import Path

from bench.doc import append_history


def test_runs_are_appended_in_order_without_the_pages_markers(tmp_path: Path) -> None:
    history = tmp_path / "history.md"

    append_history("<!-- city:start -->\n## run one\n<!-- city:end -->", history)
    append_history("## run two\n", history)
    text = history.read_text(encoding="utf-8")

    assert text.startswith("# Benchmark history")
    assert text.index("## run one") < text.index("## run two")
    assert "<!--" not in text
