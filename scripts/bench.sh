#!/usr/bin/env bash
# Benchmarks Statelab against the peer (aws-local-stepfunctions on Node 22) on this machine, in one
# invocation: the six workloads of bench/workloads natively (`statelab run`), as WASM in headless
# Chromium, and on the peer; then the playground's budgets. Prints one table and saves the raw
# results in bench/results/latest.json. Takes about ten minutes on a 2-core machine after the
# builds (release builds of the CLI, of the JS API crate for the web and of the playground).
#
# Usage: scripts/bench.sh [--runs N] [--rounds N] [--warm-ms MS] [--peer-warm-ms MS] [--workloads loop,map,...]
#                         [--skip peer,native,wasm,playground] [--no-build]
# The options go to bench/bench.mjs, except --no-build, which reuses the last builds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
say() { printf '[bench] %s\n' "$*" >&2; }

BUILD=1
SKIP=""
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) BUILD=0 ;;
    --skip) SKIP="$2"; ARGS+=("$1" "$2"); shift ;;
    *) ARGS+=("$1") ;;
  esac
  shift
done
skipped() { [[ ",$SKIP," == *",$1,"* ]]; }

# The peer and the Node 22 it needs, from the npm registry, at the versions bench/peer pins.
PEER=target/bench-peer
if ! skipped peer && ! cmp -s bench/peer/package-lock.json "$PEER/package-lock.json" 2>/dev/null; then
  say "installing the peer (aws-local-stepfunctions, Node 22) into $PEER"
  mkdir -p "$PEER"
  cp bench/peer/package.json bench/peer/package-lock.json "$PEER/"
  (cd "$PEER" && npm ci --no-audit --no-fund --loglevel=error)
fi

# One build at a time: the machine is shared.
if [ "$BUILD" = 1 ]; then
  say "building the CLI (release)"
  cargo build --release -p statelab-cli
  if ! skipped wasm; then
    say "building the JS API crate for the web (release, wasm-bindgen --target web, wasm-opt -O3)"
    cargo build --release -p statelab-wasm --target wasm32-unknown-unknown --features bench
    PKG=target/bench/wasm/pkg
    rm -rf "$PKG"
    wasm-bindgen --target web --out-dir "$PKG" target/wasm32-unknown-unknown/release/statelab_wasm.wasm
    wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "$PKG/statelab_wasm_bg.wasm" -o "$PKG/statelab_wasm_bg.wasm"
  fi
  if ! skipped playground; then
    say "building the playground (trunk build --release)"
    trunk build --release
  fi
fi

node bench/bench.mjs ${ARGS[@]+"${ARGS[@]}"}
