#!/usr/bin/env bash
# Puts Prometheus and promtool (Debian's `prometheus` package) into .cache/prometheus, the way
# tools/kafka fetches Kafka's jars: once, from the package registry, no system install.
# Prints the directory holding the `prometheus` and `promtool` binaries.
#   tools/prometheus/ensure-prometheus.sh            # → <repo>/.cache/prometheus/usr/bin
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE="$ROOT/.cache/prometheus"
BIN="$CACHE/usr/bin"

if [ -x "$BIN/promtool" ] && [ -x "$BIN/prometheus" ]; then
  echo "$BIN"
  exit 0
fi

fail() {
  echo "ensure-prometheus: $*" >&2
  echo "ensure-prometheus: fetch it once by hand as root: (cd $CACHE && apt-get download prometheus && dpkg-deb -x prometheus_*.deb .)" >&2
  exit 1
}

command -v apt-get > /dev/null && command -v dpkg-deb > /dev/null || fail "needs apt-get and dpkg-deb (a Debian or Ubuntu machine)"
[ "$(id -u)" = 0 ] || fail "apt-get download needs root on this machine, and $BIN is missing"

mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/download.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Downloads only (no install, no dependencies): the package's binaries are static Go programs.
if ! (cd "$work" && apt-get download prometheus > "$work/apt.log" 2>&1); then
  # A machine that never ran apt-get update has no package lists yet.
  (apt-get update > "$work/apt.log" 2>&1 && cd "$work" && apt-get download prometheus >> "$work/apt.log" 2>&1) ||
    fail "apt-get download prometheus failed (offline?): $(tail -n 3 "$work/apt.log")"
fi
dpkg-deb -x "$work"/prometheus_*.deb "$work/root"
# Copied aside first and moved into place, so a concurrent run never sees half a binary.
mkdir -p "$BIN" "$work/bin"
cp "$work/root/usr/bin/prometheus" "$work/root/usr/bin/promtool" "$work/bin/"
mv -f "$work/bin/prometheus" "$work/bin/promtool" "$BIN/"
"$BIN/promtool" --version > /dev/null 2>&1 || fail "the downloaded promtool does not run"
echo "$BIN"
