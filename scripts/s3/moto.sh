#!/usr/bin/env bash
# moto's S3 emulator in server mode, for tests.
#
#   moto.sh start DIR PORT   make sure .venv is installed (scripts/python-env.sh),
#                            run `python -m moto.server -H 127.0.0.1 -p PORT` in
#                            the background, wait until it answers, save its PID
#                            in DIR/moto.pid; prints `moto <version> http://127.0.0.1:PORT`
#   moto.sh stop DIR         kill it by the saved PID and wait
#
# moto takes any access key and secret; region us-east-1. The log is DIR/moto.log.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
py="$root/.venv/bin/python"

die() {
  echo "moto.sh: $*" >&2
  exit 1
}

alive_in_dir() {
  local pid="$1"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "moto.server"
}

port_free() {
  if command -v ss >/dev/null 2>&1; then
    ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
  else
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

answers() {
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/moto-api/"
  else
    "$py" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "http://127.0.0.1:$1/moto-api/"
  fi
}

# With S3_OWNER_PID set (test/helpers/s3-servers.ts sets it), a watchdog stops
# moto when that process is gone without having stopped it.
start_watchdog() {
  local dir="$1"
  [ -n "${S3_OWNER_PID:-}" ] || return 0
  local self
  self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
  : >"$dir/watchdog.on"
  setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -f "$2watchdog.on" ]; do sleep 1; done
    [ -f "$2watchdog.on" ] && exec bash "$3" stop "$2"' s3-watchdog "$S3_OWNER_PID" "$dir/" "$self" \
    </dev/null >/dev/null 2>&1 &
  echo $! >"$dir/watchdog.pid"
}

stop_watchdog() {
  local dir="$1" pid
  rm -f "$dir/watchdog.on"
  [ -f "$dir/watchdog.pid" ] || return 0
  pid="$(cat "$dir/watchdog.pid")"
  # The watchdog may be the one running this stop.
  if [ "$pid" != "$$" ] && [ -r "/proc/$pid/cmdline" ] \
    && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$dir/"; then
    kill -TERM "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/watchdog.pid"
}

cmd_start() {
  [ $# -eq 2 ] || die "usage: moto.sh start DIR PORT"
  local dir="$1" port="$2"
  [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -gt 0 ] && [ "$port" -lt 65536 ] || die "bad PORT: $port"
  bash "$root/scripts/python-env.sh" || die "could not install the Python environment (.venv)"
  "$py" -c 'import moto.server' 2>/dev/null || die "moto[server] does not import from $py (is it in spec-tests/requirements.txt?)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if [ -f "$dir/moto.pid" ] && alive_in_dir "$(cat "$dir/moto.pid")"; then
    die "moto is already running from $dir (stop it first)"
  fi
  port_free "$port" || die "port $port is already in use"
  local version
  version="$("$py" -c 'import moto; print(moto.__version__)')"
  start_watchdog "$dir"
  setsid "$py" -m moto.server -H 127.0.0.1 -p "$port" </dev/null >"$dir/moto.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$dir/moto.pid"
  local deadline=$(($(date +%s) + 30))
  until answers "$port" >/dev/null 2>&1; do
    if ! alive_in_dir "$pid"; then
      echo "moto.sh: moto exited before answering on 127.0.0.1:$port; last lines of $dir/moto.log:" >&2
      tail -n 25 "$dir/moto.log" >&2
      rm -f "$dir/moto.pid"
      stop_watchdog "$dir"
      exit 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "moto.sh: moto did not answer on 127.0.0.1:$port within 30s; last lines of $dir/moto.log:" >&2
      tail -n 25 "$dir/moto.log" >&2
      cmd_stop "$dir"
      exit 1
    fi
    sleep 0.1
  done
  echo "moto $version http://127.0.0.1:$port"
}

cmd_stop() {
  [ $# -eq 1 ] || die "usage: moto.sh stop DIR"
  [ -d "$1" ] || return 0
  local dir pid
  dir="$(cd "$1" && pwd)"
  stop_watchdog "$dir"
  [ -f "$dir/moto.pid" ] || return 0
  pid="$(cat "$dir/moto.pid")"
  if alive_in_dir "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$(($(date +%s) + 10))
    while alive_in_dir "$pid"; do
      if [ "$(date +%s)" -ge "$deadline" ]; then
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.2
        break
      fi
      sleep 0.1
    done
  fi
  rm -f "$dir/moto.pid"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) die "usage: moto.sh start DIR PORT | stop DIR" ;;
esac
