#!/usr/bin/env bash
# The benchmark command: builds the package, then runs every benchmark in bench/, one after another on
# an otherwise idle machine, and prints their tables (the README's Benchmarks section shows them). It
# measures and never asserts; it is not part of the test command. Arguments go to bench/peers.mjs
# (`--quick`: one short round of everything, to check that it runs).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
bash scripts/build.sh
quick=false
for a in "$@"; do [[ "$a" == --quick ]] && quick=true; done
echo "== against the peers and the bare limit (bench/peers.mjs)"
node bench/peers.mjs "$@"
echo; echo "== the .wasm by crate (bench/size.mjs)"
node bench/size.mjs
echo; echo "== the size floor: the crates aggpay must use, without aggpay (bench/size-floor.mjs)"
if $quick; then node bench/size-floor.mjs --quick; else node bench/size-floor.mjs; fi
echo; echo "== cold start in workerd (bench/edge-coldstart.mjs)"
if $quick; then node bench/edge-coldstart.mjs 1; else node bench/edge-coldstart.mjs; fi
echo; echo "== cold start in Chromium, the browser entry (bench/browser-coldstart.mjs)"
if $quick; then node bench/browser-coldstart.mjs 1; else node bench/browser-coldstart.mjs; fi
echo; echo "== per request in workerd, webcrypto and wasm engines (bench/edge-requests.mjs)"
if $quick; then node bench/edge-requests.mjs --rounds=1 --per=2; else node bench/edge-requests.mjs; fi
echo; echo "== the merchant app under concurrent notifications (bench/load.mjs)"
if $quick; then node bench/load.mjs --per-level=50 --levels=1,8; else node bench/load.mjs; fi
echo; echo "== library calls against bare node:crypto (bench/boundary.mjs)"
node bench/boundary.mjs
