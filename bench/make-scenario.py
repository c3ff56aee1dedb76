#!/usr/bin/env python3
"""Writes a month-long simulation scenario with N tickets for `supporthub simulate` load runs.

Usage: bench/make-scenario.py N OUT.json [--policy PATH]

Tickets arrive at random instants of November 2026 (fixed seed: the same N gives the same file),
by chat, email and phone, from Acme's designated contact, other Acme users and strangers, with
severities weighted towards 3. Most get a staff reply, some are set Pending, sev 1 pages are
acknowledged, some after-hours approval requests are answered, most tickets are solved, a few
requesters reply after the solve.
"""
import json
import random
import sys
from datetime import datetime, timedelta, timezone

def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    n, out = int(sys.argv[1]), sys.argv[2]
    policy = sys.argv[sys.argv.index("--policy") + 1] if "--policy" in sys.argv else "samples/policy.json"
    rnd = random.Random(20261122)
    tz = timezone(timedelta(hours=-6))
    start = datetime(2026, 11, 1, 0, 0, tzinfo=tz)
    month = 30 * 24 * 60
    people = ["alice", "bob", "carol"]
    arrivals = sorted(rnd.randrange(month) for _ in range(n))
    events = []

    def at(minutes):
        return (start + timedelta(minutes=minutes)).isoformat()

    for i, minute in enumerate(arrivals, start=1):
        ticket = f"#{i}"
        severity = rnd.choices([1, 2, 3, 4], weights=[3, 12, 60, 25])[0]
        who = rnd.random()
        email = "dana@acme.gov" if who < 0.2 else (f"user{i}@acme.gov" if who < 0.8 else f"someone{i}@example.org")
        channel = rnd.choice(["chat", "email", "phone"])
        if channel == "chat":
            body = {"messageId": f"m-{i}", "conversationId": f"c-{i}", "from": {"name": f"User {i}", "email": email},
                    "text": f"Problem number {i}", "severity": severity}
        elif channel == "email":
            body = {"from": email, "subject": f"[Sev{severity}] Problem number {i}", "text": "Details.", "messageId": f"<{i}@load.example>"}
        else:
            # Every call from its own number: calls from one number within 30 minutes join one ticket.
            body = {"callId": f"call-{i}", "from": f"+1415{i:07d}",
                    "selection": "emergency" if severity == 1 else "support", "severity": severity, "transcript": "help"}
        events.append({"at": at(minute), channel: body})
        if severity == 1:
            events.append({"at": at(minute + rnd.randrange(1, 40)), "ack": {"ticket": ticket, "by": rnd.choice(people)}})
        if rnd.random() < 0.3:
            events.append({"at": at(minute + rnd.randrange(5, 90)), "approve": {"ticket": ticket, "by": "dana@acme.gov"}})
        reply = minute + rnd.randrange(10, 6 * 60)
        if rnd.random() < 0.85:
            events.append({"at": at(reply), "reply": {"ticket": ticket, "by": rnd.choice(people), "text": "On it."}})
            if rnd.random() < 0.2:
                events.append({"at": at(reply + 30), "status": {"ticket": ticket, "to": "Pending", "by": "alice"}})
            if rnd.random() < 0.8:
                solved = reply + rnd.randrange(60, 5 * 24 * 60)
                events.append({"at": at(solved), "status": {"ticket": ticket, "to": "Solved", "by": rnd.choice(people)}})
                if rnd.random() < 0.1:
                    events.append({"at": at(solved + rnd.randrange(60, 3 * 24 * 60)), "reply": {"ticket": ticket, "by": email, "text": "Not fixed."}})
    events.sort(key=lambda e: e["at"])
    # The scenario's policy path is relative to the scenario file.
    import os
    rel = os.path.relpath(os.path.abspath(policy), os.path.dirname(os.path.abspath(out)))
    with open(out, "w") as f:
        json.dump({"policy": rel, "until": at(month + 14 * 24 * 60), "events": events}, f)
    print(f"{out}: {n} tickets, {len(events)} events")

main()
