#!/usr/bin/env bash
# Fuzzes the library: runs each cargo-fuzz target in fuzz/ for SECONDS, one after another (one
# core each: the build machine is shared), then prints a line per target with its executions and
# crashes. A crash (a panic, a stack overflow, an input slower than 10 s or over 2 GB) is
# minimised and its place printed; turn it into a regression case under
# tests/cases/regressions/<target>/ once the library is fixed.
#
#   scripts/fuzz.sh SECONDS [TARGET...]     # every target when none is named
#
# The seed corpora are generated from www/examples and tests/cases (fuzz/seed.mjs) into
# fuzz/corpus/<target>/, which grows across runs and is not committed. Needs the nightly
# toolchain and cargo-fuzz (installed from crates.io when missing).
#
# Environment: FUZZ_SANITIZER (default `none`: safe Rust needs no AddressSanitizer to show a panic,
# an overflow or a stack overflow, and runs twice as fast without; `address` to use it),
# FUZZ_ARGS (more libFuzzer options).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

ALL_TARGETS=(check jsonpath intrinsics jsonata execute stubs share)
if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh SECONDS [TARGET...]   (targets: ${ALL_TARGETS[*]})" >&2
  exit 2
fi
SECONDS_EACH=$1
shift
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL_TARGETS[@]}")
for t in "${TARGETS[@]}"; do
  [ -f "fuzz/fuzz_targets/$t.rs" ] || { echo "no fuzz target '$t' (targets: ${ALL_TARGETS[*]})" >&2; exit 2; }
done

say() { printf '[fuzz] %s\n' "$*" >&2; }
if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz from crates.io"
  cargo install cargo-fuzz || exit 1
fi
if ! rustup toolchain list | grep -q '^nightly'; then
  say "the nightly toolchain is needed: rustup toolchain install nightly"
  exit 1
fi

SANITIZER=${FUZZ_SANITIZER:-none}
node fuzz/seed.mjs >/dev/null || exit 1
mkdir -p fuzz/logs

# Which dictionary each target uses.
dict_for() {
  case $1 in
    check | execute | stubs) echo fuzz/dict/asl.dict ;;
    jsonpath) echo fuzz/dict/jsonpath.dict ;;
    jsonata) echo fuzz/dict/jsonata.dict ;;
    intrinsics) echo fuzz/dict/intrinsics.dict ;;
    *) echo "" ;;
  esac
}

SUMMARY=()
CRASHED=0
for t in "${TARGETS[@]}"; do
  say "building $t"
  cargo +nightly fuzz build -s "$SANITIZER" "$t" >"fuzz/logs/$t.build.log" 2>&1 \
    || { cat "fuzz/logs/$t.build.log" >&2; say "the build of $t failed"; exit 1; }
  say "running $t for $SECONDS_EACH s (log: fuzz/logs/$t.log)"
  dict=$(dict_for "$t")
  before=$(find "fuzz/artifacts/$t" -type f 2>/dev/null | sort)
  # shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
  cargo +nightly fuzz run -s "$SANITIZER" "$t" -- \
    -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    ${dict:+-dict=$dict} ${FUZZ_ARGS:-} >"fuzz/logs/$t.log" 2>&1
  status=$?
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "fuzz/logs/$t.log" | grep -oE '[0-9]+$' | tail -1)
  # A run stopped by a crash prints no final stats: its last progress line says how far it got.
  [ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "fuzz/logs/$t.log" | tail -1 | tr -d '#')
  after=$(find "fuzz/artifacts/$t" -type f ! -name 'minimized-*' 2>/dev/null | sort)
  new=$(comm -13 <(echo "$before") <(echo "$after") | sed '/^$/d')
  crashes=$(echo -n "$new" | grep -c . || true)
  if [ "$status" != 0 ] && [ "$crashes" = 0 ]; then
    tail -20 "fuzz/logs/$t.log" >&2
    say "$t stopped with status $status and left no crash file: see fuzz/logs/$t.log"
    crashes="?"
  fi
  # A crash stops the run early: say so rather than claim the whole time.
  took=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "fuzz/logs/$t.log" | grep -oE '[0-9]+ second' | grep -oE '[0-9]+' | tail -1)
  if [ -n "$took" ]; then took="${took}s"; else took="less than ${SECONDS_EACH}s (stopped early)"; fi
  SUMMARY+=("$(printf '%-11s %12s executions in %s, %s crash(es)' "$t" "${execs:-?}" "$took" "$crashes")")
  for a in $new; do
    CRASHED=1
    grep -m1 -E "panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer|deadly signal" "fuzz/logs/$t.log" >&2 || true
    say "minimising $a"
    cargo +nightly fuzz tmin -s "$SANITIZER" "$t" "$a" -- -runs=2000 >"fuzz/logs/$t.tmin.log" 2>&1 || true
    minimized=$(grep -oE "fuzz/artifacts/$t/minimized-from-[0-9a-f]+" "fuzz/logs/$t.tmin.log" | tail -1)
    say "crash in $t: $a${minimized:+ (minimised: $minimized)}"
    say "  reproduce with: cargo +nightly fuzz run -s $SANITIZER $t ${minimized:-$a}"
  done
done

echo
echo "fuzzing summary ($(date -u +%Y-%m-%d), sanitizer $SANITIZER):"
printf '  %s\n' "${SUMMARY[@]}"
exit $CRASHED
