#!/usr/bin/env bash
# Starts a service's next release in its pull request: the version in apps/<service>/package.json
# (what CI builds and the delivery workflow tags) and the matching SERVICE_VERSION default compose
# builds with. The version the cluster runs follows later, in k8s/apps/<service>/release.yaml, by
# the delivery workflow's release pull request once the image is pushed (docs/deploy.md).
#   tools/delivery/bump-version.sh order-service 1.4.0
set -euo pipefail
service=${1:?usage: tools/delivery/bump-version.sh <service> <version>}
version=${2:?usage: tools/delivery/bump-version.sh <service> <version>}
ROOT=${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
package="$ROOT/apps/$service/package.json"
compose="$ROOT/docker-compose.yml"
[ -f "$package" ] || { echo "bump-version: no $package" >&2; exit 2; }
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9a-z.]+)?$ ]] || { echo "bump-version: '$version' is not a version like 1.4.0" >&2; exit 2; }
prefix=$(echo "$service" | tr 'a-z-' 'A-Z_')
grep -q "\${${prefix}_VERSION:-" "$compose" || { echo "bump-version: $compose has no \${${prefix}_VERSION:-…} default" >&2; exit 2; }
sed -i -E "0,/\"version\": \"[^\"]+\"/s//\"version\": \"$version\"/" "$package"
sed -i -E "s/\\$\\{${prefix}_VERSION:-[^}]+\\}/\${${prefix}_VERSION:-$version}/" "$compose"
echo "$service → $version (apps/$service/package.json, docker-compose.yml)"
