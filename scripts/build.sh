#!/usr/bin/env bash
# Builds the npm package in pkg/: the release Wasm, wasm-bindgen glue for Node (CommonJS) and for
# the web (ESM: browsers, workerd), and the Node entry bundle that serves require() and import.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_build_tools

unset RUSTFLAGS # it would replace .cargo/config.toml's cpubits setting for wasm
cargo build --quiet --release --target wasm32-unknown-unknown
wasm=target/wasm32-unknown-unknown/release/aggpay.wasm
wasm-bindgen --target nodejs --remove-name-section --out-dir pkg/node "$wasm"
wasm-bindgen --target web --remove-name-section --out-dir pkg/web "$wasm"
echo '{ "type": "commonjs" }' > pkg/node/package.json
echo '{ "type": "module" }' > pkg/web/package.json
# CommonJS TypeScript consumers (module node16) need .d.cts declarations; the content is the same.
cp pkg/types/index.d.ts pkg/types/index.d.cts
# The published package carries the project's README and licence.
cp README.md LICENSE pkg/
node_modules/.bin/esbuild pkg/src/node.mjs --bundle --platform=node --format=cjs \
  --external:../node/aggpay.js --outfile=pkg/dist/node.cjs --log-level=warning
echo "build: pkg/ ready ($(du -k pkg/web/aggpay_bg.wasm | cut -f1) KiB wasm)"
