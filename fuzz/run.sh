#!/usr/bin/env bash
# Runs every fuzz target for a while: the operators' parsers here (the presences CSV
# import, the person form's decoding and checks) and the name normaliser's in
# crates/namematch/fuzz. libFuzzer through cargo-fuzz, without sanitizers (the code is
# safe Rust: we look for panics and broken properties), on the stable toolchain
# (RUSTC_BOOTSTRAP lets cargo-fuzz pass its flags). A crash leaves its input under
# artifacts/ and fails the run.
#
#   fuzz/run.sh                 # 30 seconds per target
#   FUZZ_SECONDS=600 fuzz/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SECONDS_EACH="${FUZZ_SECONDS:-30}"
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/sprint/fuzz-target}"
export RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

run() {
  local dir="$1" target="$2"
  echo "==> fuzz $target ($dir, ${SECONDS_EACH}s)"
  local log status=0
  log="$(mktemp)"
  (cd "$dir" && cargo fuzz run -s none "$target" -- -max_total_time="$SECONDS_EACH" -print_final_stats=1) \
    >"$log" 2>&1 || status=$?
  grep -E "^(Done|stat::number_of_executed_units)" "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -40 "$log"
    echo "fuzz $target failed (exit $status); a failing input is kept under $dir/artifacts/$target"
    rm -f "$log"; exit 1
  fi
  rm -f "$log"
}

run fuzz presences_csv
run fuzz person_form
run crates/namematch/fuzz normalise
echo "fuzzing: no failure"
