#!/usr/bin/env bash
# Lints every migration of every service for lock safety with squawk (squawk-cli from npm, the
# Postgres 15 rules): what would block the service's own traffic while a migration runs (an index
# built without CONCURRENTLY on a table in use, a rewrite under an ACCESS EXCLUSIVE lock, a column
# dropped or a NOT NULL removed that a running version still relies on, …). Each service's
# migrate.js prints its migrations' statements without a database (`migrate.js sql`), one file per
# migration here, linted as the runner runs them: inside a transaction unless the migration opts
# out (`transaction = false`, for CREATE INDEX CONCURRENTLY). A finding fails the check; a
# migration that is safe for a reason squawk cannot see says so in a comment and a
# `-- squawk-ignore <rule>` line right above the statement (docs/deploy.md, expand/contract).
set -euo pipefail
cd "$(dirname "$0")/../.."

services=(user-service order-service notification-service)
out=tmp/checks/migrations
rm -rf "$out"
mkdir -p "$out/in-transaction" "$out/outside-transaction"
node_modules/.bin/nx run-many -t build -p "${services[@]}" --output-style=static > /dev/null

for service in "${services[@]}"; do
  node "dist/apps/$service/migrate.js" sql | awk -v dir="$out" -v service="$service" '
    /^-- migration: / {
      name = $3
      mode = ($0 ~ /outside a transaction/) ? "outside-transaction" : "in-transaction"
      file = dir "/" mode "/" service "-" name ".sql"
    }
    { print > file }'
done

count=$(find "$out" -name '*.sql' | wc -l)
[ "$count" -gt 0 ] || { echo "migrations: no migration found to lint" >&2; exit 1; }
squawk=(node_modules/.bin/squawk --pg-version 15)
status=0
shopt -s nullglob
in_transaction=("$out"/in-transaction/*.sql)
outside=("$out"/outside-transaction/*.sql)
[ ${#in_transaction[@]} -eq 0 ] || "${squawk[@]}" --assume-in-transaction "${in_transaction[@]}" || status=1
[ ${#outside[@]} -eq 0 ] || "${squawk[@]}" "${outside[@]}" || status=1
[ "$status" -eq 0 ] && echo "migrations: $count migrations lock-safe (squawk)"
exit "$status"
