#!/bin/sh
# Back up the database (pg_dump custom format) and the uploaded pictures.
#   deploy/backup.sh                 reads DATABASE_URL and INSTANCE_PATH from the environment
#   BACKUP_DIR=/var/backups/jxj KEEP_DAYS=14 deploy/backup.sh
# Leaves BACKUP_DIR/jxj-YYYYmmdd-HHMMSS.dump and …-media.tar.gz; removes sets older
# than KEEP_DAYS. Safe while the service runs: pg_dump reads one consistent snapshot.
set -eu

: "${DATABASE_URL:?DATABASE_URL is not set (source /etc/jxj/kiosk.env)}"
INSTANCE_PATH=${INSTANCE_PATH:-/var/lib/jxj}
BACKUP_DIR=${BACKUP_DIR:-/var/backups/jxj}
KEEP_DAYS=${KEEP_DAYS:-14}

# SQLAlchemy's "postgresql+psycopg://" is libpq's "postgresql://".
PG_URL=$(printf '%s' "$DATABASE_URL" | sed 's#^postgresql+[a-z0-9]*://#postgresql://#')
case "$PG_URL" in
  postgresql://*|postgres://*) ;;
  *) echo "backup.sh: DATABASE_URL is not PostgreSQL; back up the SQLite file instead" >&2; exit 2 ;;
esac

stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p "$BACKUP_DIR"
umask 077
pg_dump --format=custom --no-owner --dbname="$PG_URL" --file="$BACKUP_DIR/jxj-$stamp.dump.part"
mv "$BACKUP_DIR/jxj-$stamp.dump.part" "$BACKUP_DIR/jxj-$stamp.dump"
if [ -d "$INSTANCE_PATH/media" ]; then
  tar -C "$INSTANCE_PATH" -czf "$BACKUP_DIR/jxj-$stamp-media.tar.gz" media
fi
find "$BACKUP_DIR" -maxdepth 1 -name 'jxj-*' -mtime +"$KEEP_DAYS" -delete
echo "backup: $BACKUP_DIR/jxj-$stamp.dump"
