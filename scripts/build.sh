#!/usr/bin/env bash
# Builds the npm package in pkg/: the release Wasm and its one wasm-bindgen glue (--target web: ESM,
# instantiated from bytes on Node, from a compiled module on the edge, by fetch in browsers), the Node
# entry bundle that serves require() and import, the declaration copies per module format, and the
# README with links that work from npm.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_build_tools

unset RUSTFLAGS # it would replace .cargo/config.toml's cpubits setting for wasm
cargo build --quiet --release --target wasm32-unknown-unknown
wasm=target/wasm32-unknown-unknown/release/aggpay.wasm
wasm-bindgen --target web --remove-name-section --out-dir pkg/web "$wasm"
rm -rf pkg/node # older builds made a second glue (--target nodejs) with a second copy of the .wasm
echo '{ "type": "module" }' > pkg/web/package.json
# One declaration file per module format, so that TypeScript sees what each condition loads: .d.cts
# for Node's `require` (dist/node.cjs is CommonJS), .d.mts for the ESM entries (Node's `import`,
# src/node-esm.mjs, which re-exports that bundle; workerd, edge-light, browser). The content is the same.
cp pkg/types/index.d.ts pkg/types/index.d.cts
cp pkg/types/index.d.ts pkg/types/index.d.mts
# The published package carries the project's README (its relative links made absolute, so that
# they work on npm) and licence.
node scripts/readme-for-npm.mjs README.md pkg/README.md
cp LICENSE pkg/
# The Node entry: the web glue bundled in, the .wasm read from web/ (`import.meta.url` is the bundle's URL).
node_modules/.bin/esbuild pkg/src/node.mjs --bundle --platform=node --format=cjs \
  --define:import.meta.url=__aggpayModuleUrl \
  --banner:js="const __aggpayModuleUrl = require('node:url').pathToFileURL(__filename).href;" \
  --outfile=pkg/dist/node.cjs --log-level=warning
# The browser entry, bundled into one ESM file (src/browser.mjs says why); it fetches web/aggpay_bg.wasm.
node_modules/.bin/esbuild pkg/src/browser.mjs --bundle --format=esm --platform=browser \
  --outfile=pkg/dist/browser.mjs --log-level=warning
echo "build: pkg/ ready ($(du -k pkg/web/aggpay_bg.wasm | cut -f1) KiB wasm)"
