#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (never a downloaded browser), with CJK fonts
# so Chinese text renders in screenshots. Install them when we can; say how when we can't.
set -euo pipefail
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
have_fonts() { fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; }

if [ -x "$chromium" ] && have_fonts; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Chromium and CJK fonts with apt-get…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  exit 0
fi
echo "Chromium or the Noto CJK fonts are missing, and this user cannot install them." >&2
echo "Browser tests will be skipped. To run them:  sudo apt-get install chromium fonts-noto-cjk" >&2
