#!/usr/bin/env bash
# package.json against the code, with knip (configuration: knip.jsonc): no dependency that nothing
# uses, none missing, and `dependencies` only what the services' production code imports (tools and
# tests bring devDependencies), since each service's image installs its `dependencies`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
knip=node_modules/.bin/knip
status=0
"$knip" --dependencies --no-progress --no-config-hints || status=1
"$knip" --dependencies --production --no-progress --no-config-hints || status=1
exit $status
