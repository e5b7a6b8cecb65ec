#!/usr/bin/env bash
# A throw-away single-node Ceph cluster serving S3 through radosgw, for tests.
#
#   ceph.sh install          apt-get install radosgw & co. when radosgw is missing
#   ceph.sh start DIR PORT   mon + one memstore OSD + radosgw on 127.0.0.1:PORT,
#                            everything (config, keys, data, logs, PIDs) under DIR;
#                            prints `ceph radosgw <version> http://127.0.0.1:PORT`
#   ceph.sh stop DIR         kill the daemons by their saved PIDs and wait
#
# The S3 user has a fixed key pair (override with CEPH_S3_ACCESS_KEY and
# CEPH_S3_SECRET_KEY). Nothing else is created: no buckets. Every daemon
# listens on 127.0.0.1 only; the monitor takes a free port near 20000+PORT%10000
# (or CEPH_MON_PORT). Every wait is bounded; a timeout prints the log tail.
# See shared/S3-TESTING.md for why each setting is here.
set -euo pipefail

ACCESS_KEY="${CEPH_S3_ACCESS_KEY:-RATZARRTESTACCESSKEY}"
SECRET_KEY="${CEPH_S3_SECRET_KEY:-ratzarr/test/secret/key/0123456789abcdef}"
MEMSTORE_BYTES="${CEPH_MEMSTORE_BYTES:-4294967296}"
RGW_NAME=rgw.a

die() {
  echo "ceph.sh: $*" >&2
  exit 1
}

now() { date +%s.%N; }

# ---------------------------------------------------------------- install

cmd_install() {
  if command -v radosgw >/dev/null 2>&1 && command -v ceph-mon >/dev/null 2>&1 \
    && command -v ceph-osd >/dev/null 2>&1 && command -v ceph >/dev/null 2>&1 \
    && command -v uuidgen >/dev/null 2>&1; then
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "radosgw is not installed and installing it needs root (apt-get); run as root or: apt-get install radosgw ceph-mon ceph-osd ceph-common uuid-runtime"
  command -v apt-get >/dev/null 2>&1 || die "radosgw is not installed and there is no apt-get (Debian/Ubuntu only)"
  export DEBIAN_FRONTEND=noninteractive
  local pkgs=(radosgw ceph-mon ceph-osd ceph-common uuid-runtime)
  local opts=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold
    -o Acquire::http::Timeout=60 -o Acquire::Retries=2)
  local log
  log="$(mktemp -t ceph-install.XXXXXX)"
  # No package lists yet (or lists without radosgw): update first.
  if ! apt-cache show radosgw >/dev/null 2>&1; then
    apt-get update -q -o Acquire::http::Timeout=60 >"$log" 2>&1 || { tail -n 20 "$log" >&2; die "apt-get update failed"; }
  fi
  if ! apt-get install "${opts[@]}" "${pkgs[@]}" >>"$log" 2>&1; then
    # Stale lists give 404s: refresh once and try again.
    apt-get update -q -o Acquire::http::Timeout=60 >>"$log" 2>&1 || true
    apt-get install "${opts[@]}" "${pkgs[@]}" >>"$log" 2>&1 \
      || { tail -n 30 "$log" >&2; die "apt-get install ${pkgs[*]} failed (log: $log)"; }
  fi
  command -v radosgw >/dev/null 2>&1 || die "apt-get install succeeded but radosgw is not on PATH"
  rm -f "$log"
}

# ------------------------------------------------------------------ start

# Is a process with this PID alive and started from DIR (guards against reuse)?
alive_in_dir() {
  local pid="$1" dir="$2"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  # Zombies are not alive.
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$dir/"
}

port_free() {
  if command -v ss >/dev/null 2>&1; then
    ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
  else
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# wait_for TIMEOUT WHAT LOG PIDFILE -- command...: poll until the command
# succeeds; fail early if the daemon in PIDFILE died, fail with the log tail
# when TIMEOUT seconds pass.
wait_for() {
  local timeout="$1" what="$2" log="$3" pidfile="$4"
  shift 5
  local deadline
  deadline=$(($(date +%s) + timeout))
  while :; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [ -n "$pidfile" ] && ! alive_in_dir "$(cat "$pidfile" 2>/dev/null)" "$DIR"; then
      fail "$what: the daemon exited" "$log"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      fail "$what: timed out after ${timeout}s" "$log"
    fi
    sleep 0.2
  done
}

fail() {
  echo "ceph.sh: $1" >&2
  if [ -n "${2:-}" ] && [ -f "$2" ]; then
    echo "---- last lines of $2" >&2
    tail -n 25 "$2" >&2
    echo "----" >&2
  fi
  cmd_stop "$DIR" >/dev/null 2>&1 || true
  exit 1
}

# Run a daemon in the background, detached, with its own output file.
spawn() {
  local name="$1"
  shift
  setsid "$@" </dev/null >"$DIR/log/$name.out" 2>&1 &
  echo $! >"$DIR/$name.pid"
}

# With S3_OWNER_PID set (test/helpers/s3-servers.ts sets it), a watchdog stops
# the daemons when that process is gone without having stopped them.
start_watchdog() {
  [ -n "${S3_OWNER_PID:-}" ] || return 0
  local self
  self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
  : >"$DIR/watchdog.on"
  setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -f "$2watchdog.on" ]; do sleep 1; done
    [ -f "$2watchdog.on" ] && exec bash "$3" stop "$2"' s3-watchdog "$S3_OWNER_PID" "$DIR/" "$self" \
    </dev/null >/dev/null 2>&1 &
  echo $! >"$DIR/watchdog.pid"
}

CEPH() { timeout 20 ceph -c "$DIR/ceph.conf" --connect-timeout 10 "$@"; }

cmd_start() {
  [ $# -eq 2 ] || die "usage: ceph.sh start DIR PORT"
  DIR="$1"
  local port="$2"
  [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -gt 0 ] && [ "$port" -lt 65536 ] || die "bad PORT: $port"
  for b in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool uuidgen; do
    command -v "$b" >/dev/null 2>&1 || die "$b not found: run 'ceph.sh install' first"
  done
  mkdir -p "$DIR"
  DIR="$(cd "$DIR" && pwd)"
  for n in mon osd rgw; do
    if [ -f "$DIR/$n.pid" ] && alive_in_dir "$(cat "$DIR/$n.pid")" "$DIR"; then
      die "a cluster is already running in $DIR (stop it first)"
    fi
  done
  port_free "$port" || die "port $port is already in use"
  local t0
  t0="$(now)"

  # A free monitor port, derived from PORT so that parallel clusters differ.
  local monport="${CEPH_MON_PORT:-}"
  if [ -n "$monport" ]; then
    port_free "$monport" || die "CEPH_MON_PORT $monport is already in use"
  else
    local try=$((20000 + port % 10000)) i
    for ((i = 0; i < 200; i++)); do
      if [ "$try" != "$port" ] && port_free "$try"; then monport="$try"; break; fi
      try=$((try + 1))
      [ "$try" -lt 65000 ] || try=20000
    done
    [ -n "$monport" ] || die "no free port for the monitor"
  fi

  rm -rf "$DIR/mon" "$DIR/osd" "$DIR/rgw" "$DIR/log" "$DIR/run"
  mkdir -p "$DIR/mon" "$DIR/osd/ceph-0" "$DIR/rgw" "$DIR/log" "$DIR/run"
  local fsid
  fsid="$(uuidgen)"
  start_watchdog

  cat >"$DIR/ceph.conf" <<EOF
[global]
fsid = $fsid
mon_host = [v2:127.0.0.1:$monport]
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
public_network = 127.0.0.0/8
ms_bind_msgr1 = false
ms_bind_ipv6 = false
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
keyring = $DIR/keyring
run_dir = $DIR/run
admin_socket = $DIR/run/\$name.asok
log_file = $DIR/log/\$name.log
log_to_stderr = false
err_to_stderr = true
mon_cluster_log_to_file = false
log_to_journald = false
crash_dir = $DIR/run
# single node, single OSD, pools of size 1, no manager
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_crush_chooseleaf_type = 0
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_max_pg_per_osd = 1000
mon_data_avail_crit = 1
mon_data_avail_warn = 2
mon_allow_pool_delete = true
# propose map changes at once: each of radosgw's pool commands otherwise
# waits a second
paxos_propose_interval = 0.01
paxos_min_wait = 0.01

[mon]
mon_data = $DIR/mon/\$cluster-\$id

[osd]
osd_data = $DIR/osd/\$cluster-\$id
osd_objectstore = memstore
memstore_device_bytes = $MEMSTORE_BYTES
osd_check_max_object_name_len_on_startup = false

[client.$RGW_NAME]
rgw_frontends = beast endpoint=127.0.0.1:$port tcp_nodelay=1
rgw_data = $DIR/rgw
rgw_init_timeout = 60
rgw_enable_usage_log = false
EOF

  # cephx keys for every entity, all in one keyring the monitor imports at mkfs.
  local k="$DIR/keyring"
  {
    timeout 20 ceph-authtool --create-keyring "$k" --gen-key -n mon. --cap mon 'allow *' &&
    timeout 20 ceph-authtool "$k" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' &&
    timeout 20 ceph-authtool "$k" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap mgr 'allow profile osd' --cap osd 'allow *' &&
    timeout 20 ceph-authtool "$k" --gen-key -n "client.$RGW_NAME" --cap mon 'allow rw' --cap mgr 'allow rw' --cap osd 'allow rwx' &&
    timeout 20 monmaptool --create --clobber --fsid "$fsid" --addv a "[v2:127.0.0.1:$monport]" "$DIR/monmap" &&
    timeout 30 ceph-mon -c "$DIR/ceph.conf" --mkfs -i a --monmap "$DIR/monmap" --keyring "$k"
  } >"$DIR/log/mkfs.out" 2>&1 || fail "creating keys and the monitor failed" "$DIR/log/mkfs.out"

  # monitor
  spawn mon ceph-mon -f -c "$DIR/ceph.conf" -i a
  wait_for 20 "monitor on 127.0.0.1:$monport" "$DIR/log/mon.a.log" "$DIR/mon.pid" -- CEPH mon stat

  # one memstore OSD
  local osduuid id
  osduuid="$(uuidgen)"
  id="$(CEPH osd create "$osduuid" 2>"$DIR/log/osd-create.out")" || fail "ceph osd create failed" "$DIR/log/osd-create.out"
  [ "$id" = 0 ] || fail "ceph osd create gave id '$id', expected 0" "$DIR/log/osd-create.out"
  timeout 30 ceph-osd -c "$DIR/ceph.conf" -i 0 --mkfs --osd-uuid "$osduuid" >"$DIR/log/osd-mkfs.out" 2>&1 \
    || fail "ceph-osd --mkfs failed" "$DIR/log/osd-mkfs.out"
  spawn osd ceph-osd -f -c "$DIR/ceph.conf" -i 0
  osd_up() { CEPH osd stat 2>/dev/null | grep -q '1 up'; }
  wait_for 30 "OSD up" "$DIR/log/osd.0.log" "$DIR/osd.pid" -- osd_up

  # radosgw
  spawn rgw radosgw -f -c "$DIR/ceph.conf" -n "client.$RGW_NAME"
  http_up() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/"; }
  wait_for 60 "radosgw HTTP on 127.0.0.1:$port" "$DIR/log/client.$RGW_NAME.log" "$DIR/rgw.pid" -- http_up

  # the S3 user, with the fixed test key pair
  timeout 60 radosgw-admin -c "$DIR/ceph.conf" -n client.admin user create --uid=test --display-name=test \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >"$DIR/log/user-create.out" 2>&1 \
    || fail "radosgw-admin user create failed" "$DIR/log/user-create.out"

  printf '%s\n' "endpoint=http://127.0.0.1:$port" "access_key=$ACCESS_KEY" "secret_key=$SECRET_KEY" \
    "mon=127.0.0.1:$monport" >"$DIR/s3.env"
  local version secs
  version="$(timeout 10 radosgw --version 2>/dev/null | awk '{print $3}')"
  secs="$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}')"
  echo "ceph: started in ${secs}s (mon 127.0.0.1:$monport, logs in $DIR/log)" >&2
  echo "ceph radosgw ${version:-unknown} http://127.0.0.1:$port"
}

# ------------------------------------------------------------------- stop

cmd_stop() {
  [ $# -eq 1 ] || die "usage: ceph.sh stop DIR"
  [ -d "$1" ] || return 0
  local dir
  dir="$(cd "$1" && pwd)"
  local n pid deadline
  # One at a time: radosgw, then the OSD, then the monitor (each takes ~0.2 s
  # alone; sent TERM together, one of them lingers ~10 s).
  for n in rgw osd mon; do
    [ -f "$dir/$n.pid" ] || continue
    pid="$(cat "$dir/$n.pid")"
    alive_in_dir "$pid" "$dir" || continue
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$(($(date +%s) + 5))
    while alive_in_dir "$pid" "$dir"; do
      if [ "$(date +%s)" -ge "$deadline" ]; then
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.2
        break
      fi
      sleep 0.05
    done
  done
  rm -f "$dir/rgw.pid" "$dir/osd.pid" "$dir/mon.pid"
  stop_watchdog "$dir"
}

stop_watchdog() {
  rm -f "$1/watchdog.on"
  [ -f "$1/watchdog.pid" ] || return 0
  local pid
  pid="$(cat "$1/watchdog.pid")"
  # The watchdog may be the one running this stop.
  if [ "$pid" != "$$" ] && alive_in_dir "$pid" "$1"; then kill -TERM "$pid" 2>/dev/null || true; fi
  rm -f "$1/watchdog.pid"
}

case "${1:-}" in
  install) shift; cmd_install "$@" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) die "usage: ceph.sh install | start DIR PORT | stop DIR" ;;
esac
