#!/usr/bin/env bash
# Footprint: binary size, start-up time and resident memory (idle and under load) of
# SPRInt against the minimal axum Fortunes app of bench/pages (the named peer), on the
# same machine in the same run. Both release builds.
#
#   bench/footprint/run.sh             # 10 start-ups each, 20 s of load
#   STARTS=30 LOAD=60s bench/footprint/run.sh
#
# Needs the builds bench/pages/run.sh makes (it builds them if missing), curl and wrk.
# Writes bench/footprint/data/results.md and prints it.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
DATA="$HERE/data"
STARTS="${STARTS:-10}"
LOAD="${LOAD:-20s}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sprint/target}"
SPRINT="$CARGO_TARGET_DIR/release/sprint"
PEER="$HOME/.cache/sprint/bench-target/release/fortunes"
mkdir -p "$DATA"
if [ ! -x "$SPRINT" ]; then (cd "$REPO" && cargo build --release -p sprint); fi
if [ ! -x "$PEER" ]; then
  (cd "$REPO/bench/pages/fortunes" && CARGO_TARGET_DIR="$HOME/.cache/sprint/bench-target" cargo build --release)
fi

WORK="$(mktemp -d)"
PID=""
cleanup() { if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi; rm -rf "$WORK"; }
trap cleanup EXIT

now_ms() { date +%s%3N; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

# Starts a server (command in "$@") and waits until URL answers 200; sets PID and
# STARTUP_MS (not a subshell: the caller needs the PID to stop it).
start() {
  local url="$1"; shift
  local t0; t0=$(now_ms)
  "$@" > "$WORK/server.log" 2>&1 &
  PID=$!
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    if ! kill -0 "$PID" 2>/dev/null; then cat "$WORK/server.log" >&2; exit 1; fi
    sleep 0.005
  done
  STARTUP_MS=$(( $(now_ms) - t0 ))
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

DB="$WORK/sprint.db"
export SPRINT_DATABASE_URL="sqlite://$DB" SPRINT_BIND=127.0.0.1:8141 SPRINT_LOG=warn SPRINT_JOBS=false
# The first start creates the file, migrates and seeds the demo world: timed on its own.
start http://127.0.0.1:8141/healthz "$SPRINT" serve --demo
first=$STARTUP_MS
stop
sprint_times=""
for _ in $(seq "$STARTS"); do
  start http://127.0.0.1:8141/healthz "$SPRINT" serve --demo
  sprint_times+="$STARTUP_MS"$'\n'; stop
done
peer_times=""
for _ in $(seq "$STARTS"); do
  DATABASE_URL="sqlite://$DB" BIND=127.0.0.1:8142 start http://127.0.0.1:8142/fortunes "$PEER"
  peer_times+="$STARTUP_MS"$'\n'; stop
done

# Idle and loaded memory: the peer's page, and SPRInt's worklist as a signed-in case worker.
start http://127.0.0.1:8141/healthz "$SPRINT" serve --demo
sleep 2
s_idle=$(rss_kib "$PID")
jar="$WORK/cookies"
curl -fsS -c "$jar" -b "$jar" http://127.0.0.1:8141/login -o "$WORK/login.html"
csrf=$(grep -o 'name="csrf" value="[^"]*"' "$WORK/login.html" | head -1 | sed 's/.*value="//;s/"$//')
curl -fsS -o /dev/null -c "$jar" -b "$jar" --data-urlencode username=chiara --data-urlencode password=Demo-Roma-2026 \
  --data-urlencode next=/ --data-urlencode "csrf=$csrf" http://127.0.0.1:8141/login
cookie="sprint_session=$(awk '$6 == "sprint_session" {print $7}' "$jar")"
wrk -t2 -c64 -d"$LOAD" -H "Cookie: $cookie" http://127.0.0.1:8141/cases > "$WORK/wrk-sprint.txt"
s_load=$(rss_kib "$PID"); s_hwm=$(hwm_kib "$PID")
stop
DATABASE_URL="sqlite://$DB" BIND=127.0.0.1:8142 start http://127.0.0.1:8142/fortunes "$PEER"
sleep 2
p_idle=$(rss_kib "$PID")
wrk -t2 -c64 -d"$LOAD" http://127.0.0.1:8142/fortunes > "$WORK/wrk-peer.txt"
p_load=$(rss_kib "$PID"); p_hwm=$(hwm_kib "$PID")
stop

mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
size() { awk -v b="$(stat -c %s "$1")" 'BEGIN {printf "%.1f", b / 1048576}'; }
{
  echo "# Footprint: SPRInt against the minimal axum Fortunes app"
  echo
  echo "- date: $(date -u)"
  echo "- machine: $(nproc) cores, $(free -g | awk '/^Mem/ {print $2}') GiB, Linux $(uname -r); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- start-up: from exec to the first 200 (SPRInt: /healthz, which queries the database; peer: /fortunes), median of $STARTS on an existing SQLite database; SPRInt's first start on a new file (create, migrate, seed the demo world): $first ms"
  echo "- under load: wrk -t2 -c64 -d$LOAD on SPRInt /cases (signed in) and the peer's /fortunes"
  echo
  echo "| | binary (MiB) | start-up (ms) | RSS idle (MiB) | RSS after load (MiB) | peak RSS (MiB) |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  echo "| SPRInt | $(size "$SPRINT") | $(printf '%s' "$sprint_times" | median) | $(mib "$s_idle") | $(mib "$s_load") | $(mib "$s_hwm") |"
  echo "| peer (Fortunes) | $(size "$PEER") | $(printf '%s' "$peer_times" | median) | $(mib "$p_idle") | $(mib "$p_load") | $(mib "$p_hwm") |"
} | tee "$DATA/results.md"
