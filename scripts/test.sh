#!/usr/bin/env bash
# The test command: everything, from a fresh machine. Installs what is missing, then checks
# formatting and lints (native and wasm32), runs the Rust tests, builds the package, and runs every
# js-test (Node, packed package, workerd, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_build_tools
ensure_chromium
ensure_openssl
ensure_java

unset RUSTFLAGS
ensure_lint_tools
echo "== cargo fmt --check"
cargo fmt --check
echo "== cargo clippy -D warnings (native, wasm32)"
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --lib --target wasm32-unknown-unknown -- -D warnings
echo "== cargo test"
cargo test --quiet
echo "== fuzz (smoke: every target over its corpus, then a few seconds each)"
bash scripts/fuzz.sh smoke
echo "== build"
bash scripts/build.sh
echo "== js-tests"
node --test --test-reporter=spec js-tests/*.test.mjs
