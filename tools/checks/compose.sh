#!/usr/bin/env bash
# docker-compose.yml as a real Compose reads it: Debian's docker-compose resolves every profile's
# services, dependencies (a cycle, a service depending on itself or on one that does not exist),
# merge keys and interpolation, which the schema test (deployment.e2e-spec.ts) cannot see.
#   tools/checks/compose.sh [file]    (default: docker-compose.yml)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
tools/system/ensure-packages.sh docker-compose=docker-compose
file=$(realpath "${1:-docker-compose.yml}")
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# The file alone, without the caller's COMPOSE_FILE or COMPOSE_PROFILES.
compose() { env -u COMPOSE_FILE -u COMPOSE_PROFILES docker-compose --project-directory "$(dirname "$file")" -f "$file" "$@"; }
fail() { echo "compose: docker-compose config rejects $file$1:" >&2; cat "$out" >&2; exit 1; }
profiles=$(compose config --profiles 2> "$out") || fail ""
for profile in "" $profiles; do
  args=()
  [ -n "$profile" ] && args=(--profile "$profile")
  # Quiet prints nothing unless something is off: a warning (an unset variable without a default, …) fails too.
  if ! compose "${args[@]}" config -q > "$out" 2>&1 || [ -s "$out" ]; then fail "${profile:+ (profile $profile)}"; fi
done
