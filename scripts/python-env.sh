#!/usr/bin/env bash
# Make sure ./.venv exists with exactly spec-tests/requirements.txt installed.
#
# Idempotent: the fast path (venv present, stamp matches the requirements
# hash) prints nothing. After a (re)install it prints one line to stderr:
#   python env: zarr X, numcodecs Y
# Used by the fixture generator, the conformance tests and the benchmarks.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
req="$root/spec-tests/requirements.txt"
stamp="$venv/.requirements.sha256"
py="$venv/bin/python"

die() {
  echo "python-env: $*" >&2
  exit 1
}

[ -f "$req" ] || die "missing $req"

hash_file() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"
  fi
}

want="$(hash_file "$req")"

# Fast path: a working interpreter and a stamp that matches requirements.txt.
if [ -x "$py" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
  && "$py" -c 'pass' >/dev/null 2>&1; then
  exit 0
fi

command -v python3 >/dev/null 2>&1 \
  || die "python3 not found on PATH; install Python 3.11+ (Debian: apt-get install python3 python3-venv)"

python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || die "python3 is $(python3 -V 2>&1 | cut -d' ' -f2); zarr 3.1 needs Python 3.11+"

# A venv whose interpreter no longer runs (moved, or its base Python was
# removed) cannot be repaired in place: start over.
if [ -d "$venv" ] && ! { [ -x "$py" ] && "$py" -c 'pass' >/dev/null 2>&1; }; then
  rm -rf "$venv"
fi

if [ ! -d "$venv" ]; then
  python3 -m venv "$venv" \
    || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
fi

rm -f "$stamp"
"$py" -m pip install --disable-pip-version-check -q -r "$req" \
  || die "pip install -r $req failed"
echo "$want" >"$stamp"

versions="$("$py" -c 'import zarr, numcodecs; print(f"zarr {zarr.__version__}, numcodecs {numcodecs.__version__}")')" \
  || die "installed packages do not import"
echo "python env: $versions" >&2
