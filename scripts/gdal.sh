#!/usr/bin/env bash
# Make sure GDAL is here for the exchange tests in test/gdal/: Debian's
# gdal-bin (gdalinfo, gdal_create) and python3-gdal (osgeo for the system
# /usr/bin/python3), installed through apt-get when either is missing.
#
# Idempotent and quiet: when both are there it prints nothing (about 0.1 s).
# After an install it prints one line to stderr:
#   gdal: installed GDAL X.Y.Z from apt
# When GDAL cannot be had here (no root, no apt-get, the install failed) this
# is not an error of the script: it prints why to stderr and writes the reason
# to .runtimes/gdal.missing, which test/gdal reads to say why it skipped.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.runtimes"
mkdir -p "$dir"
missing_file="$dir/gdal.missing"

have_gdal() {
  command -v gdalinfo >/dev/null 2>&1 \
    && /usr/bin/python3 -c 'from osgeo import gdal' >/dev/null 2>&1
}

missing() {
  echo "gdal: not installed: $1" >&2
  printf '%s\n' "$1" >"$missing_file"
  exit 0
}

if have_gdal; then
  rm -f "$missing_file"
  exit 0
fi

# Several test runs may start at once in one clone: one installs, the others wait for it.
exec 9>"$dir/.gdal.lock"
if command -v flock >/dev/null 2>&1; then
  flock -w 900 9 || missing "waited 15 minutes for another scripts/gdal.sh (.runtimes/.gdal.lock)"
fi
if have_gdal; then
  rm -f "$missing_file"
  exit 0
fi

[ "$(id -u)" = 0 ] || missing "gdalinfo or python3 osgeo is missing and installing them needs root (apt-get install gdal-bin python3-gdal)"
command -v apt-get >/dev/null 2>&1 || missing "gdalinfo or python3 osgeo is missing and there is no apt-get (Debian's gdal-bin and python3-gdal)"

log="$dir/gdal.log"
export DEBIAN_FRONTEND=noninteractive
# The package lists may be stale or absent on a fresh machine: update once, only if the install fails.
if ! apt-get install -y --no-install-recommends gdal-bin python3-gdal >"$log" 2>&1; then
  apt-get update >>"$log" 2>&1
  apt-get install -y --no-install-recommends gdal-bin python3-gdal >>"$log" 2>&1
fi

if have_gdal; then
  rm -f "$missing_file"
  echo "gdal: installed GDAL $(gdalinfo --version 2>/dev/null | sed -e 's/^GDAL \([^,]*\).*/\1/') from apt" >&2
else
  missing "apt-get install gdal-bin python3-gdal failed (see .runtimes/gdal.log): $(tail -n 2 "$log" | tr '\n' ' ')"
fi
