#!/usr/bin/env bash
# Builds the JS package in packages/statelab/: the wasm crate (crates/statelab-wasm) in the
# release profile (opt-level 3 with LTO: a test suite runs many executions, so speed matters more
# than the few hundred KB that the playground's size profile would save), then wasm-bindgen twice:
#   node/  --target nodejs  CommonJS that loads its .wasm synchronously (Node, Jest, Vitest)
#   web/   --target web     an ES module with init()/initSync() (browsers and bundlers)
# Does nothing when every output is newer than every input; `--force` builds anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

PKG=packages/statelab
STAMP=$PKG/.built
WASM=target/wasm32-unknown-unknown/release/statelab_wasm.wasm
INPUTS=(Cargo.toml Cargo.lock crates/statelab crates/statelab-wasm/Cargo.toml crates/statelab-wasm/src
        scripts/build-js-package.sh scripts/patch-js-package.mjs)

if [ "${1:-}" != --force ] && [ -f "$STAMP" ] \
  && [ -z "$(find "${INPUTS[@]}" -newer "$STAMP" -not -path '*/tests/*' -print -quit)" ]; then
  echo "[js-package] up to date ($PKG)" >&2
  exit 0
fi

want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $want" ]; then
  echo "[js-package] wasm-bindgen $want is needed (Cargo.lock's version): run scripts/setup.sh" >&2
  exit 1
fi

echo "[js-package] cargo build --release (wasm32)" >&2
cargo build -p statelab-wasm --target wasm32-unknown-unknown --release

rm -f "$STAMP"
for target in nodejs web; do
  dir=$PKG/${target%js}   # node/, web/
  rm -rf "$dir"
  echo "[js-package] wasm-bindgen --target $target -> $dir" >&2
  wasm-bindgen --target "$target" --out-dir "$dir" --out-name statelab "$WASM"
done
# A clear error for the web build used before init(), and declarations that compile with an
# older `lib` (see the script).
node scripts/patch-js-package.mjs "$PKG"
# Each build says what kind of module it is, whatever the importing project's "type" is.
echo '{ "type": "commonjs" }' > "$PKG/node/package.json"
echo '{ "type": "module" }' > "$PKG/web/package.json"
touch "$STAMP"
echo "[js-package] built $PKG ($(du -k "$PKG/node/statelab_bg.wasm" | cut -f1) KB of wasm)" >&2
