#!/usr/bin/env bash
# Fetches Debian packages without installing them: `apt-get download` (as root; `apt-get update`
# first when the lists are missing), each extracted with `dpkg-deb -x` into <dir>, which must not
# exist yet. What tools/prometheus and tools/haproxy put into .cache, from the package registry,
# with no system install. Exits 1 with apt's last lines when it cannot.
# With --check, only says whether it could (before a caller creates anything), and if not, why and
# how to do it by hand.
#   tools/system/fetch-debs.sh <dir> <package>…
#   tools/system/fetch-debs.sh --check <package>…
set -euo pipefail
dir=${1:?usage: fetch-debs.sh [--check|<dir>] <package>…}
shift
[ $# -gt 0 ] || { echo "fetch-debs: name at least one package" >&2; exit 2; }
command -v apt-get > /dev/null && command -v dpkg-deb > /dev/null || { echo "fetch-debs: needs apt-get and dpkg-deb (a Debian or Ubuntu machine)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || {
  echo "fetch-debs: apt-get download needs root; run the same command once as root, or by hand: apt-get download $* && dpkg-deb -x <each .deb> <dir>" >&2
  exit 1
}
[ "$dir" != --check ] || exit 0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && apt-get download "$@" > "$work/apt.log" 2>&1); then
  # A machine that never ran apt-get update has no package lists yet.
  (apt-get update > "$work/apt.log" 2>&1 && cd "$work" && apt-get download "$@" >> "$work/apt.log" 2>&1) ||
    { echo "fetch-debs: apt-get download $* failed (offline?): $(tail -n 3 "$work/apt.log")" >&2; exit 1; }
fi
mkdir -p "$dir"
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$dir"; done
