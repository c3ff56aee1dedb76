#!/usr/bin/env bash
# Load benchmark of the embedded hub (not a test: run it by hand, on a quiet machine if you can).
#
#   bash bench/load.sh [SECONDS] [CONNECTIONS]        defaults: 15 s, 64 connections
#   TRACE=BASE bash bench/load.sh ...                 also writes a CPU trace of the hub during the
#                                                     intake run: BASE.nettrace, BASE.speedscope.json
#
# Builds Release, starts the embedded hub on a free loopback port with a temporary data folder and
# known secrets, then with wrk (installed from Debian when missing) drives, one after the other
# against the same process:
#   1. GET /healthz (the bare endpoint: two small store/queue reads), and
#   2. POST /api/intake/chat, every request a distinct signed webhook (its own messageId and
#      conversationId, so each opens a new ticket). Bodies and signatures are generated up front
#      and cycled through by a Lua script; a signature stays valid for 5 minutes.
# It prints requests/s and p50/p99 latency of both, the ratio intake/healthz, and how many 202s
# came back; then it waits for the queue to drain and checks through the agent API
# (GET /api/tickets) that every reference answered with 202 is a ticket.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-15}
connections=${2:-64}
# WARMUP=S: seconds of intake before the measured run (default 3).
warmup=${WARMUP:-3}
# THINK_MS=N: after each answer a connection waits N ms before its next intake request, to measure
# latency at an offered load below what the hub can take (default 0: the next request at once).
# /healthz always runs without a pause.
think=${THINK_MS:-0}
[[ "$think" =~ ^[0-9]+$ ]] || { echo "THINK_MS must be a whole number of milliseconds, not '$think'" >&2; exit 2; }
think=$((10#$think))
# RATE=N: intake requests are offered at N per second in all (the load of a busy desk, not the most the
# hub takes): each wrk thread sends on a fixed schedule, and a connection that answered waits for the
# next free slot. Behind schedule (the hub slower than N/s) it sends at once until caught up, as wrk2
# does; latency is still measured from the actual send. Not with THINK_MS. /healthz runs unpaced.
rate=${RATE:-0}
[[ "$rate" =~ ^[0-9]+$ ]] || { echo "RATE must be a whole number of requests per second, not '$rate'" >&2; exit 2; }
rate=$((10#$rate))
((rate > 0 && think > 0)) && { echo "RATE and THINK_MS pace the same requests: set one of them" >&2; exit 2; }
threads=2

source bench/common.sh
need_apt wrk
need_apt /usr/bin/time time

start_hub load "$root/samples/policy.json"

# Enough distinct bodies for the warm-up and the measured run at up to 20,000 requests/s.
total=$(( (seconds + warmup) * 20000 ))
python3 - "$work/bodies.txt" "$total" "$chat_secret" << 'EOF'
import hashlib, hmac, json, sys, time
out, n, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
ts = str(int(time.time()))
with open(out, "w") as f:
    for i in range(n):
        body = json.dumps({"messageId": f"load-{i}", "conversationId": f"load-c-{i}", "account": "acme",
                           "from": {"name": f"Load {i}", "email": f"load{i}@acme.gov"},
                           "text": f"Load test problem {i}", "severity": 3}, separators=(",", ":"))
        sig = hmac.new(secret, (ts + "." + body).encode(), hashlib.sha256).hexdigest()
        f.write(f"{ts}\t{sig}\t{body}\n")
EOF
# Onto the disk now: left dirty, the kernel writes these ~150 MB back about 30 s later
# (vm.dirty_expire_centisecs), during the measured run, and the hub's WAL fsyncs wait behind that
# burst (seen as 35–45-ms commits and a p99 far above the rest of the run).
sync "$work/bodies.txt"

cat > "$work/report.lua" << 'EOF'
-- Shared by both runs: counts statuses per thread and prints one machine-readable line at the end.
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function done(summary, latency, requests)
  local accepted, other = 0, 0
  for _, t in ipairs(threads) do
    accepted = accepted + (t:get("accepted") or 0)
    other = other + (t:get("other") or 0)
  end
  io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d accepted=%d other=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, accepted, other,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
EOF

cat > "$work/chat.lua" << EOF
dofile("$work/report.lua")
local lines = {}
local index = 0
local stride, offset = 1, 0
function init(args)
  offset = tonumber(wrk.thread:get("id"))
  stride = $threads
  refs = io.open("$work/refs-" .. offset .. "-" .. (args[1] or "run") .. ".txt", "w")
  local n = 0
  for line in io.lines("$work/bodies.txt") do
    if n % stride == offset then table.insert(lines, line) end
    n = n + 1
  end
  -- The warm-up takes the first part, the measured run the rest: no body is sent twice.
  index = (args[1] == "warmup") and 0 or math.floor(#lines * $warmup / ($seconds + $warmup))
end
function request()
  index = index + 1
  local ts, sig, body = lines[index]:match("^(%d+)\t(%x+)\t(.*)$")
  return wrk.format("POST", "/api/intake/chat", {
    ["Content-Type"] = "application/json",
    ["X-SupportHub-Timestamp"] = ts,
    ["X-SupportHub-Signature"] = "sha256=" .. sig,
  }, body)
end
$( ((think > 0)) && printf 'function delay()\n  return %d\nend\n' "$think" )
$( ((rate > 0)) && cat << PACE
-- RATE: this thread's share of the rate, one slot every interval ms (monotonic clock through LuaJIT's FFI).
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } pace_timespec; int clock_gettime(int, pace_timespec *); ]]
local clock = ffi.new("pace_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local interval = $threads * 1000 / $rate
local slot = nil
function delay()
  local now = now_ms()
  slot = (slot or now) + interval
  return math.max(0, math.floor(slot - now + 0.5))
end
PACE
)
function response(status, headers, body)
  if status == 202 then
    wrk.thread:set("accepted", (wrk.thread:get("accepted") or 0) + 1)
    local ref = body:match('"ticket":"([^"]+)"')
    if ref then refs:write(ref, "\n") end
  else
    wrk.thread:set("other", (wrk.thread:get("other") or 0) + 1)
  end
end
EOF

cat > "$work/health.lua" << EOF
dofile("$work/report.lua")
function response(status, headers, body)
  if status == 200 then
    wrk.thread:set("accepted", (wrk.thread:get("accepted") or 0) + 1)
  else
    wrk.thread:set("other", (wrk.thread:get("other") or 0) + 1)
  end
end
EOF

# The hub's CPU time so far in seconds (user + system, from /proc), to report how many cores a run used.
hub_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$hub_pid/stat"; }
run() {
  local before after result
  before=$(hub_cpu)
  # wrk's own CPU time too: it shares the machine, and should not be what limits the run.
  result=$( { /usr/bin/time -f "WRKCPU %U %S" wrk -t"$threads" -c"$connections" -d"$1s" --timeout 10s -s "$2" "$base$3" -- "${4:-run}"; } 2>&1 | grep -E "^RESULT|^WRKCPU" | tr "\n" " ")
  after=$(hub_cpu)
  echo "$result $(python3 -c "import sys, re
b, a, s, r = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
u, k = re.search(r'WRKCPU ([0-9.]+) ([0-9.]+)', r).groups()
print(f'hub_cores={(a - b) / s:.2f} wrk_cores={(float(u) + float(k)) / s:.2f}')" "$before" "$after" "$1" "$result")"
}

echo "warm-up (3 s of /healthz, $warmup s of intake)..." >&2
run 3 "$work/health.lua" /healthz > /dev/null
run "$warmup" "$work/chat.lua" /api/intake/chat warmup > "$work/warmup.txt"
echo "measuring: GET /healthz, then POST /api/intake/chat, ${seconds}s each at $connections connections" >&2
health=$(run "$seconds" "$work/health.lua" /healthz)
if [[ -n "${TRACE:-}" ]]; then
  # TRACE=BASE: a CPU sample trace (speedscope JSON) of the hub during the measured intake run.
  ~/.dotnet/tools/dotnet-trace collect -p "$hub_pid" --format speedscope -o "$TRACE.nettrace" \
    --duration "00:00:00:$(printf '%02d' "$seconds")" > "$work/trace.log" 2>&1 &
  trace_pid=$!
fi
chat=$(run "$seconds" "$work/chat.lua" /api/intake/chat)
[[ -n "${TRACE:-}" ]] && { wait "$trace_pid" || cat "$work/trace.log" >&2; }

field() { sed -E "s/.* $1=([^ ]+).*/\1/" <<< "$2"; }

printf '%-22s %10s %9s %9s %10s %8s %10s %10s\n' route "req/s" "p50 ms" "p99 ms" "2xx" "other" "hub cores" "wrk cores"
printf '%-22s %10s %9s %9s %10s %8s %10s %10s\n' "GET /healthz" "$(field rps "$health")" "$(field p50_ms "$health")" "$(field p99_ms "$health")" "$(field accepted "$health")" "$(field other "$health")" "$(field hub_cores "$health")" "$(field wrk_cores "$health")"
printf '%-22s %10s %9s %9s %10s %8s %10s %10s\n' "POST /api/intake/chat" "$(field rps "$chat")" "$(field p50_ms "$chat")" "$(field p99_ms "$chat")" "$(field accepted "$chat")" "$(field other "$chat")" "$(field hub_cores "$chat")" "$(field wrk_cores "$chat")"
python3 -c "import sys; print(f'intake/healthz: {float(sys.argv[1]) / float(sys.argv[2]) * 100:.1f} %')" "$(field rps "$chat")" "$(field rps "$health")"

sort -u "$work"/refs-*.txt > "$work/refs.txt"
accepted=$(( $(field accepted "$chat") + $(field accepted "$(cat "$work/warmup.txt")") ))
distinct=$(wc -l < "$work/refs.txt")
echo "accepted (202) in warm-up + run: $accepted, distinct references: $distinct"

# Drain: every ticket's list row is written once its workflow ran. Wait until every reference
# answered with 202 is listed (or give up after 10 minutes and say so). The list can hold a few
# tickets more than wrk counted (requests still in flight when wrk stopped were accepted, but their
# answers were never read), so a count is not enough: each reference is looked up.
[[ -n "${NO_DRAIN:-}" ]] && exit 0  # NO_DRAIN=1: skip the drain and the check (when profiling)
echo "draining the queue..." >&2
start=$(date +%s)
unlisted_refs() {
  python3 - "$work/list.json" "$work/refs.txt" << 'EOF'
import json, sys
listed = {t["ticket"] for t in json.load(open(sys.argv[1]))["tickets"]}
refs = [line.strip() for line in open(sys.argv[2]) if line.strip()]
missing = [r for r in refs if r not in listed]
print(len(listed), len(missing), " ".join(missing[:5]))
EOF
}
while true; do
  curl -fsS -H "x-functions-key: $api_key" "$base/api/tickets" > "$work/list.json"
  read -r listed unlisted first <<< "$(unlisted_refs)"
  [[ "$unlisted" -eq 0 ]] && break
  if (( $(date +%s) - start > 600 )); then echo "gave up draining: $unlisted accepted references not listed yet" >&2; break; fi
  sleep 2
done
echo "drained in $(( $(date +%s) - start )) s"
echo "tickets listed: $listed; accepted references missing from the list: $unlisted${first:+ (first: $first)}"
grep -E "fail|exception" -i "$work/hub.log" | head -5 || true
[[ "$unlisted" -eq 0 ]]
