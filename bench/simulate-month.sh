#!/usr/bin/env bash
# `supporthub simulate` of a month-long scenario (not a test): builds Release, writes the scenario with
# bench/make-scenario.py (fixed seed) and runs it, printing wall time, CPU time and peak RSS.
#
#   bash bench/simulate-month.sh [TICKETS]          default 100000; the goal is <= 60 s for 100,000
#
# With CHECK=FILE it also compares the printed timeline byte for byte with FILE (the regression check:
# save the timeline of a known-good build for the same TICKETS first).
set -euo pipefail
cd "$(dirname "$0")/.."
tickets=${1:-100000}
if [[ ! -x /usr/bin/time ]]; then
  echo "installing time (apt-get)..." >&2
  (apt-get install -y time || { apt-get update && apt-get install -y time; }) > /dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build -c Release src/SupportHub.Cli -v q -nologo > "$work/build.log" || { cat "$work/build.log"; exit 1; }
python3 bench/make-scenario.py "$tickets" "$work/month.json" >&2
/usr/bin/time -f "wall %e s, user %U s, sys %S s, peak RSS %M KB" \
  dotnet src/SupportHub.Cli/bin/Release/net10.0/supporthub.dll simulate "$work/month.json" --stats > "$work/timeline.jsonl"
echo "timeline: $(wc -l < "$work/timeline.jsonl") lines, sha256 $(sha256sum "$work/timeline.jsonl" | cut -c1-16)"
if [[ -n "${CHECK:-}" ]]; then
  cmp "$work/timeline.jsonl" "$CHECK" && echo "timeline identical to $CHECK"
fi
