# Sourced by build.sh, test.sh and demo.sh: installs what a fresh machine lacks, and nothing when
# it is already there (second runs are fast). Never installs Debian's binaryen (its wasm-opt 108
# breaks wasm-bindgen's externref table).

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "setup: rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
}

# wasm-bindgen-cli must equal the wasm-bindgen crate version in Cargo.lock. No --locked: it fails
# against this registry (a pinned webpki-roots version is missing).
ensure_wasm_bindgen() {
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
  if [ -z "$want" ]; then echo "setup: cannot read the wasm-bindgen version from Cargo.lock" >&2; return 1; fi
  if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $want"; then
    echo "setup: cargo install wasm-bindgen-cli --version $want (about 2 minutes, once)"
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

# npm dev dependencies from the committed lock file; re-installed only when the lock changes.
ensure_npm_deps() {
  local stamp=node_modules/.aggpay-lock-stamp
  local sum
  sum=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    echo "setup: npm ci (dev dependencies from package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$sum" > "$stamp"
  fi
}

# Debian's Chromium, driven by playwright-core for the browser test.
ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    echo "setup: apt-get install chromium"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
  fi
}

# The openssl command line: js-tests/engines.test.mjs mints certificates over fresh keys with it
# (node:crypto reads certificates but cannot issue them).
ensure_openssl() {
  if ! command -v openssl >/dev/null; then
    echo "setup: apt-get install openssl"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
    fi
  fi
}

# OpenJDK 17: tests/x500_java.rs checks certificate names and Alipay SNs against Java 17 itself
# (later JDKs decode BMPStrings differently). Exports AGGPAY_JAVA, the java the test runs.
java17() {
  local candidate
  for candidate in java /usr/lib/jvm/java-17-openjdk-*/bin/java; do
    if "$candidate" -version 2>&1 | grep -q 'version "17\.'; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}
ensure_java() {
  if ! java17 >/dev/null; then
    echo "setup: apt-get install openjdk-17-jdk-headless"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless >/dev/null
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless >/dev/null
    fi
  fi
  AGGPAY_JAVA=$(java17)
  export AGGPAY_JAVA
}

# rustfmt and clippy for the test command's format and lint checks.
ensure_lint_tools() {
  local missing=()
  cargo fmt --version >/dev/null 2>&1 || missing+=(rustfmt)
  cargo clippy --version >/dev/null 2>&1 || missing+=(clippy)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: rustup component add ${missing[*]}"
    rustup component add "${missing[@]}"
  fi
}

# What building the package needs.
ensure_build_tools() {
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_npm_deps
}
