#!/usr/bin/env bash
# Reports benchmark: the programme dashboard's answer time at scale, and the indicator SQL
# of a refresh run by SPRInt (SQLite, through its own driver) against DuckDB running the
# same SQL text on the same facts.
#
#     bench/reports/run.sh                     # rome scale (seeds it if needed)
#     SCALE=national bench/reports/run.sh      # 2,000,000 persons, 10,000,000 contacts
#     DB=path/to/sprint.db bench/reports/run.sh   # an already seeded SQLite database
#
# Steps: build the release binary; seed (unless DB is given or a seeded file exists);
# `sprint reports refresh` (each query's time on SQLite); the dashboard page timed with wrk
# on one connection; the facts exported once from the view to CSV; DuckDB loads them and
# runs every query of `sprint reports sql` three times (best and median kept). Writes
# bench/reports/data/results-$SCALE.md and prints it. Needs cargo, curl, wrk, python3.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
DATA="$HERE/data"
SCALE="${SCALE:-rome}"
VENV="$REPO/bench/.venv"
ADDR="127.0.0.1:8093"
PASSWORD="Demo-Roma-2026"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sprint/target}"
SPRINT="$CARGO_TARGET_DIR/release/sprint"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
for tool in cargo curl wrk python3; do command -v "$tool" >/dev/null || die "$tool is needed"; done

mkdir -p "$DATA"
# BUILD=0: use the release binary already built (another cargo may hold the build lock).
if [ "${BUILD:-1}" != 0 ]; then (cd "$REPO" && nice -n 19 cargo build --release -p sprint); fi
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
"$VENV/bin/pip" install -q duckdb==2.0.1

# --- the database -------------------------------------------------------------------------
if [ -n "${DB:-}" ]; then
    DB="$(cd "$(dirname "$DB")" && pwd)/$(basename "$DB")"
    KEYDIR="$(dirname "$DB")"
else
    DB="$DATA/sprint-$SCALE.db"
    KEYDIR="$DATA"
    if [ ! -f "$DB.seeded" ]; then
        rm -f "$DB" "$DB-wal" "$DB-shm"
        log "seeding $DB at scale $SCALE"
        (cd "$KEYDIR" && SPRINT_DATABASE_URL="sqlite://$DB" "$SPRINT" seed --scale "$SCALE") \
            | tee "$DATA/seed-$SCALE.txt"
        date -u >"$DB.seeded"
    fi
fi
URL="sqlite://$DB"

# --- SPRInt: a refresh, query by query ------------------------------------------------------
log "sprint reports refresh"
(cd "$KEYDIR" && SPRINT_DATABASE_URL="$URL" "$SPRINT" reports refresh) | tee "$DATA/refresh-$SCALE.txt"
(cd "$KEYDIR" && SPRINT_DATABASE_URL="$URL" "$SPRINT" reports sql) >"$DATA/indicators.sql"

# --- the programme dashboard, answered from the stored figures ------------------------------
log "starting SPRInt on $ADDR"
(cd "$KEYDIR" && exec env SPRINT_DATABASE_URL="$URL" SPRINT_BIND="$ADDR" SPRINT_LOG=warn \
    SPRINT_JOBS=false "$SPRINT" serve) >"$DATA/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do
    curl -fs "http://$ADDR/healthz" >/dev/null && break
    kill -0 $PID 2>/dev/null || die "the server stopped (see $DATA/serve.log)"
    sleep 0.5
done
jar="$(mktemp)"
csrf="$(curl -s -c "$jar" "http://$ADDR/login" | grep -o 'name="csrf" value="[^"]*"' | head -n1 | sed 's/.*value="//; s/"$//')"
session="$(curl -s -b "$jar" -D - -o /dev/null --data-urlencode username=elena --data-urlencode "password=$PASSWORD" \
    --data-urlencode "csrf=$csrf" --data-urlencode next=/ "http://$ADDR/login" | tr -d '\r' \
    | sed -n 's/^[Ss]et-[Cc]ookie: sprint_session=\([^;]*\).*/\1/p' | head -n1)"
[ -n "$session" ] || die "signing in as elena failed"
PAGE="http://$ADDR/reports?board=programme&by=nationality"
code="$(curl -s -o "$DATA/dashboard.html" -w '%{http_code}' -H "Cookie: sprint_session=$session" "$PAGE")"
[ "$code" = 200 ] || die "the dashboard answered $code"
log "timing the dashboard: wrk, 1 connection, 15 s"
wrk -t1 -c1 -d15s --latency -H "Cookie: sprint_session=$session" "$PAGE" >"$DATA/wrk-$SCALE.txt"
kill $PID; wait $PID 2>/dev/null || true
trap - EXIT

# --- DuckDB on the same facts ---------------------------------------------------------------
log "exporting report_facts to CSV and running the indicator SQL in DuckDB"
"$VENV/bin/python" "$HERE/duck.py" --db "$DB" --sql "$DATA/indicators.sql" --out "$DATA/duckdb-$SCALE.txt"

# --- the report -----------------------------------------------------------------------------
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; printf "%.1f", n }'; }
p50="$(to_ms "$(awk '/^ +50%/ { print $2 }' "$DATA/wrk-$SCALE.txt")")"
p99="$(to_ms "$(awk '/^ +99%/ { print $2 }' "$DATA/wrk-$SCALE.txt")")"
rps="$(awk '/^Requests\/sec/ { print $2 }' "$DATA/wrk-$SCALE.txt")"
{
    echo "# Reports at $SCALE scale"
    echo
    echo "- date: $(date -u); machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- database: $(du -h "$DB" | cut -f1) SQLite file"
    echo
    echo "## Programme dashboard (GET /reports?board=programme&by=nationality, stored figures)"
    echo
    echo "| p50 | p99 | requests/s (1 connection) |"
    echo "|---:|---:|---:|"
    echo "| $p50 ms | $p99 ms | $rps |"
    echo
    echo "## Indicator SQL: SPRInt on SQLite (a refresh) against DuckDB (same SQL, same facts)"
    echo
    echo '```'
    cat "$DATA/refresh-$SCALE.txt"
    echo '```'
    echo
    echo '```'
    cat "$DATA/duckdb-$SCALE.txt"
    echo '```'
} >"$DATA/results-$SCALE.md"
cat "$DATA/results-$SCALE.md"
