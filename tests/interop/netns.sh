#!/usr/bin/env bash
# Runs a command inside a fresh network namespace whose only interface is lo
# (up), so nothing it starts can gather or reach any address but loopback.
#   tests/interop/netns.sh COMMAND [ARGS...]
# Needs root (ip netns add). The namespace, and any process still inside it
# when the command ends, is removed on exit.
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "netns.sh: needs root (ip netns add)" >&2
    exit 2
fi

ns="rtcpeer-interop-$$"
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
    # Processes started inside the namespace (only ours can be there).
    local pids
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    if [ -n "$pids" ]; then
        # shellcheck disable=SC2086
        kill $pids 2>/dev/null || true
        sleep 0.5
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        # shellcheck disable=SC2086
        [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
    fi
    ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
# In the background and waited for, so that INT/TERM reach the traps at once
# (stdin is /dev/null for it: nothing here reads stdin).
ip netns exec "$ns" "$@" &
child=$!
status=0
wait "$child" || status=$?
exit "$status"
