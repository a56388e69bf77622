#!/usr/bin/env bash
# Puts HAProxy (Debian's `haproxy` package, with the libraries it needs that a base system lacks)
# into .cache/haproxy, the way tools/prometheus fetches Prometheus: once, from the package registry,
# no system install. It is the local stand-in for a Kubernetes Service (and the edge) in front of
# replicas: tools/local-platform/src/balancer.ts.
# Prints the path of a wrapper that runs the binary with its libraries.
#   tools/haproxy/ensure-haproxy.sh            # → <repo>/.cache/haproxy/haproxy
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PACKAGES=(haproxy liblua5.3-0 libopentracing-c-wrapper0 libopentracing1)
CACHE="$ROOT/.cache/haproxy"
WRAPPER="$CACHE/haproxy"

if [ -x "$WRAPPER" ] && "$WRAPPER" -v > /dev/null 2>&1; then
  echo "$WRAPPER"
  exit 0
fi

needs_root() { echo "ensure-haproxy: fetch it once as root: sudo tools/haproxy/ensure-haproxy.sh" >&2; exit 1; }
# Says why and how before creating anything (a clone the user cannot write to, no root).
"$ROOT/tools/system/fetch-debs.sh" --check "${PACKAGES[@]}" ||
  needs_root
mkdir -p "$CACHE"
staging=$(mktemp -d "$CACHE/download.XXXXXX")
trap 'rm -rf "$staging"' EXIT
"$ROOT/tools/system/fetch-debs.sh" "$staging/root" "${PACKAGES[@]}" ||
  needs_root
# Moved into place whole, so a concurrent run never sees half a tree.
rm -rf "$CACHE/root"
mv "$staging/root" "$CACHE/root"
cat > "$staging/haproxy" <<WRAP
#!/bin/sh
LD_LIBRARY_PATH="$(echo "$CACHE"/root/usr/lib/*-linux-gnu)\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$CACHE/root/usr/sbin/haproxy" "\$@"
WRAP
chmod +x "$staging/haproxy"
mv -f "$staging/haproxy" "$WRAPPER"
"$WRAPPER" -v > /dev/null 2>&1 || { echo "ensure-haproxy: the downloaded haproxy does not run: $("$WRAPPER" -v 2>&1 | tail -n 2)" >&2; exit 1; }
echo "$WRAPPER"
