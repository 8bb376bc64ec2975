#!/usr/bin/env bash
# The test command: everything, from a fresh machine. Installs what is missing, then runs the Rust
# tests, builds the package, and runs every js-test (Node, packed package, workerd, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_build_tools
ensure_chromium

unset RUSTFLAGS
echo "== cargo test"
cargo test --quiet
echo "== build"
bash scripts/build.sh
echo "== js-tests"
node --test --test-reporter=spec js-tests/*.test.mjs
