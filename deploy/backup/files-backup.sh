#!/usr/bin/env bash
# Copies the uploaded files of the local-disk storage (DATA_DIR/files) to a backup folder, local or on
# another host over SSH (`backup-host:/srv/jiangxin-files`):
#
#   deploy/backup/files-backup.sh /var/lib/jiangxin/files /mnt/backup/jiangxin-files
#
# Objects are content-addressed (sha256/ab/cd/<sha256>) and never rewritten, so the copy only adds: it
# never deletes, so a database restored to any earlier point in time still finds every file it names.
# Files a user removed stay in the backup; prune them on your own schedule (see deploy/backup/README.md).
# Half-written uploads (`*.tmp`) are skipped. Exit code: rsync's.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 <DATA_DIR/files> <destination folder or host:folder>" >&2
  exit 2
fi
src=${1%/}
dest=${2%/}
[ -d "$src" ] || { echo "files-backup: $src is not a folder" >&2; exit 2; }
exec rsync -a --exclude='*.tmp' --stats "$src/" "$dest/"
