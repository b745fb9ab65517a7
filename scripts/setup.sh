#!/usr/bin/env bash
# Installs whatever Statelab's build and tests need and is missing, at pinned versions. Safe to
# run again: each step checks what is installed first and is a no-op when it is already right.
# Works on a fresh Debian machine that reaches only the package registries (crates.io, npm,
# Debian); nothing is downloaded from anywhere else.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
say() { printf '[setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# The Rust target the playground and the JS package compile to.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Trunk builds and serves the playground (0.22 needs a newer rustc than this machine has).
if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (takes a few minutes)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly. Its own lockfile
# names a crate the registry lacks, so it is installed without --locked.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ -z "$WASM_BINDGEN_VERSION" ]; then
  say "cannot find wasm-bindgen in Cargo.lock"; exit 1
fi
if ! grep -q "^wasm_bindgen = \"$WASM_BINDGEN_VERSION\"" Trunk.toml; then
  say "Trunk.toml pins a different wasm-bindgen than Cargo.lock ($WASM_BINDGEN_VERSION): update [tools]"; exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (takes a few minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# JS tooling from npm, exactly as package-lock.json says: CodeMirror and esbuild for the editor
# bundle, binaryen for wasm-opt, Playwright for the browser suite. Reinstalled only when the
# lockfile changed since the last install.
LOCK_HASH=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.statelab-lock 2>/dev/null || true)" != "$LOCK_HASH" ]; then
  say "installing npm packages (npm ci)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  echo "$LOCK_HASH" > node_modules/.statelab-lock
fi
if [ "$(node_modules/.bin/wasm-opt --version 2>/dev/null | awk '{print $3}')" != "132" ]; then
  say "wasm-opt from the binaryen package is not version 132"; exit 1
fi

# Debian's Chromium for the browser suite (Playwright never downloads a browser here).
if ! [ -x /usr/bin/chromium ]; then
  say "installing chromium from Debian"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 \
    || { as_root apt-get update >/dev/null && as_root apt-get install -y --no-install-recommends chromium >/dev/null; }
fi
say "ready"
