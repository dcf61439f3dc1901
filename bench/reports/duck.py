"""Runs SPRInt's indicator SQL in DuckDB on the same facts.

The facts are read once from SPRInt's SQLite `report_facts` view (Python's sqlite3),
written to CSV and loaded into a DuckDB table of the same name; then every statement of
`sprint reports sql` runs three times. Prints, per statement, the best and median time
and the number of rows, and the time the export and the load took (not counted in the
queries: DuckDB is given its facts ready, the advantage of an analytics store)."""

import argparse
import csv
import sqlite3
import statistics
import tempfile
import time

import duckdb


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--sql", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    lines = []
    t = time.perf_counter()
    src = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True)
    cur = src.execute("SELECT * FROM report_facts")
    cols = [d[0] for d in cur.description]
    with tempfile.NamedTemporaryFile("w", suffix=".csv", newline="", delete=False) as f:
        w = csv.writer(f)
        w.writerow(cols)
        n = 0
        while True:
            rows = cur.fetchmany(100_000)
            if not rows:
                break
            w.writerows(rows)
            n += len(rows)
        path = f.name
    src.close()
    lines.append(f"facts exported from the view: {n} rows in {time.perf_counter() - t:.1f} s")

    con = duckdb.connect()
    t = time.perf_counter()
    types = {c: "VARCHAR" for c in cols}
    for c in ("tcn", "minor", "vulnerable", "legal", "digital", "contact", "num", "den"):
        types[c] = "BIGINT"
    con.execute(
        "CREATE TABLE report_facts AS SELECT * FROM read_csv(?, header = true, columns = ?)",
        [path, types],
    )
    lines.append(f"loaded into DuckDB {duckdb.__version__} in {time.perf_counter() - t:.1f} s")

    label = ""
    total_best = 0.0
    for raw in open(a.sql, encoding="utf-8"):
        raw = raw.strip()
        if raw.startswith("-- "):
            label = raw[3:]
            continue
        if not raw:
            continue
        times = []
        rows = 0
        for _ in range(3):
            t = time.perf_counter()
            rows = len(con.execute(raw.rstrip(";")).fetchall())
            times.append((time.perf_counter() - t) * 1000)
        total_best += min(times)
        lines.append(
            f"{min(times):>10.1f} ms best {statistics.median(times):>10.1f} ms median {rows:>8} rows  {label}"
        )
    lines.append(f"all indicator SQL in DuckDB: {total_best:.0f} ms (sum of the best runs)")
    text = "\n".join(lines)
    print(text)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
