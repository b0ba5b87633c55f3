"""Put the one launch page into both TV app packages before packaging them:
`python deploy/tv/stage.py https://jobs.example.cn` (the site's PUBLIC_BASE_URL).

deploy/tv/index.html is the only copy kept: webos/index.html and tizen/index.html
are written from it here (and ignored by git), so the two apps cannot drift.
Without an address the page is copied as it is, with the placeholder.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGES = ("webos", "tizen")
PLACEHOLDER = "https://screens.example.org/tv/"


def stage(root: Path = HERE, base_url: str | None = None) -> None:
    page = (root / "index.html").read_text(encoding="utf-8")
    if base_url:
        assert PLACEHOLDER in page, f"{PLACEHOLDER} is not in {root / 'index.html'}"
        page = page.replace(PLACEHOLDER, base_url.rstrip("/") + "/tv/")
    for package in PACKAGES:
        (root / package / "index.html").write_text(page, encoding="utf-8")


def main() -> None:
    stage(HERE, sys.argv[1] if len(sys.argv) > 1 else None)
    print("launch page written to", ", ".join(f"deploy/tv/{name}/index.html" for name in PACKAGES))


if __name__ == "__main__":
    main()
