#!/usr/bin/env bash
# The demo command: builds what it needs, then runs every payment journey against local stand-ins
# of the providers on 127.0.0.1, one printed line per step. Exits 0 only if every step passed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_openssl # the WeChat Pay stand-in mints its platform certificate with openssl
bash scripts/build.sh
node examples/demo.mjs
