#!/usr/bin/env bash
# Makes sure Debian packages the tests need are installed (for programs that cannot be fetched
# into .cache alone, such as Chromium with its many libraries). Each argument is
# <command>=<package>: nothing happens when the command is already on PATH; otherwise the package
# is installed with apt-get (as root; `apt-get update` first when the lists are missing or stale).
#   tools/system/ensure-packages.sh chromium=chromium docker-compose=docker-compose
set -euo pipefail

missing=()
for pair in "$@"; do
  command -v "${pair%%=*}" > /dev/null 2>&1 || missing+=("${pair#*=}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "ensure-packages: ${missing[*]} missing; install as root: apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]} (first run only)…" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" > "$log" 2>&1; then
  apt-get update -q > "$log" 2>&1 && apt-get install -y -q --no-install-recommends "${missing[@]}" >> "$log" 2>&1 ||
    { echo "ensure-packages: apt-get install ${missing[*]} failed: $(tail -n 5 "$log")" >&2; exit 1; }
fi
