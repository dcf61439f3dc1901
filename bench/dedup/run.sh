#!/usr/bin/env bash
# Person-deduplication benchmark: `sprint dedup` against Splink, on generated registers
# (10,000 and 100,000 records) and on FEBRL 1–4; plus namematch's 1,000,000-person lookup
# timings. One command reproduces everything:
#
#     bench/dedup/run.sh            # or SIZES=10000 bench/dedup/run.sh for a quick run
#
# Creates bench/.venv (git-ignored) with pinned Splink/DuckDB/recordlinkage, generates the
# data into bench/dedup/data/ (git-ignored), builds the release binary, runs both tools
# under /usr/bin/time -v and writes bench/dedup/data/results.md (and results.json).
# Needs python3 (with venv), cargo, and /usr/bin/time (installed with apt-get if missing).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="$REPO/bench/.venv"
DATA="$HERE/data"
SIZES="${SIZES:-10000,100000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time (for wall time and peak memory)"
    apt-get update -qq && apt-get install -y -qq time
fi

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q \
    splink==5.0.0 duckdb==2.0.1 pandas==2.3.3 recordlinkage==0.16 jellyfish==1.3.0 Unidecode==1.4.0

mkdir -p "$DATA"
# Tuning registers (seed 1000+size) choose Splink's configuration and threshold; report
# registers (seed 2000+size) are the ones reported. sprint uses its defaults on both.
IFS=, read -ra sizes <<< "$SIZES"
for n in "${sizes[@]}"; do
    "$VENV/bin/python" "$HERE/generate.py" --records "$n" --seed $((1000 + n)) --out "$DATA/synth-$n-tune"
    "$VENV/bin/python" "$HERE/generate.py" --records "$n" --seed $((2000 + n)) --out "$DATA/synth-$n-report"
done
"$VENV/bin/python" "$HERE/febrl.py" --out "$DATA/febrl"

(cd "$REPO" && cargo build --release -p sprint && cargo build --release -p namematch --features synth --example timings)
SPRINT="$CARGO_TARGET_DIR/release/sprint"

# Every generated row must be readable: a skipped row would be a generator bug.
for n in "${sizes[@]}"; do
    summary="$("$SPRINT" dedup --input "$DATA/synth-$n-tune/register.csv" --output /dev/null --threshold 1 2>/dev/null)"
    case "$summary" in
        *" 0 skipped,"*) ;;
        *) echo "generated rows were skipped: $summary" >&2; exit 1 ;;
    esac
done

"$VENV/bin/python" "$HERE/bench.py" --sprint "$SPRINT" --python "$VENV/bin/python" \
    --data "$DATA" --repo "$REPO" --sizes "$SIZES" ${SKIP:+--skip "$SKIP"}
echo "results: $DATA/results.md"
