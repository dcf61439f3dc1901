#!/usr/bin/env bash
# The inbox count in the header of every page, at a national scale of open items: the three
# counts `store::inbox::count_open` runs (a user's own items, their organisation's queues,
# the holders of a permission), on SQLite and PostgreSQL, with the partial indexes of
# migration 0028, against a stated target of 1 ms for the three together (a page's whole
# budget is 20 ms at p99, bench/results.md).
#
#     bench/inbox/run.sh                       # 1,000,000 items, 200,000 of them open
#     ITEMS=200000 bench/inbox/run.sh
#     PG_URL=postgres://postgres@127.0.0.1:5432/postgres bench/inbox/run.sh   # + PostgreSQL
#
# Needs sqlite3 (and psql with PG_URL). The schema is the migration's own file.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
ITEMS="${ITEMS:-1000000}"
PG_URL="${PG_URL:-}"
RUNS=200
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Items as the platform writes them: 40% for a user (2,000 users), 59% for an
# organisation's queue (300 organisations, 30 permissions), 1% for the holders of a
# permission (the helpdesk's questions); a fifth still open. The reader is user u7 of
# organisation o7 holding 9 permissions, as a case worker does.
fill_sql() {
cat <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ITEMS)
INSERT INTO inbox_items (id, kind, user_id, org_id, perm, subject_type, subject_id, link, created_by, created_at, done_at)
SELECT 'i' || i, 'task',
       CASE WHEN i % 100 < 40 THEN 'u' || ((i / 100) % 2000) END,
       CASE WHEN i % 100 BETWEEN 40 AND 98 THEN 'o' || ((i / 100) % 300) END,
       CASE WHEN i % 100 < 40 THEN NULL ELSE 'p' || ((i / 7) % 30) END,
       'case_task', 's' || i, '/', 'x', '2026-01-01T00:00:00.000000Z',
       CASE WHEN ((i / 100) + i) % 5 = 0 THEN NULL ELSE '2026-01-02T00:00:00.000000Z' END
FROM n;
SQL
}
PERMS="'p1','p2','p3','p4','p5','p6','p7','p8','p9'"
COUNTS="SELECT COUNT(*) FROM inbox_items i WHERE i.done_at IS NULL AND i.user_id = 'u7';
SELECT COUNT(*) FROM inbox_items i WHERE i.done_at IS NULL AND i.user_id IS NULL AND i.org_id = 'o7' AND i.perm IN ($PERMS);
SELECT COUNT(*) FROM inbox_items i WHERE i.done_at IS NULL AND i.user_id IS NULL AND i.org_id IS NULL AND i.perm IN ($PERMS);"

echo "## SQLite $(sqlite3 --version | cut -d' ' -f1), $ITEMS items"
db="$WORK/inbox.db"
# Only the table and its indexes: the rest of the migration is other tables.
sed -n '/^CREATE TABLE inbox_items/,/^CREATE INDEX inbox_items_created_idx/p' \
  "$REPO/crates/store/migrations/sqlite/0028_work_between.sql" \
  | sed 's/REFERENCES [a-z_]*([a-z_]*)//g' > "$WORK/schema.sql"
sqlite3 "$db" < "$WORK/schema.sql"
fill_sql | sqlite3 "$db"
sqlite3 "$db" "ANALYZE;"
echo '```'
for k in 1 2 3; do sqlite3 "$db" "EXPLAIN QUERY PLAN $(echo "$COUNTS" | sed -n ${k}p)" | grep -v '^QUERY PLAN'; done
echo '```'
{ for _ in $(seq 1 $RUNS); do echo "$COUNTS"; done; } > "$WORK/runs.sql"
start=$(date +%s%N)
sqlite3 "$db" < "$WORK/runs.sql" > /dev/null
end=$(date +%s%N)
echo "counts: $(sqlite3 "$db" "$COUNTS" | tr '\n' ' ')"
echo "three counts, mean of $RUNS: $(( (end - start) / RUNS / 1000 )) µs (one sqlite3 process, including its parsing)"

if [ -n "$PG_URL" ]; then
  echo "## PostgreSQL, $ITEMS items"
  admin="$PG_URL"
  psql "$admin" -qc "DROP DATABASE IF EXISTS sprint_bench_inbox" 2>/dev/null >/dev/null
  psql "$admin" -qc "CREATE DATABASE sprint_bench_inbox" >/dev/null
  pg="${PG_URL%/*}/sprint_bench_inbox"
  sed -n '/^CREATE TABLE inbox_items/,/^CREATE INDEX inbox_items_created_idx/p' \
    "$REPO/crates/store/migrations/postgres/0028_work_between.sql" \
    | sed 's/REFERENCES [a-z_]*([a-z_]*)//g' | psql "$pg" -q >/dev/null
  fill_sql | sed "s/'2026-01-01T00:00:00.000000Z'/'2026-01-01'::timestamptz/; s/'2026-01-02T00:00:00.000000Z'/'2026-01-02'::timestamptz/" \
    | psql "$pg" -q >/dev/null
  # Autovacuum keeps the visibility map of a live table; a fresh load has none.
  psql "$pg" -qc "VACUUM ANALYZE inbox_items" >/dev/null
  echo '```'
  for k in 1 2 3; do psql "$pg" -Atc "EXPLAIN ANALYZE $(echo "$COUNTS" | sed -n ${k}p)" | grep -E "Index|Scan|Execution"; done
  echo '```'
  { echo '\timing on'; for _ in $(seq 1 $RUNS); do echo "$COUNTS"; done; } > "$WORK/runs-pg.sql"
  psql "$pg" -q -f "$WORK/runs-pg.sql" 2>&1 | grep -o 'Time: [0-9.]*' | awk '{s += $2; n++} END {printf "three counts, mean of %d runs: %.0f µs (server time as psql reports it)\n", n / 3, s / (n / 3) * 1000}'
  psql "$admin" -qc "DROP DATABASE IF EXISTS sprint_bench_inbox" >/dev/null
fi
