#!/usr/bin/env bash
# Weight on the wire: bytes of every public page in every public language and of the
# busiest operator pages, first visit and repeat visit, and first paint and load on a
# throttled 3G profile, in Debian's Chromium driven by playwright-core (see README.md).
#
#     bench/weight/run.sh                               # every page, LABEL=run
#     LABEL=before bench/weight/run.sh
#     LANGS="it ar" THROTTLE=0 bench/weight/run.sh      # a quick look
#
# Knobs (environment):
#   SPRINT_BIN    the binary (default ${CARGO_TARGET_DIR:-~/.cache/sprint/target}/debug/sprint;
#                 never built here: `cargo build -p sprint` first)
#   LABEL         name of the run: data/<LABEL>.json and data/<LABEL>.md (default run)
#   LANGS         public languages, space- or comma-separated (default: every directory of
#                 crates/web/locales-public)
#   PAGES         "public operator" (default), or one of them
#   THROTTLE      1 (default) also measures first paint and load on 3G; 0 skips that pass
#   CHROMIUM_BIN  the browser (default /usr/bin/chromium)
#
# playwright-core comes from tests/e2e/node_modules (installed with `npm ci` there when
# missing). Exit status 1 if a page could not be measured or answered other than 200.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
    log "error: $*"
    exit 2
}

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sprint/target}"
SPRINT_BIN="${SPRINT_BIN:-$CARGO_TARGET_DIR/debug/sprint}"
CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
LABEL="${LABEL:-run}"
THROTTLE="${THROTTLE:-1}"

command -v node >/dev/null || die "node (20 or later) is needed"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
    die "node 20 or later is needed (this is $(node --version))"
[ -x "$SPRINT_BIN" ] || die "no binary at $SPRINT_BIN: build it with \`cargo build -p sprint\` or set SPRINT_BIN"
[ -x "$CHROMIUM_BIN" ] || die "no browser at $CHROMIUM_BIN: install Debian's chromium or set CHROMIUM_BIN"
case "$THROTTLE" in 0 | 1) ;; *) die "THROTTLE must be 0 or 1" ;; esac

if [ ! -f "$REPO/tests/e2e/node_modules/playwright-core/package.json" ]; then
    log "installing the browser tests' packages (npm ci in tests/e2e)"
    (cd "$REPO/tests/e2e" && npm ci --no-audit --no-fund)
fi

SPRINT_BIN="$(cd "$(dirname "$SPRINT_BIN")" && pwd)/$(basename "$SPRINT_BIN")"
export SPRINT_BIN CHROMIUM_BIN LABEL THROTTLE
export LANGS="${LANGS:-}" PAGES="${PAGES:-public operator}"
log "weight of the pages with $(basename "$SPRINT_BIN"), label $LABEL, 3G pass: $([ "$THROTTLE" = 1 ] && echo yes || echo no)"
exec node "$HERE/weight.mjs"
