#!/usr/bin/env bash
# Fuzzing the network-reachable parsers (fuzz/, cargo-fuzz + libFuzzer, AddressSanitizer).
#
#   bash scripts/fuzz.sh smoke                    every target over its committed corpus, then a few
#                                                 seconds of fuzzing each (FUZZ_SMOKE_SECONDS, default 4);
#                                                 what scripts/test.sh runs
#   bash scripts/fuzz.sh run <seconds> [target…]  a campaign: each target in turn for that long
#   bash scripts/fuzz.sh runs <N> [target…]       a campaign: each target in turn for N executions
#   bash scripts/fuzz.sh list                     the targets
#
# Installs what it lacks: a nightly toolchain (rustup, minimal profile; without one, the default
# toolchain with RUSTC_BOOTSTRAP=1) and cargo-fuzz (pinned).
# Campaigns run nice'd, one target at a time, one process, on a scratch corpus
# (fuzz/corpus-work/<target>, seeded from fuzz/corpus/<target>), print one summary line per target
# and append it to fuzz/logs/campaign.log; each target's full libFuzzer output is in
# fuzz/logs/<mode>-<target>.log. Crash, timeout and OOM reproducers are written to fuzz/artifacts/<target>/.
# Exits non-zero if any target crashed. Everything but fuzz/corpus is git-ignored.
#
# Campaign settings (environment):
#   FUZZ_SANITIZER=address|none   address (default, and what the test command's smoke uses) or none: the crate is
#                                 #![forbid(unsafe_code)], so a campaign may trade AddressSanitizer for
#                                 2-5x the executions (panics, timeouts and OOMs are still caught)
#   FUZZ_JOBS=N                   N libFuzzer processes per target on the same corpus (default 1);
#                                 with `runs <N>` each does N/FUZZ_JOBS and the summary adds them up
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
TARGETS=(form json_node keys alipay_notify alipay_response useepay wechat_decrypt wechatpay router explain)
TIMEOUT_SECONDS=10
RSS_LIMIT_MB=2048

# Largest input each target is fuzzed with: bodies, responses and keys are small; the codec
# targets go larger, to show up super-linear behaviour.
max_len() {
  case "$1" in
    form | json_node) echo 65536 ;;
    keys | alipay_response | useepay) echo 32768 ;;
    alipay_notify) echo 16384 ;;
    *) echo 8192 ;;
  esac
}

usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# cargo-fuzz passes nightly-only flags (-Zsanitizer=address). Where no nightly toolchain is
# installed and none can be fetched, the default (stable) toolchain builds the targets with
# RUSTC_BOOTSTRAP=1: it ships the same sanitizer runtimes.
TOOLCHAIN=(+nightly)
ensure_nightly() {
  if rustup run nightly rustc --version >/dev/null 2>&1; then return; fi
  echo "fuzz: rustup toolchain install nightly --profile minimal"
  if rustup toolchain install nightly --profile minimal; then return; fi
  echo "fuzz: no nightly toolchain; building with the default toolchain and RUSTC_BOOTSTRAP=1" >&2
  TOOLCHAIN=()
  export RUSTC_BOOTSTRAP=1
}

# No --locked, as for wasm-bindgen-cli in setup.sh.
ensure_cargo_fuzz() {
  if ! cargo fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $CARGO_FUZZ_VERSION"; then
    echo "fuzz: cargo install cargo-fuzz --version $CARGO_FUZZ_VERSION (about 2 minutes, once)"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION"
  fi
}

SANITIZER=${FUZZ_SANITIZER:-address}
JOBS=${FUZZ_JOBS:-1}
case "$SANITIZER" in address) CARGO_TARGET_DIR="$PWD/fuzz/target" ;; none) CARGO_TARGET_DIR="$PWD/fuzz/target-none" ;; *) usage ;; esac
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || usage
export CARGO_TARGET_DIR
# What `cargo fuzz run` sets.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_odr_violation=0}"

build() {
  echo "== fuzz: building the targets (cargo ${TOOLCHAIN[*]} fuzz build, sanitizer $SANITIZER)"
  nice -n 19 cargo "${TOOLCHAIN[@]}" fuzz build --fuzz-dir fuzz --sanitizer "$SANITIZER"
  local host
  host=$(rustc "${TOOLCHAIN[@]}" -vV | sed -n 's/^host: //p')
  BIN="$CARGO_TARGET_DIR/$host/release"
}

check_targets() {
  local t known
  for t in "$@"; do
    known=0
    for k in "${TARGETS[@]}"; do [ "$t" = "$k" ] && known=1; done
    if [ "$known" = 0 ]; then
      echo "fuzz: unknown target $t (targets: ${TARGETS[*]})" >&2
      exit 2
    fi
  done
}

artifact_count() {
  find "fuzz/artifacts/$1" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) 2>/dev/null | wc -l
}

# run_target MODE TARGET CORPUS_DIR LIMIT_FLAG [extra corpus dir]: libFuzzer (JOBS processes in a
# campaign, one in smoke) on one corpus; prints the summary line, returns non-zero if any failed.
run_target() {
  local mode=$1 t=$2 corpus=$3 limit=$4
  shift 4
  local log="fuzz/logs/$mode-$t.log" before after start end status=0 execs=0 rate=0 files bytes crashes line j jobs=1
  if [ "$mode" != smoke ]; then jobs=$JOBS; fi
  if [ "$jobs" -gt 1 ] && [[ "$limit" == -runs=* ]]; then limit="-runs=$(((${limit#-runs=} + jobs - 1) / jobs))"; fi
  mkdir -p "fuzz/artifacts/$t" fuzz/logs "$corpus"
  before=$(artifact_count "$t")
  start=$(date +%s)
  local pids=()
  for ((j = 1; j <= jobs; j++)); do
    nice -n 19 "$BIN/$t" "$corpus" "$@" "$limit" -seed="$((start + j))" \
      -timeout="$TIMEOUT_SECONDS" -rss_limit_mb="$RSS_LIMIT_MB" -max_len="$(max_len "$t")" \
      -artifact_prefix="fuzz/artifacts/$t/" -print_final_stats=1 >"$log.$j.part" 2>&1 &
    pids+=($!)
  done
  for j in "${!pids[@]}"; do
    wait "${pids[$j]}" || status=$?
  done
  end=$(date +%s)
  for ((j = 1; j <= jobs; j++)); do
    execs=$((execs + $(sed -n 's/^stat::number_of_executed_units: *//p' "$log.$j.part" | tail -1 | grep -E '^[0-9]+$' || echo 0)))
    rate=$((rate + $(sed -n 's/^stat::average_exec_per_sec: *//p' "$log.$j.part" | tail -1 | grep -E '^[0-9]+$' || echo 0)))
  done
  for ((j = 1; j <= jobs; j++)); do cat "$log.$j.part"; done >"$log"
  for ((j = 1; j <= jobs; j++)); do rm -f "$log.$j.part"; done
  after=$(artifact_count "$t")
  files=$(find "$corpus" -type f | wc -l)
  bytes=$(du -sk --apparent-size "$corpus" | cut -f1)
  crashes=$((after - before))
  if [ "$status" != 0 ] && [ "$crashes" = 0 ]; then crashes="1 (exit $status, no artifact)"; fi
  line=$(printf '%s %-8s %-16s execs=%-9s exec/s=%-6s seconds=%-5s corpus=%s files/%sK crashes=%s jobs=%s sanitizer=%s' \
    "$(date -u +%FT%TZ)" "$mode" "$t" "$execs" "$rate" "$((end - start))" "$files" "$bytes" "$crashes" "$jobs" "$SANITIZER")
  echo "$line"
  if [ "$mode" != smoke ]; then echo "$line" >>fuzz/logs/campaign.log; fi
  if [ "$status" != 0 ]; then
    echo "fuzz: $t failed (exit $status); libFuzzer's report ($log):" >&2
    # From the first report line (sanitizer, panic, libFuzzer), 40 lines; then where the input went.
    awk '/^==[0-9]+==|panicked at|^thread .* panicked|ERROR: libFuzzer/ { on = 1 } on && n++ < 40' "$log" >&2
    grep -E '^(SUMMARY|artifact_prefix|Base64):' "$log" | cut -c1-300 >&2 || true
  fi
  return "$status"
}

smoke() {
  local seconds=${FUZZ_SMOKE_SECONDS:-4} failed=() t
  SCRATCH=$(mktemp -d)
  trap 'rm -rf "$SCRATCH"' EXIT
  for t in "${TARGETS[@]}"; do
    # New inputs go to the scratch dir; the committed corpus is only read (and each of its files run).
    run_target smoke "$t" "$SCRATCH/$t" "-max_total_time=$seconds" "fuzz/corpus/$t" || failed+=("$t")
  done
  if [ "${#failed[@]}" != 0 ]; then
    echo "fuzz: smoke FAILED: ${failed[*]} (reproducers in fuzz/artifacts/, output in fuzz/logs/)" >&2
    exit 1
  fi
  echo "fuzz: smoke passed (${#TARGETS[@]} targets)"
}

check_campaign_args() {
  local amount=$2
  shift 2
  if ! [[ "$amount" =~ ^[0-9]+$ ]] || [ "$amount" = 0 ]; then usage; fi
  check_targets "$@"
}

campaign() {
  local mode=$1 amount=$2 flag failed=() t
  shift 2
  case "$mode" in
    run) flag="-max_total_time=$amount" ;;
    runs) flag="-runs=$amount" ;;
  esac
  local targets=("$@")
  if [ "${#targets[@]}" = 0 ]; then targets=("${TARGETS[@]}"); fi
  for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus-work/$t"
    cp -n "fuzz/corpus/$t"/* "fuzz/corpus-work/$t/" 2>/dev/null || true
    run_target "$mode" "$t" "fuzz/corpus-work/$t" "$flag" || failed+=("$t")
  done
  if [ "${#failed[@]}" != 0 ]; then
    echo "fuzz: campaign found problems in: ${failed[*]} (reproducers in fuzz/artifacts/)" >&2
    exit 1
  fi
}

[ $# -ge 1 ] || usage
case "$1" in
  list) printf '%s\n' "${TARGETS[@]}" ;;
  smoke)
    [ $# = 1 ] || usage
    ensure_nightly
    ensure_cargo_fuzz
    build
    smoke
    ;;
  run | runs)
    [ $# -ge 2 ] || usage
    check_campaign_args "$@"
    ensure_nightly
    ensure_cargo_fuzz
    build
    campaign "$@"
    ;;
  *) usage ;;
esac
