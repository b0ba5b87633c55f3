"""Writing a bench's section into docs/benchmarks.md, between its two markers, so
each bench replaces its own figures and leaves the others' alone."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def replace_section(section: str, start: str, end: str, doc: Path = DOC) -> None:
    """`section` (which begins with `start` and ends with `end`) in place of the old
    one, or at the end of the page the first time."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    if start in text and end in text:
        pattern = re.escape(start) + ".*?" + re.escape(end)
        text = re.sub(pattern, lambda _: section, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc.write_text(text, encoding="utf-8")
