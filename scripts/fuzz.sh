#!/usr/bin/env bash
# Builds every cargo-fuzz target in fuzz/ and runs each for a bounded time (default 20 s).
# cargo fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:-20}
export RUSTC_BOOTSTRAP=1
cargo fuzz build --release 2>&1 | tail -n 3
for target in $(cargo fuzz list); do
  mkdir -p "corpus/$target"
  if [ -d "seeds/$target" ]; then cp -n seeds/"$target"/* "corpus/$target/" 2>/dev/null || true; fi
  echo "fuzz $target for ${secs}s"
  log=$(mktemp)
  if ! cargo fuzz run --release "$target" "corpus/$target" -- -max_total_time="$secs" \
      -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log"; echo "fuzz target $target FAILED (crash or build error)"; exit 1
  fi
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done)' "$log" || true
  rm -f "$log"
done
