#!/usr/bin/env bash
# Fails if any crate below the runtime layer (everything but rtcpeer and rtcpeer-cli) pulls in tokio,
# directly or transitively, through normal dependencies (DESIGN.md §1: machines are sans-IO).
set -euo pipefail
cd "$(dirname "$0")/.."
allowed='^(rtcpeer|rtcpeer-cli)$'
bad=0
for pkg in $(cargo metadata --no-deps --format-version 1 \
    | python3 -c 'import json,sys; print("\n".join(p["name"] for p in json.load(sys.stdin)["packages"]))'); do
  if [[ $pkg =~ $allowed ]]; then continue; fi
  tree=$(cargo tree -p "$pkg" -e normal --prefix none)
  if grep -qE '^tokio v' <<<"$tree"; then
    echo "layering violation: $pkg depends on tokio"; bad=1
  else
    echo "ok: $pkg has no tokio"
  fi
done
exit $bad
