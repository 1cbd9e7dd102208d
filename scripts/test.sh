#!/usr/bin/env bash
# Runs every check and test of rtcpeer on a fresh Debian 12 machine (root, Rust stable):
# installs what the tests need, then format, lint, docs, the layering check, fuzzing smoke runs,
# and the whole test suite. `.ci/run` calls exactly this script.
#
#   scripts/test.sh            everything
#   FUZZ_SECONDS=120 scripts/test.sh   longer fuzz runs (default 20 s per target)
#   INTEROP=0 scripts/test.sh  without the interop matrix (Chromium, aiortc)
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-20}
step() { printf '\n==> %s\n' "$*"; }

step "install test dependencies"
# coturn: the real TURN server the TURN client is tested against (crates/turn/tests/coturn.rs).
if ! command -v turnserver >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq coturn >/dev/null
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --quiet
fi

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo doc (warnings denied)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

step "layering: no crate below rtcpeer depends on tokio"
scripts/check-layers.sh

step "fuzz targets build and run ${FUZZ_SECONDS}s each"
scripts/fuzz.sh "$FUZZ_SECONDS"

step "tests (unit, property, RFC vectors, simulated network, benches in test mode)"
# Simulated-network tests replay one fixed seed here, so main stays deterministic; scripts/soak.sh
# explores random seeds. Override with NETSIM_SEED=<seed> scripts/test.sh.
export NETSIM_SEED=${NETSIM_SEED:-1}
cargo test --workspace --all-targets --quiet
cargo test --workspace --doc --quiet

if [ "${INTEROP:-1}" != 0 ]; then
  step "interop: rtcpeer against headless Chromium and aiortc, both roles, in a loopback-only netns"
  # Installs Debian's chromium, playwright-core (npm ci) and aiortc (pip, in a venv) when missing.
  tests/interop/setup.sh
  cargo build --release --quiet -p rtcpeer-cli
  RTCPEER="${CARGO_TARGET_DIR:-$PWD/target}/release/rtcpeer" tests/interop/run.sh \
    --peers chromium,aiortc,rtcpeer --against rtcpeer
  step "demo page: rtcpeer serve's page in headless Chromium, chat echo, screenshot"
  RTCPEER="${CARGO_TARGET_DIR:-$PWD/target}/release/rtcpeer" tests/interop/demo.sh
fi
