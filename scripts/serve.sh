#!/usr/bin/env bash
# Installs what is missing, then serves the playground on http://127.0.0.1:${PORT:-8080}/ and
# rebuilds it when the sources change.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
PORT=${PORT:-8080}
echo "Statelab playground: http://127.0.0.1:$PORT/ (first build takes a few minutes; Ctrl+C stops)"
exec trunk serve --release --address 127.0.0.1 --port "$PORT"
