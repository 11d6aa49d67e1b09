#!/usr/bin/env bash
# The static checks of `npm test` (`npm run checks`), on both cores: the type-check runs alone while
# lint, the doc-example and API-doc checks and the API docs run one after another beside it (each
# side takes about as long). Each check's output is printed once it is done; any failure fails the
# whole, after all have run.
set -uo pipefail
cd "$(dirname "$0")/.."

typecheck_log=$(mktemp)
trap 'rm -f "$typecheck_log"' EXIT
npm run typecheck >"$typecheck_log" 2>&1 &
typecheck_pid=$!

status=0
for check in lint check:examples check:api-docs docs; do
  npm run "$check" || status=1
done

wait "$typecheck_pid" || status=1
cat "$typecheck_log"
[ "$status" = 0 ] || echo "checks: at least one check failed (see above)" >&2
exit "$status"
