#!/usr/bin/env bash
# Proves the demo page of `rtcpeer serve` in headless Chromium: starts the server,
# opens its page (node/demo.js), waits for connectionState "connected", sends a
# chat message, sees the echo with its round-trip time, and saves a screenshot.
# Everything runs inside a fresh network namespace with only lo (netns.sh).
#
#   tests/interop/demo.sh [options]
#     --out DIR       logs and demo.png (default tests/interop/out)
#     --port PORT     the server's port on 127.0.0.1 (default 18480)
#     --timeout SECS  the page test's timeout (default 30)
#     --no-netns      run in the current namespace (debugging only)
#
# Needs tests/interop/setup.sh (chromium, node_modules) and the rtcpeer binary
# at $RTCPEER (default <repo>/target/release/rtcpeer). Prints the page test's
# JSON line, then "1 passed, 0 failed" (or "0 passed, 1 failed"); exit 0 only
# when the echo came back and the screenshot was saved.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
RTCPEER="${RTCPEER:-$REPO/target/release/rtcpeer}"

out="$HERE/out"
port=18480
timeout_s=30
use_netns=1

usage() {
    sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

args=("$@")
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        --timeout) timeout_s="$2"; shift 2 ;;
        --no-netns) use_netns=0; shift ;;
        -h|--help) usage ;;
        *) echo "demo.sh: unknown argument $1" >&2; usage ;;
    esac
done

if [ "$use_netns" = 1 ] && [ "${DEMO_IN_NETNS:-}" != 1 ]; then
    exec "$HERE/netns.sh" env DEMO_IN_NETNS=1 "$0" "${args[@]}"
fi

[ -x "$RTCPEER" ] || { echo "demo.sh: no rtcpeer binary at $RTCPEER (cargo build --release -p rtcpeer-cli, or set RTCPEER)" >&2; exit 2; }
[ -d "$HERE/node/node_modules/playwright-core" ] || { echo "demo.sh: no playwright-core (run tests/interop/setup.sh)" >&2; exit 2; }

mkdir -p "$out"
out="$(cd "$out" && pwd)"
slog="$out/demo-serve.log"
plog="$out/demo-page.log"
shot="$out/demo.png"
rm -f "$shot"
: > "$slog"

server_pid=""
stop_server() {
    [ -n "$server_pid" ] || return 0
    if kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null
        for _ in $(seq 50); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$server_pid" 2>/dev/null
    fi
    wait "$server_pid" 2>/dev/null
    server_pid=""
}
trap stop_server EXIT

"$RTCPEER" serve --listen "127.0.0.1:$port" >> "$slog" 2>&1 &
server_pid=$!
ready=0
for _ in $(seq 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        ready=1
        break
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if [ "$ready" != 1 ]; then
    echo "demo.sh: rtcpeer serve did not listen on 127.0.0.1:$port; its log:" >&2
    sed 's/^/  | /' "$slog" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

rc=0
line=$(node "$HERE/node/demo.js" --url "http://127.0.0.1:$port/" --screenshot "$shot" \
    --timeout "$timeout_s" 2> "$plog") || rc=$?
stop_server
echo "$line"
if [ "$rc" = 0 ] && [ -s "$shot" ]; then
    echo "demo page: PASS; screenshot $shot"
    echo "1 passed, 0 failed"
    exit 0
fi
echo "demo page: FAIL (exit $rc); screenshot ${shot} $([ -s "$shot" ] && echo saved || echo missing)"
echo "  ---- page (Chromium) log, $plog:"
tail -n 100 "$plog" | sed 's/^/  | /'
echo "  ---- server log, $slog:"
tail -n 100 "$slog" | sed 's/^/  | /'
echo "0 passed, 1 failed"
exit 1
