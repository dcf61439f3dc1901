#!/usr/bin/env bash
# Page-throughput benchmark: SPRInt's busiest operator pages against a minimal axum
# "Fortunes" app (bench/pages/fortunes/) on the same database, both loaded by wrk.
#
#     bench/pages/run.sh                                  # rome scale, 30 s per target
#     SCALE=small DURATION=5s bench/pages/run.sh          # a quick run
#     PG_URL=postgres://postgres@127.0.0.1:5432/postgres bench/pages/run.sh   # + PostgreSQL
#
# Knobs (environment): SCALE (rome | small | national, default rome), DURATION (wrk -d,
# default 30s), CONNECTIONS (default 64), THREADS (wrk threads, default 2), PG_URL (empty:
# SQLite only; set: also run on PostgreSQL, in a database sprint_bench_pages that is dropped
# and recreated on that server). CARGO_TARGET_DIR (default ~/.cache/sprint/target) is where
# SPRInt is built; CARGO_BUILD_JOBS limits the build's parallelism as usual.
#
# Writes bench/pages/data/results-sqlite.md (and results-postgres.md) and prints them.
# Needs cargo, curl, wrk (and psql with PG_URL).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
DATA="$HERE/data"
SCALE="${SCALE:-rome}"
DURATION="${DURATION:-30s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
PG_URL="${PG_URL:-}"
WARMUP=5s
PASSWORD="Demo-Roma-2026"
SPRINT_ADDR="127.0.0.1:8091"
PEER_ADDR="127.0.0.1:8090"
# Targets the report checks SPRInt against.
MIN_RATIO=0.5
MAX_P99_MS=20

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sprint/target}"
PEER_TARGET_DIR="$HOME/.cache/sprint/bench-target"
SPRINT="${SPRINT_RELEASE_BIN:-$CARGO_TARGET_DIR/release/sprint}"
PEER="$PEER_TARGET_DIR/release/fortunes"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in cargo curl wrk; do
    command -v "$tool" >/dev/null || die "$tool is needed"
done
if [ -n "$PG_URL" ]; then
    command -v psql >/dev/null || die "psql is needed with PG_URL"
fi

# --- servers, stopped on any exit -------------------------------------------------------
SPRINT_PID=""
PEER_PID=""
WORK="$(mktemp -d)"

stop_servers() {
    local pid
    for pid in "$SPRINT_PID" "$PEER_PID"; do
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    SPRINT_PID=""
    PEER_PID=""
}
cleanup() {
    stop_servers
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits until URL answers 200, while the process PID lives (at most 120 s).
wait_ready() {
    local url="$1" pid="$2" logfile="$3" code
    for _ in $(seq 1 240); do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 20 "$logfile" >&2 || true
            die "the server for $url stopped (log: $logfile)"
        fi
        code="$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)"
        [ "$code" = 200 ] && return 0
        sleep 0.5
    done
    die "$url did not answer 200 within 120 s (log: $logfile)"
}

rss_mib() {
    local kib
    kib="$(ps -o rss= -p "$1" 2>/dev/null | tr -d ' ')"
    if [ -n "$kib" ]; then
        awk -v k="$kib" 'BEGIN { printf "%.0f", k / 1024 }'
    else
        printf '?'
    fi
}

# --- signing in ---------------------------------------------------------------------------
# Prints the sprint_session cookie value of USER.
sign_in() {
    local user="$1" base="http://$SPRINT_ADDR" jar page csrf headers code session
    jar="$WORK/jar-$user"
    page="$(curl -sS -c "$jar" "$base/login")"
    csrf="$(grep -o 'name="csrf" value="[^"]*"' <<<"$page" | head -n 1 | sed 's/.*value="//; s/"$//')"
    [ -n "$csrf" ] || die "no CSRF token on /login"
    headers="$WORK/login-$user.headers"
    code="$(curl -sS -o /dev/null -D "$headers" -w '%{http_code}' -b "$jar" \
        --data-urlencode "username=$user" --data-urlencode "password=$PASSWORD" \
        --data-urlencode "csrf=$csrf" --data-urlencode "next=/" "$base/login")"
    session="$(tr -d '\r' <"$headers" | sed -n 's/^[Ss]et-[Cc]ookie: sprint_session=\([^;]*\).*/\1/p' | head -n 1)"
    if [ "$code" != 303 ] || [ -z "$session" ]; then
        die "signing in as $user failed (HTTP $code, no session cookie)"
    fi
    printf '%s' "$session"
}

# Fetches URL with COOKIE (may be empty); dies unless 200. Prints the body's size in bytes.
check_page() {
    local url="$1" cookie="$2" out code
    local -a hdr=()
    [ -n "$cookie" ] && hdr=(-H "Cookie: sprint_session=$cookie")
    out="$WORK/page.html"
    code="$(curl -sS -o "$out" -w '%{http_code}' "${hdr[@]}" "$url")"
    [ "$code" = 200 ] || die "$url answered $code, not 200"
    wc -c <"$out" | tr -d ' '
}

# --- measuring ----------------------------------------------------------------------------
# wrk prints latencies as 812.00us, 1.23ms, 1.05s or 2.00m: in milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.2f", n }'
}

ENGINE=""
ROWS=()      # label|url|rps|p50|p90|p99|errors|rss_before|rss_after
PEER_RPS=""

# measure LABEL URL COOKIE PID
measure() {
    local label="$1" url="$2" cookie="$3" pid="$4" out rss0 rss1 rps p50 p90 p99 non2xx sock errors
    local -a hdr=()
    [ -n "$cookie" ] && hdr=(-H "Cookie: sprint_session=$cookie")
    out="$WORK/wrk.out"
    log "warm-up $label ($WARMUP)"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${hdr[@]}" "$url" >"$out" \
        || { cat "$out" >&2; die "wrk failed on $label"; }
    rss0="$(rss_mib "$pid")"
    log "measuring $label ($DURATION, $CONNECTIONS connections)"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${hdr[@]}" "$url" >"$out" \
        || { cat "$out" >&2; die "wrk failed on $label"; }
    rss1="$(rss_mib "$pid")"
    cat "$out" >&2
    cp "$out" "$DATA/logs/wrk-$ENGINE-$(tr -c 'A-Za-z0-9\n' '-' <<<"$label" | tr -s '-' | sed 's/-$//').txt"
    rps="$(awk '/^Requests\/sec:/ { print $2 }' "$out")"
    p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
    p90="$(to_ms "$(awk '$1 == "90%" { print $2 }' "$out")")"
    p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
    non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")"
    sock="$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$out")"
    non2xx="${non2xx:-0}"
    sock="${sock:-0}"
    errors="$((non2xx + sock))"
    if [ "$errors" -gt 0 ]; then
        errors="$errors ($non2xx non-2xx/3xx, $sock socket)"
    fi
    # wrk counts redirects as successes: an ended session would redirect to /login.
    check_page "$url" "$cookie" >/dev/null
    [ -n "$rps" ] || die "no Requests/sec in wrk's output for $label"
    ROWS+=("$label|$url|$rps|$p50|$p90|$p99|$errors|$rss0|$rss1")
}

# --- one engine ---------------------------------------------------------------------------
# run_engine NAME SPRINT_DATABASE_URL
run_engine() {
    local engine="$1" url="$2" loadavg session_chiara session_sara person_id size result
    local logs="$DATA/logs"
    mkdir -p "$logs"
    ENGINE="$engine"
    ROWS=()
    PEER_RPS=""

    log "$engine: starting SPRInt on $SPRINT_ADDR"
    (cd "$DATA" && exec env SPRINT_DATABASE_URL="$url" SPRINT_BIND="$SPRINT_ADDR" \
        SPRINT_LOG=warn SPRINT_JOBS=false "$SPRINT" serve) >"$logs/sprint-$engine.log" 2>&1 &
    SPRINT_PID=$!
    wait_ready "http://$SPRINT_ADDR/healthz" "$SPRINT_PID" "$logs/sprint-$engine.log"
    # The peer after SPRInt, whose migrations are then done.
    log "$engine: starting the peer on $PEER_ADDR"
    DATABASE_URL="$url" BIND="$PEER_ADDR" "$PEER" >"$logs/peer-$engine.log" 2>&1 &
    PEER_PID=$!
    wait_ready "http://$PEER_ADDR/fortunes" "$PEER_PID" "$logs/peer-$engine.log"

    session_chiara="$(sign_in chiara)"
    session_sara="$(sign_in sara)"
    session_elena="$(sign_in elena)"
    person_id="$(curl -sS -H "Cookie: sprint_session=$session_chiara" "http://$SPRINT_ADDR/people?q=Mohamed" \
        | grep -oE 'class="open-record" href="/people/[0-9a-fA-F-]{36}' | head -n 1 | sed 's#.*/people/##' || true)"
    [ -n "$person_id" ] || die "no person found by /people?q=Mohamed as chiara"

    local -a targets=(
        "peer /fortunes|http://$PEER_ADDR/fortunes||$PEER_PID"
        "SPRInt /cases (chiara)|http://$SPRINT_ADDR/cases|$session_chiara|$SPRINT_PID"
        "SPRInt /people/{id} (chiara)|http://$SPRINT_ADDR/people/$person_id|$session_chiara|$SPRINT_PID"
        "SPRInt /minors (sara)|http://$SPRINT_ADDR/minors|$session_sara|$SPRINT_PID"
        "SPRInt /reports (elena)|http://$SPRINT_ADDR/reports?board=programme|$session_elena|$SPRINT_PID"
    )
    local t label turl cookie pid
    for t in "${targets[@]}"; do
        IFS='|' read -r label turl cookie pid <<<"$t"
        size="$(check_page "$turl" "$cookie")"
        log "$label: 200, $size bytes"
    done

    loadavg="$(cat /proc/loadavg)"
    for t in "${targets[@]}"; do
        IFS='|' read -r label turl cookie pid <<<"$t"
        measure "$label" "$turl" "$cookie" "$pid"
    done
    stop_servers

    result="$DATA/results-$engine.md"
    write_report "$engine" "$loadavg" >"$result"
    log "written $result"
    cat "$result"
}

write_report() {
    local engine="$1" loadavg="$2" row label url rps p50 p90 p99 errors rss0 rss1 ratio verdict
    local mem db
    mem="$(free -g | awk '/^Mem:/ { print $2 }')"
    if [ "$engine" = sqlite ]; then
        db="SQLite file (WAL), 8 read connections in each server"
    else
        db="PostgreSQL $(psql "$PG_URL" -Atc 'SHOW server_version' 2>/dev/null || echo '?'), a pool of 16 in each server"
    fi
    echo "# Page throughput: SPRInt against a minimal axum Fortunes app ($engine)"
    echo
    echo "- date: $(date -u)"
    echo "- machine: $(nproc) cores, ${mem} GiB memory, Linux $(uname -r)"
    echo "- load average at the start: $loadavg"
    echo "- scale: $SCALE"
    echo "- database: $db"
    echo "- load: \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency [-H \"Cookie: sprint_session=…\"] URL\`," \
        "each after a $WARMUP warm-up run of the same; wrk, SPRInt and the peer share the machine"
    echo "- targets: SPRInt at least $MIN_RATIO × the peer's requests/s, and p99 under $MAX_P99_MS ms"
    echo
    echo "| target | requests/s | p50 (ms) | p90 (ms) | p99 (ms) | errors | SPRInt / peer | targets met | server RSS before → after (MiB) |"
    echo "| --- | ---: | ---: | ---: | ---: | --- | ---: | --- | --- |"
    for row in "${ROWS[@]}"; do
        IFS='|' read -r label url rps p50 p90 p99 errors rss0 rss1 <<<"$row"
        if [ -z "$PEER_RPS" ]; then
            PEER_RPS="$rps"
            ratio="1.00"
            verdict="(peer)"
        else
            ratio="$(awk -v a="$rps" -v b="$PEER_RPS" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }')"
            verdict="$(awk -v r="$ratio" -v p="$p99" -v mr="$MIN_RATIO" -v mp="$MAX_P99_MS" 'BEGIN {
                t = (r + 0 >= mr); l = (p + 0 < mp)
                if (t && l) print "yes"
                else if (!t && !l) print "no (throughput, p99)"
                else if (!t) print "no (throughput)"
                else print "no (p99)" }')"
        fi
        printf '| %s | %.0f | %s | %s | %s | %s | %s | %s | %s → %s |\n' \
            "$label" "$rps" "$p50" "$p90" "$p99" "$errors" "$ratio" "$verdict" "$rss0" "$rss1"
    done
    echo
    echo "URLs:"
    echo
    for row in "${ROWS[@]}"; do
        IFS='|' read -r label url _ <<<"$row"
        echo "- $label: $url"
    done
}

# --- 1. builds ----------------------------------------------------------------------------
# At the lowest CPU priority: builds are long and must not starve other work.
log "building SPRInt (release) into $CARGO_TARGET_DIR"
# BUILD=0: use the release binary already built (another cargo may hold the build lock).
if [ "${BUILD:-1}" != 0 ]; then (cd "$REPO" && nice -n 19 cargo build --release -p sprint); fi
log "building the peer (release) into $PEER_TARGET_DIR"
(cd "$HERE/fortunes" && CARGO_TARGET_DIR="$PEER_TARGET_DIR" nice -n 19 cargo build --release --locked)
[ -x "$SPRINT" ] || die "no $SPRINT after the build"
[ -x "$PEER" ] || die "no $PEER after the build"

mkdir -p "$DATA"

# --- 2–6. SQLite --------------------------------------------------------------------------
# The encryption key is created beside the database (data/encryption.key) on first start;
# a database without it cannot be read, so both go together.
SQLITE_DB="$DATA/sprint-$SCALE.db"
SQLITE_DONE="$SQLITE_DB.seeded"
if [ ! -f "$SQLITE_DB" ] || [ ! -f "$SQLITE_DONE" ] || [ ! -f "$DATA/encryption.key" ]; then
    rm -f "$SQLITE_DB" "$SQLITE_DB-wal" "$SQLITE_DB-shm" "$SQLITE_DONE"
    log "seeding $SQLITE_DB at scale $SCALE (rome takes many minutes)"
    (cd "$DATA" && SPRINT_DATABASE_URL="sqlite://$SQLITE_DB" "$SPRINT" seed --scale "$SCALE") \
        | tee "$DATA/seed-sqlite-$SCALE.txt"
    date -u >"$SQLITE_DONE"
else
    log "reusing $SQLITE_DB"
fi
run_engine sqlite "sqlite://$SQLITE_DB"

# --- 2–6. PostgreSQL ----------------------------------------------------------------------
if [ -n "$PG_URL" ]; then
    # The same server, database sprint_bench_pages (query string kept).
    pg_base="${PG_URL%%\?*}"
    pg_query=""
    [[ "$PG_URL" == *\?* ]] && pg_query="?${PG_URL#*\?}"
    pg_rest="${pg_base#*://}"
    [[ "$pg_rest" == */* ]] && pg_base="${pg_base%/*}"
    PG_BENCH_URL="$pg_base/sprint_bench_pages$pg_query"
    log "recreating database sprint_bench_pages"
    PGOPTIONS='-c client_min_messages=warning' psql "$PG_URL" -v ON_ERROR_STOP=1 -qc 'DROP DATABASE IF EXISTS sprint_bench_pages WITH (FORCE)'
    psql "$PG_URL" -v ON_ERROR_STOP=1 -qc 'CREATE DATABASE sprint_bench_pages'
    # One key for this run, given to seed and serve alike.
    SPRINT_ENCRYPTION_KEY="$(cd "$DATA" && "$SPRINT" keygen)"
    export SPRINT_ENCRYPTION_KEY
    log "seeding sprint_bench_pages at scale $SCALE (rome takes many minutes)"
    (cd "$DATA" && SPRINT_DATABASE_URL="$PG_BENCH_URL" "$SPRINT" seed --scale "$SCALE") \
        | tee "$DATA/seed-postgres-$SCALE.txt"
    run_engine postgres "$PG_BENCH_URL"
    unset SPRINT_ENCRYPTION_KEY
fi
