#!/usr/bin/env bash
# Time to page under a flood (a benchmark, not a test): do emergencies wait behind bulk work?
#
#   bash bench/page-latency.sh [EMAILS] [CALLS] [CONNECTIONS]     defaults: 20000 20 32
#
# 1. Starts the embedded hub (Release, temporary data folder, bench/page-policy.json: always open;
#    mail from bulk.example is Low and pages nobody; each caller of account "callers" is an emergency
#    contact whose Critical call pages the on-call engineer by SMS).
# 2. Sends EMAILS SendGrid Inbound Parse posts (multipart, each its own Message-ID, so each a new
#    ticket) with wrk, as fast as the hub takes them. Each is queued three times over while the pump
#    works through them (tickets-inbound, workflow-events, the customer's acknowledgement).
# 3. At once, while that backlog waits, sends CALLS emergency phone calls (signed IVR callbacks, one
#    every 250 ms, each from another contact), noting when each was sent.
# 4. Reads from the SQLite file when each call's page was stored in the dev outbox (the embedded
#    hub's notification channel), and prints the time from sending the call to its page: p50, p99,
#    max; and how many queued messages were still waiting when the first and the last page landed.
# Goal: p99 <= 2 s. The embedded queue delivers an emergency's messages (its ticket, its pages)
# before ordinary ones (OutgoingMessage.Urgent -> the queue's priority column).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
emails=${1:-20000}
calls=${2:-20}
connections=${3:-32}
((calls <= 20)) || { echo "at most 20 calls: bench/page-policy.json has 20 callers" >&2; exit 2; }

source bench/common.sh
need_apt wrk

db="$work/data/supporthub.db"
email_key="page-email-secret-0123456789"
phone_secret="page-phone-secret-0123456789"
start_hub page "$root/bench/page-policy.json"

# --- 2. the flood ---------------------------------------------------------------------------------
# One body per line, CRLF written as the four characters \r\n and put back by the Lua script.
python3 - "$work/mail.txt" "$emails" << 'EOF'
import sys
out, n = sys.argv[1], int(sys.argv[2])
boundary = "xYzZYbench"
with open(out, "w") as f:
    for i in range(n):
        fields = {"from": f"Sender {i} <sender{i}@bulk.example>", "to": "support@example.com",
                  "subject": f"Question {i} about the export",
                  "text": f"Hello,\r\nHow do I export report {i}?\r\nThanks",
                  "headers": f"Message-ID: <bulk-{i}@bulk.example>\r\nFrom: sender{i}@bulk.example\r\nSubject: Question {i}\r\n"}
        body = "".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n" for k, v in fields.items())
        body += f"--{boundary}--\r\n"
        f.write(body.replace("\r\n", "\\r\\n") + "\n")
EOF
cat > "$work/mail.lua" << EOF
-- Each thread sends its slice of the bodies once; after the last one it sends GET /healthz until the
-- script stops wrk (when every email is accepted), so no email is sent twice.
local lines, index = {}, 0
function init(args)
  local n, offset, stride = 0, tonumber(args[1]), tonumber(args[2])
  for line in io.lines("$work/mail.txt") do
    if n % stride == offset then table.insert(lines, (line:gsub("\\\\r\\\\n", "\r\n"))) end
    n = n + 1
  end
end
function request()
  index = index + 1
  -- wrk builds one request per thread before it connects and never sends it: the first answer is a
  -- /healthz so that no email is lost that way.
  if index == 1 or index > #lines + 1 then return wrk.format("GET", "/healthz") end
  return wrk.format("POST", "/api/intake/email?key=$email_key",
    { ["Content-Type"] = "multipart/form-data; boundary=xYzZYbench" }, lines[index - 1])
end
function response(status, headers, body)
  if status ~= 202 and status ~= 200 then
    io.stderr:write("email answered " .. status .. ": " .. body .. "\n")
  end
end
EOF
echo "flooding: $emails emails..." >&2
flood_start=$(date +%s.%N)
pids=()
for slice in 0 1; do
  wrk -t1 -c"$(( connections / 2 ))" -d600s --timeout 10s -s "$work/mail.lua" "$base/api/intake/email" -- "$slice" 2 > "$work/wrk-$slice.txt" &
  pids+=($!)
done
accepted() { sqlite3 -readonly "$db" "PRAGMA busy_timeout = 5000; SELECT count(*) FROM entities WHERE table_name = 'ticketindex' AND partition_key LIKE 'source-%';" | tail -1; }
# Messages due now (future SLA timers wait in the same table and are not work yet).
due() { sqlite3 -readonly "$db" "PRAGMA busy_timeout = 5000; SELECT count(*) FROM queue_messages WHERE visible_at <= $(python3 -c 'import time; print(int(time.time() * 10_000_000))');" | tail -1; }
while (( $(accepted) < emails )) && kill -0 "${pids[0]}" 2> /dev/null; do sleep 0.2; done
kill "${pids[@]}" 2> /dev/null || true
wait "${pids[@]}" 2> /dev/null || true
flood_end=$(date +%s.%N)
echo "flood: $(accepted) emails accepted in $(python3 -c "print(f'{$flood_end - $flood_start:.1f}')") s; $(due) queued messages due and waiting"

# --- 3 and 4. the calls, and their pages -----------------------------------------------------------
sqlite3 "$db" ".timeout 5000" "SELECT 1;" > /dev/null # the file exists and is readable
python3 - "$db" "$port" "$calls" "$phone_secret" << 'EOF'
import hashlib, hmac, http.client, json, re, sqlite3, sys, time
from datetime import datetime, timezone
db, port, calls, secret = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].encode()

def instant(text):
    # NodaTime writes up to nine fractional digits; Python reads six.
    m = re.match(r"^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$", text)
    fraction = (m.group(2) or "0")[:6].ljust(6, "0")
    return datetime.fromisoformat(f"{m.group(1)}.{fraction}+00:00").timestamp()

read = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
def waiting():
    # Messages due now (the queue keeps times as 100-ns units since the Unix epoch).
    return read.execute("SELECT count(*) FROM queue_messages WHERE visible_at <= ?", (int(time.time() * 10_000_000),)).fetchone()[0]

conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
sent = {}
backlog_at_first_call = waiting()
start = time.monotonic()
for i in range(calls):
    delay = start + i * 0.25 - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    body = json.dumps({"callId": f"page-call-{i}", "from": f"+1312555{300 + i:04d}", "to": "+13125550200",
                       "selection": "emergency", "severity": 1, "transcript": f"Production is down ({i})."})
    ts = str(int(time.time()))
    sig = hmac.new(secret, (ts + "." + body).encode(), hashlib.sha256).hexdigest()
    at = time.time()
    conn.request("POST", "/api/intake/phone", body=body.encode(), headers={
        "Content-Type": "application/json", "X-SupportHub-Timestamp": ts, "X-SupportHub-Signature": "sha256=" + sig})
    response = conn.getresponse()
    answer = response.read()
    if response.status != 202:
        sys.exit(f"call {i} answered {response.status}: {answer.decode()}")
    sent[json.loads(answer)["ticket"]] = at

pages, landed_backlog = {}, {}
deadline = time.time() + 300
while len(pages) < calls and time.time() < deadline:
    for ticket, stored in read.execute(
            "SELECT json_extract(payload, '$.ticket'), json_extract(payload, '$.storedAt') FROM entities "
            "WHERE table_name = 'devoutbox' AND json_extract(payload, '$.purpose') = 'page'"):
        if ticket in sent and ticket not in pages:
            pages[ticket] = instant(stored)
            landed_backlog[ticket] = waiting()
    time.sleep(0.05)
if len(pages) < calls:
    print(f"only {len(pages)} of {calls} pages after 5 minutes")
latencies = sorted(pages[t] - sent[t] for t in pages)
def q(p): return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000
first, last = min(pages, key=pages.get), max(pages, key=pages.get)
print(f"queued messages waiting: {backlog_at_first_call} when the first call was sent, "
      f"{landed_backlog[first]} when the first page landed, {landed_backlog[last]} when the last did")
print(f"time from call to page ({len(latencies)} calls): p50 {q(50):.0f} ms, p99 {q(99):.0f} ms, max {latencies[-1] * 1000:.0f} ms")
print("goal p99 <= 2000 ms: " + ("met" if q(99) <= 2000 and len(pages) == calls else "NOT met"))
EOF
grep -E "fail|exception" -i "$work/hub.log" | head -5 || true
