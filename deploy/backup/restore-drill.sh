#!/usr/bin/env bash
# Restore drill: restores a pgBackRest backup of the core's database into a scratch folder, starts it as a
# scratch server on a free loopback port (archiving off, so it never writes to the repository), waits for
# recovery to finish, then proves the restored database with the core's own checks (`ledger:check`,
# `audit:verify`) and prints how long each step took — the recovery time of a restore.
#
#   deploy/backup/restore-drill.sh [--stanza jiangxin] [--config /etc/pgbackrest/pgbackrest.conf]
#                                  [--target 'YYYY-MM-DD HH:MM:SS+08'] [--db jiangxin]
#                                  [--set LABEL] [--files-backup DIR] [--dir DIR] [--keep]
#
#   --target        point in time to recover to (recovery stops before the first commit after it); without
#                   it, the end of the archived WAL (the latest state the repository has)
#   --set           the backup to start from (a label of `pgbackrest info`); by default the newest, or with
#                   --target the newest that ended before the target (compared to the second)
#   --files-backup  a local copy of DATA_DIR/files (deploy/backup/files-backup.sh): also check that every
#                   file the restored database refers to is there
#   --keep          leave the scratch server running and print its URL (to inspect it, or to copy rows out
#                   of it); stop it with the printed command. Without it, the server and folder are removed.
#
# Run it from a checkout of the repository (the checks run `npm run -w core …` there), as root or as the
# user that owns the repository (the server commands run as PG_USER, `postgres` by default, when run as
# root). Exit 0 only when the restore, the recovery and every check succeeded. Nothing of the production
# cluster is touched: pgBackRest only reads the repository, and the scratch cluster has archive_mode=off.
# Knobs: PG_BIN (folder of pg_ctl; the newest /usr/lib/postgresql/N/bin), PG_USER, DRILL_PG_OPTS (more
# `-c name=value` for the scratch server, e.g. a smaller shared_buffers than production's).
set -euo pipefail

stanza=jiangxin
config=
target=
set=
db=jiangxin
files_backup=
dir=
keep=0
while [ $# -gt 0 ]; do
  # --name=value is --name value
  if [[ "$1" == --*=* ]]; then set -- "${1%%=*}" "${1#*=}" "${@:2}"; fi
  case "$1" in
    --stanza) stanza=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --set) set=$2; shift 2 ;;
    --files-backup) files_backup=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "restore-drill: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

repo_root=$(cd "$(dirname "$0")/../.." && pwd)
pg_user=${PG_USER:-postgres}
if [ -z "${PG_BIN:-}" ]; then
  PG_BIN=$(find /usr/lib/postgresql -maxdepth 3 -name pg_ctl -path '*/bin/*' 2>/dev/null | sort -V | tail -n1 | xargs -r dirname)
fi
[ -x "${PG_BIN:-}/pg_ctl" ] || { echo "restore-drill: no pg_ctl found (set PG_BIN)" >&2; exit 2; }
command -v pgbackrest >/dev/null || { echo "restore-drill: pgbackrest is not installed" >&2; exit 2; }

# Server-side commands run as the server's user (PostgreSQL refuses root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$pg_user" -- "$@"; else "$@"; fi
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

owned_dir=0
if [ -z "$dir" ]; then
  dir=$(mktemp -d "${TMPDIR:-/var/tmp}/jx-restore-drill.XXXXXX")
  owned_dir=1
fi
if [ "$(id -u)" = 0 ]; then chown "$pg_user": "$dir"; fi
chmod 0700 "$dir"
data=$dir/data
log=$dir/server.log
started=0

cleanup() {
  local rc=$?
  if [ "$keep" = 1 ] && [ "$rc" = 0 ]; then return; fi
  if [ "$started" = 1 ]; then as_pg "$PG_BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  if [ "$rc" != 0 ] && [ -f "$log" ]; then echo "--- scratch server log ($log):" >&2; tail -n 30 "$log" >&2; fi
  if [ "$owned_dir" = 1 ]; then rm -rf "$dir"; else rm -rf "$data" "$log"; fi
}
trap cleanup EXIT

br=(pgbackrest "--stanza=$stanza")
[ -n "$config" ] && br+=("--config=$config")

echo "== restore-drill: stanza $stanza${target:+, to $target}, into $data"
t0=$(now)
# A fresh folder: nothing to compare with (delta=y in the configuration is for in-place restores).
restore=("${br[@]}" "--pg1-path=$data" --archive-mode=off --no-delta --log-level-console=warn)
[ -n "$set" ] && restore+=("--set=$set")
if [ -n "$target" ]; then
  restore+=(--type=time "--target=$target" --target-action=promote)
fi
as_pg "${restore[@]}" restore
t1=$(now)

# The data folder of a Debian cluster holds no postgresql.conf / pg_hba.conf (they live in /etc): the
# scratch server gets its own, trusting only its own loopback port.
as_pg touch "$data/postgresql.conf" "$data/pg_ident.conf"
as_pg sh -c "printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' > '$data/pg_hba.conf'"
started=1
for attempt in 1 2 3; do
  # A free port now; another process may take it before the server binds it: then try another.
  port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  opts="-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c hba_file=$data/pg_hba.conf"
  opts+=" -c ident_file=$data/pg_ident.conf -c archive_mode=off -c cluster_name=restore-drill ${DRILL_PG_OPTS:-}"
  if as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$log" -o "$opts" -w -t 3600 start >/dev/null; then break; fi
  if [ "$attempt" = 3 ] || ! grep -q 'could not bind' "$log"; then exit 1; fi
done
psql_drill() { "$PG_BIN/psql" -X -q -At -h 127.0.0.1 -p "$port" -U postgres "$@"; }
# Accepting connections is not the end: wait for recovery to reach the target and promote.
until [ "$(psql_drill -d postgres -c 'SELECT pg_is_in_recovery()')" = f ]; do
  if ! as_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null; then echo "restore-drill: the server stopped during recovery" >&2; exit 1; fi
  sleep 0.2
done
t2=$(now)

url="postgres://postgres@127.0.0.1:$port/$db"
size=$(psql_drill -d "$db" -c 'SELECT pg_size_pretty(pg_database_size(current_database()))')
cluster_size=$(psql_drill -d postgres -c 'SELECT pg_size_pretty(sum(pg_database_size(datname))) FROM pg_database')
psql_drill -d "$db" -F ' ' -c "SELECT 'orders: ' || count(*) || ', newest ' || coalesce(max(created_at)::text, '-') FROM orders"
psql_drill -d postgres -c "SELECT 'last transaction replayed from WAL: ' || coalesce(pg_last_xact_replay_timestamp()::text, 'none (the backup as it ended)') || ', timeline ' || (SELECT timeline_id FROM pg_control_checkpoint())"

failed=0
cd "$repo_root"
echo "== ledger:check"
DATABASE_URL=$url npm run --silent -w core ledger:check || failed=1
echo "== audit:verify"
DATABASE_URL=$url npm run --silent -w core audit:verify || failed=1
if [ -n "$files_backup" ]; then
  echo "== files in $files_backup"
  missing=0
  total=0
  while IFS= read -r key; do
    total=$((total + 1))
    [ -f "$files_backup/$key" ] || { echo "  missing: $key" >&2; missing=$((missing + 1)); }
  done < <(psql_drill -d "$db" -c 'SELECT DISTINCT storage_key FROM files')
  if [ "$missing" = 0 ]; then echo "files OK: all $total stored objects the database refers to are in the backup"
  else echo "files FAILED: $missing of $total missing" >&2; failed=1; fi
fi
t3=$(now)

echo "== restore-drill: database $db $size (cluster $cluster_size)"
echo "restore $(secs "$t0" "$t1") s, recovery + promotion $(secs "$t1" "$t2") s, checks $(secs "$t2" "$t3") s"
echo "DRILL_RESULT restore_s=$(secs "$t0" "$t1") recovery_s=$(secs "$t1" "$t2") checks_s=$(secs "$t2" "$t3") ok=$((1 - failed))"
[ "$failed" = 0 ] || { echo "restore-drill: FAILED" >&2; exit 1; }
echo "restore-drill: OK"
if [ "$keep" = 1 ]; then
  echo "DRILL_URL=$url"
  echo "DRILL_DIR=$dir"
  echo "stop and remove: ${PG_BIN}/pg_ctl -D $data -m fast stop && rm -rf $dir   (as $pg_user for pg_ctl)"
fi
