#!/usr/bin/env bash
# Make sure ./.venv-zarr34 exists with exactly spec-tests/requirements-zarr34.txt
# installed: zarr-python 3.4.x, the second live opinion of the interchange tests
# (spec-tests/format, spec-tests/conformance), and tensorstore for the benchmarks.
#
# zarr 3.4 needs Python 3.12 or later. The venv is built from pyenv's newest
# 3.13.x, else its newest 3.12.x (`$(pyenv root)/versions/`; pyenv is found as
# `pyenv` on PATH, else $PYENV_ROOT, else ~/.pyenv).
#
# Idempotent and quiet: the fast path (venv present, stamp matches the
# requirements hash) prints nothing. After a (re)install it prints one line to
# stderr:
#   python env zarr34: zarr X, numcodecs Y, tensorstore Z, Python V
# When no such Python is here, that is not an error of the script outside CI:
# it prints why to stderr, writes the reason to .runtimes/zarr34.missing (which
# the tests read to say why the zarr-python 3.4 checks skipped) and exits 0.
# With CI=true it exits 1 instead: CI must run both opinions. A failing pip
# install is an error everywhere (exit 1), as in scripts/python-env.sh.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-zarr34"
req="$root/spec-tests/requirements-zarr34.txt"
stamp="$venv/.requirements.sha256"
py="$venv/bin/python"
dir="$root/.runtimes"
missing_file="$dir/zarr34.missing"

die() {
  echo "python-env-zarr34: $*" >&2
  exit 1
}

missing() {
  echo "python-env-zarr34: zarr-python 3.4 not available: $1" >&2
  [ "${CI:-}" = "true" ] && exit 1
  printf '%s\n' "$1" >"$missing_file"
  exit 0
}

[ -f "$req" ] || die "missing $req"
mkdir -p "$dir"

hash_file() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"
  fi
}

want="$(hash_file "$req")"

ready() {
  [ -x "$py" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$py" -c 'pass' >/dev/null 2>&1
}

# Fast path: a working interpreter and a stamp that matches the requirements.
if ready; then
  rm -f "$missing_file"
  exit 0
fi

# Several test runs may start at once in one clone: one installs, the others wait for it.
exec 9>"$dir/.zarr34.lock"
if command -v flock >/dev/null 2>&1; then
  flock -w 900 9 || die "waited 15 minutes for another scripts/python-env-zarr34.sh (.runtimes/.zarr34.lock)"
fi
if ready; then
  rm -f "$missing_file"
  exit 0
fi

# pyenv's root: `pyenv root` when pyenv is on PATH, else $PYENV_ROOT, else ~/.pyenv.
pyenv_root=""
if command -v pyenv >/dev/null 2>&1; then
  pyenv_root="$(pyenv root 2>/dev/null)"
elif [ -n "${PYENV_ROOT:-}" ] && [ -d "$PYENV_ROOT/versions" ]; then
  pyenv_root="$PYENV_ROOT"
elif [ -d "$HOME/.pyenv/versions" ]; then
  pyenv_root="$HOME/.pyenv"
fi
[ -n "$pyenv_root" ] && [ -d "$pyenv_root/versions" ] \
  || missing "no pyenv (not on PATH, no \$PYENV_ROOT, no ~/.pyenv/versions); zarr 3.4 needs Python 3.12+: install pyenv and 'pyenv install 3.13'"

# The newest installed 3.13.x, else the newest 3.12.x, that runs.
base=""
for minor in 13 12; do
  for v in $(ls "$pyenv_root/versions" 2>/dev/null | grep -E "^3\.$minor\.[0-9]+$" | sort -t. -k3,3nr); do
    cand="$pyenv_root/versions/$v/bin/python3"
    if [ -x "$cand" ] && "$cand" -c 'import venv' >/dev/null 2>&1; then
      base="$cand"
      break 2
    fi
  done
done
[ -n "$base" ] \
  || missing "pyenv at $pyenv_root has no Python 3.13.x or 3.12.x in versions/ ($(ls "$pyenv_root/versions" 2>/dev/null | tr '\n' ' ')); zarr 3.4 needs Python 3.12+: 'pyenv install 3.13'"

# A venv whose interpreter no longer runs (moved, or its base Python was
# removed) cannot be repaired in place: start over.
if [ -d "$venv" ] && ! { [ -x "$py" ] && "$py" -c 'pass' >/dev/null 2>&1; }; then
  rm -rf "$venv"
fi

if [ ! -d "$venv" ]; then
  "$base" -m venv "$venv" || die "$base -m venv $venv failed"
fi

rm -f "$stamp"
"$py" -m pip install --disable-pip-version-check -q -r "$req" \
  || die "pip install -r $req failed"
echo "$want" >"$stamp"
rm -f "$missing_file"

versions="$("$py" -c 'import sys, zarr, numcodecs, tensorstore; from importlib.metadata import version; print(f"zarr {zarr.__version__}, numcodecs {numcodecs.__version__}, tensorstore {version("tensorstore")}, Python {sys.version.split()[0]}")')" \
  || die "installed packages do not import"
echo "python env zarr34: $versions" >&2
