#!/usr/bin/env bash
# Where a page's time goes: every SQL statement of one request, with its time and rows.
#
#     bench/pages/profile.sh                       # the Rome world of bench/pages/data
#     DB=path/to/sprint.db bench/pages/profile.sh  # any seeded SQLite database
#
# Starts the release binary on the database with sqlx's statement log at debug level, signs
# in as the journeys' users, requests each of the busiest pages three times and prints, for
# the second request of each, the response time, the number of statements, their total
# time and the slowest ones. Needs a built release binary, curl and python3.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DB="${DB:-$HERE/data/sprint-rome.db}"
DB="$(cd "$(dirname "$DB")" && pwd)/$(basename "$DB")"
SPRINT="${SPRINT_RELEASE_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/sprint/target}/release/sprint}"
ADDR="127.0.0.1:8097"
PASSWORD="Demo-Roma-2026"
WORK="$(mktemp -d)"
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT

[ -x "$SPRINT" ] || { echo "build the release binary first: cargo build --release -p sprint" >&2; exit 1; }
[ -f "$DB" ] || { echo "no database at $DB (bench/pages/run.sh seeds one)" >&2; exit 1; }
LOG="$WORK/server.log"
# The server appends (O_APPEND), so the markers written between requests stay in order.
(cd "$(dirname "$DB")" && SPRINT_DATABASE_URL="sqlite://$DB" SPRINT_BIND="$ADDR" \
    SPRINT_LOG="warn,sqlx::query=debug" SPRINT_JOBS=false exec "$SPRINT" serve) >>"$LOG" 2>&1 &
PID=$!
for _ in $(seq 120); do curl -fs -o /dev/null "http://$ADDR/healthz" && break; sleep 1; done

sign_in() {
    local user="$1" jar="$WORK/jar-$1" page csrf
    page="$(curl -sS -c "$jar" "http://$ADDR/login")"
    csrf="$(grep -o 'name="csrf" value="[^"]*"' <<<"$page" | head -n 1 | sed 's/.*value="//; s/"$//')"
    curl -sS -o /dev/null -D "$WORK/h-$user" -b "$jar" --data-urlencode "username=$user" \
        --data-urlencode "password=$PASSWORD" --data-urlencode "csrf=$csrf" \
        --data-urlencode "next=/" "http://$ADDR/login"
    tr -d '\r' <"$WORK/h-$user" | sed -n 's/^[Ss]et-[Cc]ookie: sprint_session=\([^;]*\).*/\1/p' | head -n 1
}
chiara="$(sign_in chiara)"
sara="$(sign_in sara)"
elena="$(sign_in elena)"
person="$(curl -sS -H "Cookie: sprint_session=$chiara" "http://$ADDR/people?q=Mohamed" \
    | grep -oE 'class="open-record" href="/people/[0-9a-fA-F-]{36}' | head -n 1 | sed 's#.*/people/##')"

for page in "$chiara /people/$person" "$chiara /cases" "$sara /minors" "$elena /reports" \
    "$chiara /people?q=Mohamed%20Ahmed"; do
    set -- $page
    for k in 1 2 3; do
        # The log writer is asynchronous: let it flush before the marker.
        sleep 0.5
        echo "== $2 $k" >>"$LOG"
        curl -sS -o /dev/null -w "== $2 $k %{time_total}\n" -H "Cookie: sprint_session=$1" \
            "http://$ADDR$2" >>"$LOG"
    done
done
sleep 0.5

python3 - "$LOG" <<'PY'
import re, sys
blocks, cur, took = {}, None, {}
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.match(r"== (\S+) (\d) ([0-9.]+)$", line.strip())
    if m:
        took[(m.group(1), m.group(2))] = float(m.group(3)) * 1000
        continue
    m = re.match(r"== (\S+) (\d)$", line.strip())
    if m:
        cur = (m.group(1), m.group(2))
        blocks[cur] = []
        continue
    if cur and "sqlx::query" in line:
        q = re.search(r'summary="([^"]*)".*?rows_returned=(\d+).*elapsed_secs=([0-9.e-]+)', line)
        if q:
            blocks[cur].append((float(q.group(3)) * 1000, int(q.group(2)), q.group(1)))
for (page, k), stmts in blocks.items():
    if k != "2":
        continue
    print(f"{page}: {took.get((page, k), 0):.1f} ms, {len(stmts)} statements, "
          f"{sum(s[0] for s in stmts):.1f} ms in SQL")
    for ms, rows, text in sorted(stmts, reverse=True)[:5]:
        print(f"    {ms:7.2f} ms {rows:6d} rows  {text}")
PY
