#!/usr/bin/env bash
# Puts HAProxy (Debian's `haproxy` package, with the two libraries it needs that a base system
# lacks) into .cache/haproxy, the way tools/prometheus fetches Prometheus: once, from the package
# registry, no system install. It is the local stand-in for a Kubernetes Service (and the edge)
# in front of replicas: tools/local-platform/src/balancer.ts.
# Prints the path of a wrapper that runs the binary with its libraries.
#   tools/haproxy/ensure-haproxy.sh            # → <repo>/.cache/haproxy/haproxy
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE="$ROOT/.cache/haproxy"
WRAPPER="$CACHE/haproxy"
PACKAGES=(haproxy liblua5.3-0 libopentracing-c-wrapper0 libopentracing1)

if [ -x "$WRAPPER" ] && "$WRAPPER" -v > /dev/null 2>&1; then
  echo "$WRAPPER"
  exit 0
fi

fail() {
  echo "ensure-haproxy: $*" >&2
  echo "ensure-haproxy: fetch it once by hand as root: (cd $CACHE && apt-get download ${PACKAGES[*]} && for deb in *.deb; do dpkg-deb -x \$deb root; done)" >&2
  exit 1
}

command -v apt-get > /dev/null && command -v dpkg-deb > /dev/null || fail "needs apt-get and dpkg-deb (a Debian or Ubuntu machine)"
[ "$(id -u)" = 0 ] || fail "apt-get download needs root on this machine, and $WRAPPER is missing"

mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/download.XXXXXX")
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && apt-get download "${PACKAGES[@]}" > "$work/apt.log" 2>&1); then
  # A machine that never ran apt-get update has no package lists yet.
  (apt-get update > "$work/apt.log" 2>&1 && cd "$work" && apt-get download "${PACKAGES[@]}" >> "$work/apt.log" 2>&1) ||
    fail "apt-get download failed (offline?): $(tail -n 3 "$work/apt.log")"
fi
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
# Moved into place whole, so a concurrent run never sees half a tree.
rm -rf "$CACHE/root"
mv "$work/root" "$CACHE/root"
cat > "$work/haproxy" <<WRAP
#!/bin/sh
LD_LIBRARY_PATH="$(echo "$CACHE"/root/usr/lib/*-linux-gnu)\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$CACHE/root/usr/sbin/haproxy" "\$@"
WRAP
chmod +x "$work/haproxy"
mv -f "$work/haproxy" "$WRAPPER"
"$WRAPPER" -v > /dev/null 2>&1 || fail "the downloaded haproxy does not run: $("$WRAPPER" -v 2>&1 | tail -n 2)"
echo "$WRAPPER"
