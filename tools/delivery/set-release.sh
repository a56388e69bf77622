#!/usr/bin/env bash
# Sets the version a service runs in Kubernetes: k8s/apps/<service>/release.yaml, the one place it
# is decided (every overlay and the service's Argo CD Application follow it). Used by the delivery
# workflow after it pushed the image, and by hand to roll back (docs/deploy.md).
#   tools/delivery/set-release.sh order-service 1.4.0
set -euo pipefail
service=${1:?usage: tools/delivery/set-release.sh <service> <version>}
version=${2:?usage: tools/delivery/set-release.sh <service> <version>}
ROOT=${K8S_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/k8s}
file="$ROOT/apps/$service/release.yaml"
[ -f "$file" ] || { echo "set-release: no $file (services: $(ls "$ROOT/apps" | tr '\n' ' '))" >&2; exit 2; }
# Semantic version, optionally with a pre-release part: it also names the migration Job.
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9a-z.]+)?$ ]] || { echo "set-release: '$version' is not a version like 1.4.0" >&2; exit 2; }
grep -qE '^  version: ' "$file" || { echo "set-release: $file has no 'version:' line" >&2; exit 2; }
sed -i -E "s/^(  version: ).*/\1$version/" "$file"
echo "$service → $version ($file)"
