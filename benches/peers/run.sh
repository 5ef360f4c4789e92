#!/usr/bin/env bash
# Ticketflow against its peers, side by side on this machine (issue 6, items 2–4):
# message-db, cqrs-es + postgres-es and a plain PostgreSQL events table, each on a throwaway
# PostgreSQL 15 that this script starts on loopback and removes again, plus the disk's
# fdatasync latency and bandwidth. Writes docs/performance-peers.md.
#
#   benches/peers/run.sh            full run (about 8 minutes on 2 cores, plus the build)
#   benches/peers/run.sh --smoke    seconds of measurement, report to a temporary file (CI)
#
# Needs: root (PostgreSQL runs as the `postgres` user via runuser), PostgreSQL 15 binaries in
# /usr/lib/postgresql/15/bin (override with PG_BIN), node/npm, cargo. Non-interactive.
# Environment: PEERS_PORT (default 54391), PEERS_ROUNDS (default 5), CARGO_TARGET_DIR (default <repo>/target/peers),
# PEERS_OUT (where the report goes; default docs/performance-peers.md, or a temp file with --smoke).
set -euo pipefail

SMOKE=""
for a in "$@"; do
  case "$a" in
    --smoke) SMOKE="--smoke" ;;
    *) echo "usage: $0 [--smoke]" >&2; exit 2 ;;
  esac
done

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PORT="${PEERS_PORT:-54391}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/peers}"
COMMAND="benches/peers/run.sh${SMOKE:+ $SMOKE}"
if [ -n "$SMOKE" ]; then
  OUT="${PEERS_OUT:-$(mktemp /tmp/performance-peers.XXXXXX.md)}"
else
  OUT="${PEERS_OUT:-$ROOT/docs/performance-peers.md}"
fi
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

say() { echo "== peers: $*" >&2; }

# --- prerequisites -------------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || { echo "run as root: PostgreSQL is started as the postgres user via runuser" >&2; exit 1; }
if [ ! -x "$PG_BIN/initdb" ] && command -v apt-get >/dev/null; then
  say "installing PostgreSQL 15"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi
[ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL 15 not found in $PG_BIN (apt-get install postgresql-15, or set PG_BIN)" >&2; exit 1; }
command -v psql >/dev/null || export PATH="$PG_BIN:$PATH"
id postgres >/dev/null 2>&1 || { echo "the postgres system user is missing (it comes with the Debian postgresql packages)" >&2; exit 1; }
if ! command -v npm >/dev/null; then
  say "installing npm"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi

# --- message-db from npm, cached outside git -----------------------------------------------
CACHE="$HERE/.cache"
MDB="$CACHE/npm/node_modules/@eventide/message-db/database"
if [ ! -f "$MDB/install.sh" ]; then
  say "installing @eventide/message-db from npm into $CACHE/npm"
  mkdir -p "$CACHE/npm"
  npm install --silent --no-audit --no-fund --prefix "$CACHE/npm" @eventide/message-db@1 >&2
fi
MDB_VERSION="$(cat "$MDB/VERSION.txt" 2>/dev/null || echo unknown)"

# --- build the harness (two projects: see postgres/Cargo.toml) -----------------------------
say "building the harness (release)"
(cd "$HERE/ticketflow" && cargo build --release --locked --quiet)
(cd "$HERE/postgres" && cargo build --release --locked --quiet)
TF_BIN="$CARGO_TARGET_DIR/release/ticketflow-peers-local"
PG_HARNESS="$CARGO_TARGET_DIR/release/ticketflow-peers-postgres"

# --- a throwaway PostgreSQL on loopback, removed on any exit -------------------------------
WORK="$(mktemp -d /tmp/ticketflow-peers.XXXXXX)"
chmod 755 "$WORK"
mkdir -p "$WORK/pg" "$WORK/ticketflow" "$WORK/disk"
chown postgres: "$WORK/pg"
cleanup() {
  if [ -f "$WORK/pg/data/postmaster.pid" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for _ in 1 2 3 4 5 6 7 8 9 10; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then PORT=$((PORT + 1)); else break; fi
done
say "starting PostgreSQL on 127.0.0.1:$PORT in $WORK/pg"
runuser -u postgres -- "$PG_BIN/initdb" -D "$WORK/pg/data" -U postgres -A trust --no-sync >"$WORK/pg/initdb.log"
# Default durability (synchronous_commit=on, fsync=on); only connections are raised for 64
# writers plus the pool's spares.
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w \
  -o "-p $PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null

say "installing message-db $MDB_VERSION"
PGHOST=127.0.0.1 PGPORT="$PORT" PGUSER=postgres bash "$MDB/install.sh" >"$WORK/message-db-install.log" 2>&1 \
  || { cat "$WORK/message-db-install.log" >&2; exit 1; }

# --- measure -------------------------------------------------------------------------------
SAMPLES="$WORK/samples.jsonl"
# Rounds: the systems take turns, one repetition each per round, so that the machine's noise
# (it may be shared) spreads over all of them alike instead of favouring whoever ran first.
if [ -n "$SMOKE" ]; then ROUNDS="${PEERS_ROUNDS:-1}"; else ROUNDS="${PEERS_ROUNDS:-5}"; fi
for ((run = 0; run < ROUNDS; run++)); do
  say "round $((run + 1)) of $ROUNDS: disk limits"
  "$TF_BIN" disk --dir "$WORK/disk" --out "$SAMPLES" --run "$run" $SMOKE
  # Odd rounds run the peers first, so neither side always gets the quieter half.
  for side in $([ $((run % 2)) -eq 0 ] && echo "ticketflow peers" || echo "peers ticketflow"); do
    say "round $((run + 1)) of $ROUNDS: $side"
    if [ "$side" = ticketflow ]; then
      "$TF_BIN" ticketflow --dir "$WORK/ticketflow" --out "$SAMPLES" --run "$run" $SMOKE
    else
      "$PG_HARNESS" --port "$PORT" --out "$SAMPLES" --settings-out "$WORK/pg-settings.txt" --run "$run" $SMOKE
    fi
  done
done

lockver() { awk -v n="$2" '$0=="name = \""n"\"" {getline; gsub(/version = |"/, ""); print; exit}' "$HERE/$1/Cargo.lock"; }
VERSIONS="message-db $MDB_VERSION (npm), cqrs-es $(lockver postgres cqrs-es), postgres-es $(lockver postgres postgres-es), sqlx $(lockver postgres sqlx), tokio-postgres $(lockver postgres tokio-postgres), rusqlite $(lockver ticketflow rusqlite) (Ticketflow)"

mkdir -p "$(dirname "$OUT")"
"$TF_BIN" report --samples "$SAMPLES" --out "$OUT" --command "$COMMAND" \
  --pg-settings "$WORK/pg-settings.txt" --versions "$VERSIONS" --load-before "$LOAD_BEFORE" $SMOKE
say "report written to $OUT"
