#!/usr/bin/env bash
# Installs what tests/interop needs on a fresh Debian 12 machine (as root):
#   - Debian packages: chromium (/usr/bin/chromium; no browser download),
#     iproute2 (ip netns), python3-venv;
#   - tests/interop/node/node_modules: playwright-core, from package-lock.json (npm ci);
#   - tests/interop/.venv: aiortc + aiohttp, pinned in requirements.txt.
# Idempotent: each step is skipped when what it installs is already there and
# its lock file has not changed since (stamp files), so a warm run takes ~1 s.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-python3}"
t_start=$(date +%s)

say() { echo "setup.sh: $*"; }

# ---- Debian packages
apt_pkgs=(chromium iproute2 python3-venv)
command -v node >/dev/null 2>&1 || apt_pkgs+=(nodejs npm)
missing=()
for p in "${apt_pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        say "needs root to install: ${missing[*]}" >&2
        exit 1
    fi
    say "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" > /dev/null
else
    say "Debian packages present (${apt_pkgs[*]})"
fi
[ -x /usr/bin/chromium ] || { say "no /usr/bin/chromium after install" >&2; exit 1; }

# ---- Node: playwright-core (drives the Debian chromium; never downloads a browser)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
node_stamp="$HERE/node/node_modules/.interop-stamp"
node_want="$(sha256sum "$HERE/node/package-lock.json" | cut -d' ' -f1)"
if [ -f "$node_stamp" ] && [ "$(cat "$node_stamp")" = "$node_want" ]; then
    say "node_modules up to date"
else
    say "npm ci in tests/interop/node"
    (cd "$HERE/node" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$node_want" > "$node_stamp"
fi

# ---- Python venv: aiortc
venv="$HERE/.venv"
py_stamp="$venv/.interop-stamp"
py_want="$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)"
if [ -f "$py_stamp" ] && [ "$(cat "$py_stamp")" = "$py_want" ] && [ -x "$venv/bin/python" ]; then
    say ".venv up to date"
else
    if [ ! -x "$venv/bin/python" ]; then
        say "creating .venv with $("$PYTHON" --version 2>&1)"
        "$PYTHON" -m venv "$venv"
    fi
    say "pip install -r requirements.txt"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-virtualenv \
        -r "$HERE/requirements.txt"
    echo "$py_want" > "$py_stamp"
fi

say "done in $(( $(date +%s) - t_start )) s ($(/usr/bin/chromium --version 2>/dev/null), node $(node --version), $("$venv/bin/python" -c 'import aiortc; print("aiortc", aiortc.__version__)'))"
