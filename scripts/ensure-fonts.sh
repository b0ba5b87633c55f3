#!/usr/bin/env bash
# Printed tickets are drawn with the Noto CJK fonts; install them when we can, say how when we can't.
set -euo pipefail
if [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing the Noto CJK fonts for printed tickets…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null
  exit 0
fi
echo "Note: fonts-noto-cjk is missing, so kiosks cannot print tickets." >&2
echo "      Install it with:  sudo apt-get install fonts-noto-cjk" >&2
