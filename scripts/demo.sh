#!/usr/bin/env bash
# The demo command: builds what it needs, then runs the one-code journey (aggpay's sandbox and the
# merchant app with its SQLite database) and every provider's journey against the sandbox's emulations
# on 127.0.0.1, one printed line per step. Exits 0 only if every step passed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
ensure_openssl # the WeChat Pay stand-in mints its platform certificate with openssl
bash scripts/build.sh
node examples/demo.mjs
