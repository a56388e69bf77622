#!/usr/bin/env bash
# renovate.json through Renovate's own validator (renovate-config-validator --strict): unknown
# options, bad globs or regexes, deprecated settings. Renovate is large (~340 MB), so it is not a
# devDependency: the first run installs this version into .cache/renovate from the npm registry.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
version=44.121.2
prefix=.cache/renovate
bin=$prefix/node_modules/.bin/renovate-config-validator
if [ ! -x "$bin" ] || [ "$(node -p "require('./$prefix/node_modules/renovate/package.json').version" 2> /dev/null)" != "$version" ]; then
  echo "installing Renovate $version into $prefix (first run only)…" >&2
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "renovate@$version" > /dev/null
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# RE2 (a native module) is optional: without it Renovate validates regexes with RegExp and says so.
if ! LOG_LEVEL=warn "$bin" --strict "${1:-renovate.json}" > "$out" 2>&1; then
  cat "$out" >&2
  exit 1
fi
