#!/usr/bin/env bash
# Installs what is missing, then runs every check and test, stopping at the first failure:
# formatting, clippy, the fuzz targets' build, the Rust tests, the library's tests again in
# release, a release build of the playground, the wasm tests (Node), the JS package test, and the
# browser suite (headless Chromium). Ends with a summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || exit 1
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

LOG_DIR=$(mktemp -d)
PASSED=0
FAILED=0
DETAIL=""
STEP=""

summary() {
  echo
  echo "TOTAL: $PASSED passed, $FAILED failed${DETAIL:+ ($DETAIL)}"
}

fail() {
  echo
  echo "FAILED at: $STEP"
  FAILED=$((FAILED > 0 ? FAILED : 1))
  summary
  exit 1
}

step() {
  STEP="$1"
  printf '\n=== %s\n' "$STEP"
}

# Adds up "test result: ... N passed; M failed" lines from cargo's output.
count_cargo() {
  local log=$1 label=$2 p f
  p=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) passed.*/\1/' | awk '{s+=$1} END {print s+0}')
  f=$(grep -E '^test result:' "$log" | sed -E 's/.* ([0-9]+) failed.*/\1/' | awk '{s+=$1} END {print s+0}')
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f))
  DETAIL="${DETAIL:+$DETAIL, }$label $p"
}

step "cargo fmt --all --check"
cargo fmt --all --check || fail

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings || fail

# The fuzz targets are a package of their own (they run on nightly, scripts/fuzz.sh): checked
# here on the stable toolchain, so that a change to the library's API cannot break them unseen.
step "cargo check --manifest-path fuzz/Cargo.toml --bins"
cargo check --manifest-path fuzz/Cargo.toml --bins --locked || fail

step "cargo test --workspace"
cargo test --workspace 2>&1 | tee "$LOG_DIR/cargo.log"
status=${PIPESTATUS[0]}
count_cargo "$LOG_DIR/cargo.log" rust
[ "$status" = 0 ] || fail

# The playground and the CLI ship optimised builds, whose stack frames are smaller than a debug
# build's: the stack budgets that keep deep input from overflowing (JSONata, JSONPath, templates)
# must answer the same there. The library's own tests, again in release.
step "cargo test -p statelab --release"
cargo test -p statelab --release 2>&1 | tee "$LOG_DIR/cargo-release.log"
status=${PIPESTATUS[0]}
count_cargo "$LOG_DIR/cargo-release.log" "rust (release)"
[ "$status" = 0 ] || fail

step "trunk build --release"
trunk build --release || fail

step "wasm tests (wasm-bindgen-test-runner on Node)"
cargo test -p statelab-wasm --target wasm32-unknown-unknown 2>&1 | tee "$LOG_DIR/wasm.log"
status=${PIPESTATUS[0]}
count_cargo "$LOG_DIR/wasm.log" wasm
[ "$status" = 0 ] || fail

if [ -x scripts/test-js-package.sh ]; then
  step "JS package (Node)"
  scripts/test-js-package.sh 2>&1 | tee "$LOG_DIR/js.log"
  status=${PIPESTATUS[0]}
  p=$(grep -cE '^ok ' "$LOG_DIR/js.log" || true)
  f=$(grep -cE '^not ok ' "$LOG_DIR/js.log" || true)
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f)); DETAIL="$DETAIL, js $p"
  [ "$status" = 0 ] || fail
fi

step "browser suite (Playwright, headless Chromium)"
npx playwright test --config tests/e2e/playwright.config.mjs
status=$?
RESULTS=tests/e2e/test-results/results.json
if [ -f "$RESULTS" ]; then
  p=$(node -e "const r=require('./$RESULTS');console.log(r.stats.expected+r.stats.flaky)")
  f=$(node -e "const r=require('./$RESULTS');console.log(r.stats.unexpected)")
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f)); DETAIL="$DETAIL, browser $p"
fi
[ "$status" = 0 ] || fail

STEP=""
summary
