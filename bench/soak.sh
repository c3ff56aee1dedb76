#!/usr/bin/env bash
# Soak benchmark of the embedded hub (not a test): many open tickets, then timers under that load.
#
#   bash bench/soak.sh [OPEN_TICKETS] [WARNED_TICKETS] [PER_SECOND]    defaults: 100000 3000 50
#
# 1. Starts the embedded hub (Release, temporary data folder, bench/soak-policy.json: always open,
#    Low tickets owe a response in 30 days, Medium ones in 2 minutes with the SLA warning at 75 %).
# 2. Seeds OPEN_TICKETS Low tickets through signed chat intake with wrk (as bench/load.sh), and
#    waits until the queue has handled them all (only future timers left).
# 3. Sends WARNED_TICKETS Medium tickets at PER_SECOND, so their SLA warnings fall due 90 s after
#    each arrival, spread out, while the OPEN_TICKETS stay open.
# 4. Waits for every warning, then prints how late each fired: the workflow stamps the warning with
#    the instant it handled the timer (warnedAt) next to when it was due (warningPoint), both in the
#    ticket's state row, read from the SQLite file. Goal: every warning within 1 s of due.
# 5. Prints the hub's peak RSS (VmHWM). Goal: <= 600 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
open_tickets=${1:-100000}
warned=${2:-3000}
rate=${3:-50}

source bench/common.sh
need_apt wrk
need_apt sqlite3

db="$work/data/supporthub.db"

start_hub soak "$root/bench/soak-policy.json" SupportHub__Queues__PollInterval=00:00:00.100

sign_bodies() { # prefix count severity out
  python3 - "$1" "$2" "$3" "$4" "$chat_secret" << 'EOF'
import hashlib, hmac, json, sys, time
prefix, n, severity, out, secret = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5].encode()
ts = str(int(time.time()))
with open(out, "w") as f:
    for i in range(n):
        body = json.dumps({"messageId": f"{prefix}-{i}", "conversationId": f"{prefix}-c-{i}", "account": "acme",
                           "from": {"name": f"Soak {i}", "email": f"{prefix}{i}@acme.gov"},
                           "text": f"Soak ticket {i}", "severity": severity}, separators=(",", ":"))
        sig = hmac.new(secret, (ts + "." + body).encode(), hashlib.sha256).hexdigest()
        f.write(f"{ts}\t{sig}\t{body}\n")
EOF
}

tickets() { sqlite3 -readonly "$db" "PRAGMA busy_timeout = 5000; SELECT count(*) FROM entities WHERE table_name = 'tickets' AND row_key = 'state';" | tail -1; }
due_messages() {
  local now; now=$(python3 -c 'import time; print(int(time.time() * 10_000_000))')
  sqlite3 -readonly "$db" "PRAGMA busy_timeout = 5000; SELECT count(*) FROM queue_messages WHERE visible_at <= $now;" | tail -1
}

# --- 2. seed the open tickets -------------------------------------------------------------------
echo "seeding $open_tickets open tickets through chat intake..." >&2
seed_start=$(date +%s.%N)
cat > "$work/seed.lua" << EOF
local lines, index = {}, 0
function init(args)
  local n, offset, stride = 0, tonumber(args[1]), tonumber(args[2])
  for line in io.lines("$work/seed.txt") do
    if n % stride == offset then table.insert(lines, line) end
    n = n + 1
  end
end
function request()
  index = index % #lines + 1
  local ts, sig, body = lines[index]:match("^(%d+)\t(%x+)\t(.*)$")
  return wrk.format("POST", "/api/intake/chat", {
    ["Content-Type"] = "application/json", ["X-SupportHub-Timestamp"] = ts, ["X-SupportHub-Signature"] = "sha256=" .. sig }, body)
end
EOF
# One wrk per slice of the bodies (so no two connections send the same one), until every body is a ticket.
accepted() { sqlite3 -readonly "$db" "PRAGMA busy_timeout = 5000; SELECT count(*) FROM entities WHERE table_name = 'ticketindex' AND partition_key LIKE 'source-%';" | tail -1; }
round=0
while (( $(accepted) < open_tickets )); do
  sent=$(accepted)
  chunk=$(( open_tickets - sent < 20000 ? open_tickets - sent : 20000 ))
  round=$(( round + 1 ))
  sign_bodies "soak$round-" "$chunk" 4 "$work/seed.txt"
  pids=()
  for slice in 0 1; do
    wrk -t1 -c32 -d"$(( chunk / 1500 + 2 ))s" --timeout 10s -s "$work/seed.lua" "$base/api/intake/chat" -- "$slice" 2 > /dev/null &
    pids+=($!)
  done
  wait "${pids[@]}"
  echo "  $(accepted) accepted; $(tickets) tickets opened by the workflow so far" >&2
done
echo "waiting for the queue to handle them..." >&2
while (( $(due_messages) > 0 )); do sleep 2; done
seed_end=$(date +%s.%N)
open_now=$(tickets)
echo "seeded: $open_now tickets in $(python3 -c "print(f'{$seed_end - $seed_start:.0f}')") s (intake and queue drained)"

# --- 3. warned tickets, paced -------------------------------------------------------------------
echo "sending $warned Medium tickets at $rate/s (each warned 90 s later)..." >&2
sign_bodies "warn" "$warned" 3 "$work/warn.txt"
python3 - "$work/warn.txt" "$port" "$rate" << 'EOF'
import http.client, sys, time
path, port, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
start = time.monotonic()
for i, line in enumerate(open(path)):
    ts, sig, body = line.rstrip("\n").split("\t", 2)
    delay = start + i / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    conn.request("POST", "/api/intake/chat", body=body.encode(), headers={
        "Content-Type": "application/json", "X-SupportHub-Timestamp": ts, "X-SupportHub-Signature": "sha256=" + sig})
    response = conn.getresponse(); response.read()
    if response.status != 202:
        sys.exit(f"warned ticket {i}: {response.status}")
EOF

# --- 4. wait for every warning, then lateness ---------------------------------------------------
warned_sql="SELECT json_extract(c.value, '$.warningPoint'), json_extract(c.value, '$.warnedAt')
  FROM entities e, json_each(e.payload, '$.sla.clocks') c
  WHERE e.table_name = 'tickets' AND e.row_key = 'state' AND json_extract(e.payload, '$.severity') = 3
    AND json_extract(c.value, '$.target') = 'response'"
deadline=$(( $(date +%s) + 300 ))
while true; do
  sqlite3 -readonly -separator ' ' "$db" "PRAGMA busy_timeout = 5000; $warned_sql;" | grep -v '^[0-9]*$' > "$work/warnings.txt" || true
  done_count=$(awk 'NF == 2' "$work/warnings.txt" | wc -l)
  (( done_count >= warned )) && break
  (( $(date +%s) > deadline )) && { echo "only $done_count of $warned warnings after 5 minutes" >&2; break; }
  sleep 5
done
python3 - "$work/warnings.txt" "$warned" << 'EOF'
import sys
from datetime import datetime
def parse(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
late, pending = [], 0
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) != 2:
        pending += 1
        continue
    late.append((parse(parts[1]) - parse(parts[0])).total_seconds())
late.sort()
def q(p): return late[min(len(late) - 1, int(p / 100 * len(late)))] * 1000
print(f"SLA warnings fired: {len(late)} of {sys.argv[2]} ({pending} not yet)")
if late:
    print(f"lateness ms: min {late[0]*1000:.0f}  p50 {q(50):.0f}  p90 {q(90):.0f}  p99 {q(99):.0f}  max {late[-1]*1000:.0f}; "
          f"over 1 s: {sum(1 for x in late if x > 1.0)}")
EOF
echo "open tickets: $(tickets)"
echo "hub peak RSS: $(awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$hub_pid/status")"
grep -iE "fail|exception" "$work/hub.log" | head -5 || true
