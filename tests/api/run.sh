#!/usr/bin/env bash
# Schemathesis against SPRInt's OpenAPI document, with the token of every kind of user, on
# SQLite and (when SPRINT_TEST_DATABASE_URL is set) on PostgreSQL: generated requests,
# valid and invalid, to every operation. Fails on any server error and on any answer
# outside the document (status code, content type, body schema, headers).
#
#   SPRINT_BIN=target/debug/sprint tests/api/run.sh
#   MAX_EXAMPLES=50 tests/api/run.sh          # more cases per operation (default 20)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

BIN="${SPRINT_BIN:-${CARGO_TARGET_DIR:-target}/debug/sprint}"
VENV="${SPRINT_API_VENV:-$HOME/.cache/sprint/venv-schemathesis}"
MAX_EXAMPLES="${MAX_EXAMPLES:-20}"
PORT="${PORT:-8131}"
BASE="http://127.0.0.1:$PORT"
USERS=(roberto marco chiara giulia luca sara paolo anna davide elena tanvir)
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance

if [ ! -x "$VENV/bin/st" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet -r tests/api/requirements.txt
fi

work="$(mktemp -d)"
server=""
pgdb=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$pgdb" ]; then psql "$SPRINT_TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A personal API token for USER, made on the profile page as the user would.
token_for() {
  local user="$1" jar="$work/$1.cookies" csrf
  curl -fsS -c "$jar" -b "$jar" "$BASE/login" -o "$work/page.html"
  csrf=$(grep -o 'name="csrf" value="[^"]*"' "$work/page.html" | head -1 | sed 's/.*value="//;s/"$//')
  curl -fsS -o /dev/null -c "$jar" -b "$jar" --data-urlencode "username=$user" \
    --data-urlencode "password=Demo-Roma-2026" --data-urlencode "next=/" --data-urlencode "csrf=$csrf" "$BASE/login"
  curl -fsS -c "$jar" -b "$jar" "$BASE/profile/tokens" -o "$work/page.html"
  csrf=$(grep -o 'name="csrf" value="[^"]*"' "$work/page.html" | head -1 | sed 's/.*value="//;s/"$//')
  curl -fsS -c "$jar" -b "$jar" --data-urlencode "name=schemathesis" --data-urlencode "csrf=$csrf" \
    "$BASE/profile/tokens" -o "$work/page.html"
  grep -o 'spr_[A-Za-z0-9_]*' "$work/page.html" | head -1
}

run_engine() {
  local engine="$1" url="$2" failed=0
  echo "==> schemathesis on $engine"
  SPRINT_DATABASE_URL="$url" SPRINT_BIND="127.0.0.1:$PORT" SPRINT_LOG=warn SPRINT_JOBS=false \
    SPRINT_ENCRYPTION_KEY="$("$BIN" keygen)" SPRINT_ARGON2_MEMORY_KIB=1024 SPRINT_ARGON2_ITERATIONS=1 \
    "$BIN" serve --demo > "$work/server-$engine.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null; then break; fi
    sleep 0.3
  done
  for user in "${USERS[@]}"; do
    local token
    token="$(token_for "$user")"
    echo "--- as $user"
    if ! "$VENV/bin/st" run "$BASE/api/openapi.json" \
        -H "Authorization: Bearer $token" --checks "$CHECKS" \
        --max-examples "$MAX_EXAMPLES" --workers 2 --no-color; then
      failed=1
    fi
  done
  if grep -q " ERROR " "$work/server-$engine.log"; then
    echo "server errors logged on $engine:"; grep " ERROR " "$work/server-$engine.log" | head -20
    failed=1
  fi
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  return "$failed"
}

status=0
run_engine sqlite "sqlite://$work/sprint.db" || status=1
if [ -n "${SPRINT_TEST_DATABASE_URL:-}" ]; then
  pgdb="sprint_api_$(date +%s)_$$"
  psql "$SPRINT_TEST_DATABASE_URL" -qc "CREATE DATABASE $pgdb"
  run_engine postgres "${SPRINT_TEST_DATABASE_URL%/*}/$pgdb" || status=1
fi
if [ "$status" -eq 0 ]; then echo "schemathesis: no server error, every answer as documented"; fi
exit "$status"
