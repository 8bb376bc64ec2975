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

# What building the package needs.
ensure_build_tools() {
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_npm_deps
}
