#!/usr/bin/env bash
# The JS package's tests: builds packages/statelab (a no-op when it is newer than its sources),
# then runs packages/statelab/test/*.test.mjs with Node's own test runner. The output is TAP: one
# `ok`/`not ok` line per test at the start of a line, which scripts/test.sh counts. The tests run
# every shared example of www/examples/ against its `expect`, the Execution class, the web build,
# what `npm pack` ships, the TypeScript declarations, and every ```js block of the package's
# README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-js-package.sh
exec node --test --test-reporter=tap packages/statelab/test/*.test.mjs
