#!/usr/bin/env bash
# Runs the WebRTC interop matrix: for each (client peer, server peer) pair, start
# the server peer, run every test with the client peer against it, print one
# line per (client, server, test) and finally "N passed, N failed".
# Everything runs inside a fresh network namespace with only lo (netns.sh).
#
#   tests/interop/run.sh [options]
#     --peers A,B,...    clients = servers = these peers, every ordered pair
#                        (default: chromium,aiortc)
#     --clients A,...    client peers (default: --peers)
#     --servers A,...    server peers (default: --peers)
#     --against NAME     only the pairs with NAME on exactly one side, against
#                        every other peer in --peers, both directions
#                        (e.g. --peers chromium,aiortc,rtcpeer --against rtcpeer)
#     --pairs C:S,...    exactly these (client:server) pairs
#     --tests T,...      default: dc-echo,dc-multi,dc-large,dc-bulk,close
#     --timeout SECS     per-test timeout given to the client (default 30);
#                        the client process is killed at SECS+30
#     --out DIR          logs and results.jsonl (default tests/interop/out)
#     --capture-dir DIR  where the SDP offers/answers seen are written as
#                        <client>-to-<server>.{offer,answer}.sdp
#                        (default DIR/captured under --out; the committed
#                        fixtures in tests/interop/captured/ are refreshed
#                        with --capture-dir tests/interop/captured)
#     --no-netns         run in the current namespace (debugging only)
#
# Peers: chromium, aiortc (run tests/interop/setup.sh first) and rtcpeer
# (the binary at $RTCPEER, default <repo>/target/release/rtcpeer: client is
# `rtcpeer connect URL --test NAME`, server `rtcpeer serve --listen HOST:PORT`).
# Any other peer NAME can be plugged in by environment, as command templates
# with {url} {test} {timeout} / {listen} placeholders (split on spaces):
#   INTEROP_CLIENT_NAME='/path/bin connect {url} --test {test}'
#   INTEROP_SERVER_NAME='/path/bin serve --listen {listen}'
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
RTCPEER="${RTCPEER:-$REPO/target/release/rtcpeer}"
PY="$HERE/.venv/bin/python"

peers="chromium,aiortc"
clients=""
servers=""
against=""
pairs=""
tests="dc-echo,dc-multi,dc-large,dc-bulk,close"
timeout_s=30
out="$HERE/out"
capture_dir=""
use_netns=1

usage() {
    sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

args=("$@")
while [ $# -gt 0 ]; do
    case "$1" in
        --peers) peers="$2"; shift 2 ;;
        --clients) clients="$2"; shift 2 ;;
        --servers) servers="$2"; shift 2 ;;
        --against) against="$2"; shift 2 ;;
        --pairs) pairs="$2"; shift 2 ;;
        --tests) tests="$2"; shift 2 ;;
        --timeout) timeout_s="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --capture-dir) capture_dir="$2"; shift 2 ;;
        --no-netns) use_netns=0; shift ;;
        -h|--help) usage ;;
        *) echo "run.sh: unknown argument $1" >&2; usage ;;
    esac
done

if [ "$use_netns" = 1 ] && [ "${INTEROP_IN_NETNS:-}" != 1 ]; then
    exec "$HERE/netns.sh" env INTEROP_IN_NETNS=1 "$0" "${args[@]}"
fi

mkdir -p "$out"
out="$(cd "$out" && pwd)"
capture_dir="${capture_dir:-$out/captured}"
mkdir -p "$capture_dir"
capture_dir="$(cd "$capture_dir" && pwd)"
: > "$out/results.jsonl"

IFS=, read -r -a peer_list <<< "$peers"
IFS=, read -r -a test_list <<< "$tests"
IFS=, read -r -a client_list <<< "${clients:-$peers}"
IFS=, read -r -a server_list <<< "${servers:-$peers}"

# The (client, server) pairs to run, as "client:server".
pair_list=()
if [ -n "$pairs" ]; then
    IFS=, read -r -a pair_list <<< "$pairs"
elif [ -n "$against" ]; then
    for p in "${peer_list[@]}"; do
        [ "$p" = "$against" ] && continue
        pair_list+=("$p:$against" "$against:$p")
    done
else
    for c in "${client_list[@]}"; do
        for s in "${server_list[@]}"; do
            pair_list+=("$c:$s")
        done
    done
fi

# fill_template TEMPLATE KEY=VALUE... -> CMD array (split on spaces).
fill_template() {
    local t="$1"
    shift
    local kv
    for kv in "$@"; do
        t="${t//\{${kv%%=*}\}/${kv#*=}}"
    done
    read -r -a CMD <<< "$t"
}

env_name() { echo "$1" | tr 'a-z-' 'A-Z_'; }

# client_cmd PEER URL TEST -> CMD
client_cmd() {
    local var
    var="INTEROP_CLIENT_$(env_name "$1")"
    case "$1" in
        chromium) CMD=(node "$HERE/node/chromium.js" client --url "$2" --test "$3" --timeout "$timeout_s") ;;
        aiortc) CMD=("$PY" "$HERE/aiortc_peer.py" client --url "$2" --test "$3" --timeout "$timeout_s") ;;
        rtcpeer) CMD=("$RTCPEER" connect "$2" --test "$3") ;;
        *)
            if [ -n "${!var:-}" ]; then
                fill_template "${!var}" "url=$2" "test=$3" "timeout=$timeout_s"
            else
                echo "run.sh: unknown client peer $1 (set $var)" >&2
                return 1
            fi
            ;;
    esac
}

# server_cmd PEER LISTEN -> CMD
server_cmd() {
    local var
    var="INTEROP_SERVER_$(env_name "$1")"
    case "$1" in
        chromium) CMD=(node "$HERE/node/chromium.js" serve --listen "$2") ;;
        aiortc) CMD=("$PY" "$HERE/aiortc_peer.py" serve --listen "$2") ;;
        rtcpeer) CMD=("$RTCPEER" serve --listen "$2") ;;
        *)
            if [ -n "${!var:-}" ]; then
                fill_template "${!var}" "listen=$2"
            else
                echo "run.sh: unknown server peer $1 (set $var)" >&2
                return 1
            fi
            ;;
    esac
}

for pair in "${pair_list[@]}"; do
    for p in "${pair%%:*}" "${pair#*:}"; do
        case "$p" in
            chromium) [ -d "$HERE/node/node_modules/playwright-core" ] || { echo "run.sh: run tests/interop/setup.sh first (no node_modules)" >&2; exit 2; } ;;
            aiortc) [ -x "$PY" ] || { echo "run.sh: run tests/interop/setup.sh first (no .venv)" >&2; exit 2; } ;;
            rtcpeer) [ -x "$RTCPEER" ] || { echo "run.sh: no rtcpeer binary at $RTCPEER (cargo build --release -p rtcpeer-cli, or set RTCPEER)" >&2; exit 2; } ;;
        esac
    done
done

# Small JSON helper (python3 is on every machine this runs on).
json_field() { python3 -c 'import json,sys
try:
    v = json.loads(sys.argv[1]).get(sys.argv[2])
except Exception:
    v = None
print("" if v is None else (str(v).lower() if isinstance(v, bool) else v))' "$1" "$2"; }

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

# start_server PEER PORT LOG -> 0 when its port accepts connections.
start_server() {
    server_cmd "$1" "127.0.0.1:$2" || return 1
    INTEROP_CAPTURE="$capture_dir/$3" "${CMD[@]}" >> "$4" 2>&1 &
    server_pid=$!
    for _ in $(seq 300); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
            return 0
        fi
        kill -0 "$server_pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

passed=0
failed=0
port=18080
t_start=$(date +%s.%N)
printf '%-4s  %-9s -> %-9s %-9s %9s %8s  %s\n' "" client server test "open(ms)" "wall(s)" detail
for pair in "${pair_list[@]}"; do
    c="${pair%%:*}"
    s="${pair#*:}"
    port=$((port + 1))
    slog="$out/server-$s-for-$c.log"
    : > "$slog"
    server_up=0
    for t in "${test_list[@]}"; do
        if [ "$server_up" = 0 ] || ! kill -0 "$server_pid" 2>/dev/null; then
            [ "$server_up" = 1 ] && echo "--- server $s exited; restarting" >> "$slog"
            stop_server
            if start_server "$s" "$port" "$c-to-$s" "$slog"; then
                server_up=1
            else
                server_up=0
            fi
        fi
        clog="$out/client-$c-to-$s-$t.log"
        sstart=$(stat -c %s "$slog")
        t0=$(date +%s.%N)
        if [ "$server_up" = 1 ] && client_cmd "$c" "http://127.0.0.1:$port/offer" "$t"; then
            line=$(INTEROP_CAPTURE="$capture_dir/$c-to-$s" timeout -k 5 $((timeout_s + 30)) "${CMD[@]}" 2> "$clog" | tail -n 1)
            rc=$?  # the client's status (pipefail; tail does not fail)
        else
            line=""
            rc=99
            echo "server $s did not start on 127.0.0.1:$port (see $slog)" > "$clog"
        fi
        wall=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)")
        ok=$(json_field "$line" ok)
        open_ms=$(json_field "$line" ms_to_open)
        detail=$(json_field "$line" detail)
        if [ "$rc" = 0 ] && [ "$ok" = true ]; then
            verdict=PASS
            passed=$((passed + 1))
        else
            verdict=FAIL
            failed=$((failed + 1))
            [ -n "$detail" ] || detail="exit $rc, no result line${line:+: $line}"
        fi
        printf '%-4s  %-9s -> %-9s %-9s %9s %8s  %s\n' "$verdict" "$c" "$s" "$t" "${open_ms:--}" "$wall" "$detail"
        python3 -c 'import json,sys
r = {"client": sys.argv[1], "server": sys.argv[2], "test": sys.argv[3], "pass": sys.argv[4] == "PASS", "exit": int(sys.argv[5]), "wall_s": float(sys.argv[6])}
try:
    r["result"] = json.loads(sys.argv[7])
except Exception:
    r["result"] = None
print(json.dumps(r))' "$c" "$s" "$t" "$verdict" "$rc" "$wall" "$line" >> "$out/results.jsonl"
        if [ "$verdict" = FAIL ]; then
            echo "  ---- client $c ($t) stderr, $clog:"
            tail -n 150 "$clog" | sed 's/^/  | /'
            echo "  ---- server $s log during the test, $slog:"
            tail -c +"$((sstart + 1))" "$slog" | tail -n 150 | sed 's/^/  | /'
            echo "  ----"
        fi
    done
    stop_server
done
total=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.0f}')" "$t_start" "$(date +%s.%N)")
echo "matrix: ${#pair_list[@]} pairs x ${#test_list[@]} tests in ${total} s; logs in $out"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
