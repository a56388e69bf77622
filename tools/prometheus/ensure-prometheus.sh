#!/usr/bin/env bash
# Puts Prometheus and promtool (Debian's `prometheus` package) into .cache/prometheus, the way
# tools/kafka fetches Kafka's jars: once, from the package registry, no system install.
# Prints the directory holding the `prometheus` and `promtool` binaries.
#   tools/prometheus/ensure-prometheus.sh            # → <repo>/.cache/prometheus/usr/bin
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PACKAGES=(prometheus)
CACHE="$ROOT/.cache/prometheus"
BIN="$CACHE/usr/bin"

if [ -x "$BIN/promtool" ] && [ -x "$BIN/prometheus" ]; then
  echo "$BIN"
  exit 0
fi

needs_root() { echo "ensure-prometheus: fetch it once as root: sudo tools/prometheus/ensure-prometheus.sh" >&2; exit 1; }
# Says why and how before creating anything (a clone the user cannot write to, no root).
"$ROOT/tools/system/fetch-debs.sh" --check "${PACKAGES[@]}" ||
  needs_root
mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/download.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Downloads only (no install, no dependencies): the package's binaries are static Go programs.
"$ROOT/tools/system/fetch-debs.sh" "$work/root" "${PACKAGES[@]}" ||
  needs_root
# Copied aside first and moved into place, so a concurrent run never sees half a binary.
mkdir -p "$BIN" "$work/bin"
cp "$work/root/usr/bin/prometheus" "$work/root/usr/bin/promtool" "$work/bin/"
mv -f "$work/bin/prometheus" "$work/bin/promtool" "$BIN/"
"$BIN/promtool" --version > /dev/null 2>&1 || { echo "ensure-prometheus: the downloaded promtool does not run" >&2; exit 1; }
echo "$BIN"
