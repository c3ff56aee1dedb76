#!/usr/bin/env bash
# The test command: every test project in Functions.sln, then one summary line "N passed, N failed".
# Extra arguments go to `dotnet test` (e.g. --no-build -c Release, or --filter ...).
set -uo pipefail
cd "$(dirname "$0")"
# Test dependencies that are not NuGet packages (Azurite, Chromium): each installed only when missing.
bash .ci/install
log=$(mktemp)
dotnet test Functions.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
sum() { grep -Eo "$1: +[0-9]+" "$log" | awk '{ n += $2 } END { print n + 0 }'; }
passed=$(sum Passed); failed=$(sum Failed); skipped=$(sum Skipped)
rm -f "$log"
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
