#!/usr/bin/env bash
# Writes a service's release into apps/<service>/CHANGELOG.md: a section "## <version> — <date>
# (<commit>)" listing, newest first, the commits since the last section's commit that touched the
# service or a project it depends on (Nx's project graph). The delivery workflow runs it in each
# release pull request, beside tools/delivery/set-release.sh (docs/deploy.md).
#   tools/delivery/changelog.sh order-service 1.4.0 [<commit>]      (commit: HEAD by default)
set -euo pipefail
service=${1:?usage: tools/delivery/changelog.sh <service> <version> [<commit>]}
version=${2:?usage: tools/delivery/changelog.sh <service> <version> [<commit>]}
ROOT=${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$ROOT"
commit=$(git rev-parse --short=12 "${3:-HEAD}")
file="apps/$service/CHANGELOG.md"
[ -d "apps/$service" ] || { echo "changelog: no apps/$service" >&2; exit 2; }
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9a-z.]+)?$ ]] || { echo "changelog: '$version' is not a version like 1.4.0" >&2; exit 2; }
[ -f "$file" ] || printf '# Changelog: %s\n\nEach release of %s, newest first, written by its release pull request\n(tools/delivery/changelog.sh).\n' "$service" "$service" > "$file"
if grep -q "^## $version " "$file"; then echo "changelog: $file already has $version" >&2; exit 0; fi

# The service's own directory and those of the projects it depends on; without Nx (a bare
# checkout), the service and every lib.
paths=$(node_modules/.bin/nx graph --file=stdout 2> /dev/null | node -e '
  const { graph } = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const seen = new Set([process.argv[1]]);
  const visit = (project) => { for (const { target } of graph.dependencies[project] ?? []) if (!target.startsWith("npm:") && !seen.has(target)) { seen.add(target); visit(target); } };
  visit(process.argv[1]);
  console.log([...seen].map((project) => graph.nodes[project].data.root).join("\n"));
' "$service" 2> /dev/null) || paths=$(printf 'apps/%s\nlibs\n' "$service")
mapfile -t paths <<< "$paths"

since=$(sed -nE 's/^## [^ ]+ — [0-9-]+ \(([0-9a-f]+)\)$/\1/p' "$file" | head -n 1)
range=$commit
[ -n "$since" ] && range="$since..$commit"
entries=$(git log --no-merges --format='- %s (%h)' "$range" -- "${paths[@]}" | head -n 100)
[ -n "$entries" ] || entries="- No change to the service's code since the last release."
section=$(printf '## %s — %s (%s)\n\n%s\n' "$version" "$(git show -s --format=%cs "$commit")" "$commit" "$entries")

# The new section goes above the previous ones (after the title and its paragraph).
node -e '
  const fs = require("fs");
  const [file, section] = process.argv.slice(1);
  const text = fs.readFileSync(file, "utf8");
  const at = text.search(/^## /m);
  fs.writeFileSync(file, at < 0 ? `${text.trimEnd()}\n\n${section}\n` : `${text.slice(0, at)}${section}\n\n${text.slice(at)}`);
' "$file" "$section"
echo "$service $version: $(printf '%s\n' "$entries" | wc -l) entries in $file"
