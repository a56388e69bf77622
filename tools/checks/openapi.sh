#!/usr/bin/env bash
# The API contract (SPEC §2, issue 24 item 8): the document the gateway serves is the committed
# docs/openapi.json, the typed client's types are generated from it, and nothing in it breaks a
# client of the last release (openapi-diff and api-smart-diff; see tools/openapi/README.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

bash tools/openapi/generate.sh --check
node --disable-warning=MODULE_TYPELESS_PACKAGE_JSON --import ./tools/node/workspace-imports.mjs tools/openapi/src/breaking-changes.ts
