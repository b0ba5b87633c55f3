#!/bin/sh
# Restore a backup made by deploy/backup.sh into the database DATABASE_URL names.
#   deploy/restore.sh /var/backups/jxj/jxj-20261122-033000.dump
# Stop the app processes first (systemctl stop jxj.target): the restore replaces
# every table. The pictures beside the dump (…-media.tar.gz) go back into
# INSTANCE_PATH/media. Afterwards run `flask --app kiosk_server db upgrade` if the
# backup is older than the code, then start the processes again.
set -eu

dump=${1:?usage: restore.sh BACKUP.dump}
: "${DATABASE_URL:?DATABASE_URL is not set (source /etc/jxj/kiosk.env)}"
INSTANCE_PATH=${INSTANCE_PATH:-/var/lib/jxj}
PG_URL=$(printf '%s' "$DATABASE_URL" | sed 's#^postgresql+[a-z0-9]*://#postgresql://#')

[ -f "$dump" ] || { echo "restore.sh: no such file: $dump" >&2; exit 2; }
# --clean --if-exists: drop what is there, then recreate; one transaction, so a
# failed restore leaves the database as it was.
pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error \
  --dbname="$PG_URL" "$dump"
media="${dump%.dump}-media.tar.gz"
if [ -f "$media" ]; then
  mkdir -p "$INSTANCE_PATH"
  rm -rf "$INSTANCE_PATH/media.old"
  if [ -d "$INSTANCE_PATH/media" ]; then mv "$INSTANCE_PATH/media" "$INSTANCE_PATH/media.old"; fi
  tar -C "$INSTANCE_PATH" -xzf "$media"
  rm -rf "$INSTANCE_PATH/media.old"
fi
echo "restore: $dump restored"
