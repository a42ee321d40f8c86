#!/usr/bin/env bash
# Sets everything up, then runs the type check and every test (unit, then integration against
# real registries on 127.0.0.1). Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
bash scripts/setup.sh || exit 1

npx tsc --noEmit || { echo "typecheck failed"; echo "0 passed, 1 failed"; exit 1; }

report=$(mktemp /tmp/tsdock-vitest-XXXXXX.json)
npx vitest run --reporter=default --reporter=json --outputFile.json="$report"
status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  if (r.numTotalTests === 0) process.exit(1);
' "$report" || status=1
rm -f "$report"
exit $status
