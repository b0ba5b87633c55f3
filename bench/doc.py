"""Writing a bench's section into docs/benchmarks.md, between its two markers, so
each bench replaces its own figures and leaves the others' alone; and its full
tables onto the end of bench/results/history.md, so the page stays short while
every run's detail is kept."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
HISTORY = ROOT / "bench" / "results" / "history.md"
HISTORY_HEAD = (
    "# Benchmark history\n\n"
    "Every run's full tables, oldest first: each `make bench`, `make bench-city` and\n"
    "`make bench-frontend` appends its own here (bench/doc.py). The latest figures,\n"
    "with what they mean, are in docs/benchmarks.md.\n"
)


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


def append_history(section: str, history: Path = HISTORY) -> None:
    """A run's full section at the end of the history. Its markers are dropped:
    they belong to the page, and two copies of them here would be ambiguous."""
    text = history.read_text(encoding="utf-8") if history.exists() else HISTORY_HEAD
    body = re.sub(r"^<!-- [a-z-]+:(start|end) -->\n?", "", section, flags=re.M).strip("\n")
    history.write_text(text.rstrip("\n") + "\n\n" + body + "\n", encoding="utf-8")
