#!/bin/sh
# Upgrade a running deployment with no moment where no process serves.
#   sudo -u jxj deploy/upgrade.sh            (from /opt/jxj; systemctl through sudo)
# 1. fetch the new code, 2. install its dependencies, 3. migrate the schema once,
# 4. restart the app processes one at a time, each checked healthy before the next.
# Migrations are written to work with the code before them too (add, then use;
# stop using, then drop a release later), so old processes keep running meanwhile.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
ENV_FILE=${ENV_FILE:-/etc/jxj/kiosk.env}
SYSTEMCTL=${SYSTEMCTL:-sudo systemctl}

set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
set +a

git pull --ff-only
.venv/bin/pip install --quiet -e .
npm ci --silent --no-audit --no-fund --omit=dev
.venv/bin/flask --app kiosk_server db upgrade

for unit in $($SYSTEMCTL list-units --plain --no-legend 'jxj@*.service' | awk '{print $1}'); do
  port=${unit#jxj@}
  port=${port%.service}
  $SYSTEMCTL restart "$unit"
  tries=0
  until curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 30 ]; then
      echo "upgrade: $unit is not healthy after 30 s; stopping here" >&2
      exit 1
    fi
    sleep 1
  done
  echo "upgrade: $unit healthy"
done
