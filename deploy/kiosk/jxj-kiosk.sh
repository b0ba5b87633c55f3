#!/bin/sh
# Start a station kiosk: Chromium full screen on the hosted /kiosk/ page, kept
# alive by kiosk_watchdog.py. Run in the kiosk user's graphical session
# (systemd --user unit jxj-kiosk.service, or the desktop's autostart).
# Settings: /etc/jxj-kiosk.conf (see kiosk.conf.example), or KIOSK_CONFIG=path.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
CONFIG=${KIOSK_CONFIG:-/etc/jxj-kiosk.conf}
# shellcheck disable=SC1090
[ -f "$CONFIG" ] && . "$CONFIG"

: "${KIOSK_URL:?set KIOSK_URL in $CONFIG, e.g. https://screens.example.org/kiosk/}"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
USER_DATA_DIR=${USER_DATA_DIR:-$HOME/.local/share/jxj-kiosk}
DEVTOOLS_PORT=${DEVTOOLS_PORT:-9222}
CHECK_INTERVAL=${CHECK_INTERVAL:-15}
EXTRA_FLAGS=${EXTRA_FLAGS:-}

mkdir -p "$USER_DATA_DIR"
# A browser killed by the watchdog or a power cut marks its profile as crashed and
# offers to "restore pages"; mark the last exit as clean so no bubble ever shows.
prefs="$USER_DATA_DIR/Default/Preferences"
if [ -f "$prefs" ]; then
  sed -i 's/"exited_cleanly":false/"exited_cleanly":true/; s/"exit_type":"[^"]*"/"exit_type":"Normal"/' "$prefs"
fi

# shellcheck disable=SC2086
exec python3 "$HERE/kiosk_watchdog.py" run --port "$DEVTOOLS_PORT" --interval "$CHECK_INTERVAL" -- \
  "$CHROMIUM" \
  --kiosk \
  --user-data-dir="$USER_DATA_DIR" \
  --no-first-run \
  --noerrdialogs \
  --disable-session-crashed-bubble \
  --disable-infobars \
  --disable-translate \
  --disable-features=Translate,TranslateUI,OverscrollHistoryNavigation,MediaRouter \
  --overscroll-history-navigation=0 \
  --disable-pinch \
  --touch-events=enabled \
  --check-for-update-interval=31536000 \
  --disable-component-update \
  --disable-background-networking \
  --disable-sync \
  --autoplay-policy=no-user-gesture-required \
  --password-store=basic \
  --deny-permission-prompts \
  $EXTRA_FLAGS \
  "$KIOSK_URL"
