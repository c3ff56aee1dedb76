// The SLA board's script: no framework, no build step, nothing from another origin.
// The API key lives in sessionStorage (this tab only) and goes out only as the x-functions-key
// header of fetch("/board.json") to this origin. Every text from the hub is put in with
// textContent, never as HTML, so a ticket subject cannot inject markup.
"use strict";

(function () {
  const KEY = "supporthub.board.key";
  const POLL_MS = 5000;
  const SVG = "http://www.w3.org/2000/svg";

  let snapshot = null;      // the last /board.json
  let fetchedAt = 0;        // performance.now() when it arrived: countdowns run from there
  let pollTimer = null;

  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined) node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function svgEl(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // 3725 → "1h 02m 05s"; 200000 → "2d 7h 33m": coarse where the exact seconds mean nothing.
  function span(seconds) {
    let s = Math.max(0, Math.floor(Math.abs(seconds)));
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    const two = (n) => String(n).padStart(2, "0");
    if (d > 0) return `${d}d ${h}h ${two(m)}m`;
    if (h > 0) return `${h}h ${two(m)}m ${two(s)}s`;
    return `${m}m ${two(s)}s`;
  }

  // For measured durations (charts): tenths of a second below a minute, where a countdown's format says "0m 00s".
  function measured(seconds) {
    return Math.abs(seconds) < 60 ? `${Math.round(seconds * 10) / 10}s` : span(seconds);
  }

  const percent = (share) => `${Math.round(share * 1000) / 10}%`;
  const elapsed = () => (performance.now() - fetchedAt) / 1000;

  function setStatus(text) { $("status").textContent = text; }

  function showKeyForm(message) {
    stopPolling();
    $("board").hidden = true;
    $("key-section").hidden = false;
    const error = $("key-error");
    error.hidden = !message;
    error.textContent = message || "";
    setStatus(message ? "The board needs a valid API key." : "Enter the API key to see the board.");
    $("api-key").focus();
  }

  function stopPolling() {
    if (pollTimer !== null) { clearTimeout(pollTimer); pollTimer = null; }
  }

  async function poll() {
    stopPolling();
    const key = sessionStorage.getItem(KEY);
    if (!key) { showKeyForm(); return; }
    try {
      const response = await fetch("/board.json", { headers: { "x-functions-key": key }, cache: "no-store", credentials: "omit" });
      if (response.status === 401) {
        sessionStorage.removeItem(KEY);
        showKeyForm("The hub refused that key. Check it and enter it again.");
        return;
      }
      if (!response.ok) throw new Error(`the hub answered ${response.status}`);
      snapshot = await response.json();
      fetchedAt = performance.now();
      $("key-section").hidden = true;
      $("board").hidden = false;
      render();
      setStatus(`Live: ${snapshot.tickets.length} open ticket(s), ${snapshot.approvals.length} pending approval(s).`);
    } catch (error) {
      setStatus(`Could not refresh the board (${error.message}); trying again in ${POLL_MS / 1000} seconds.`);
    }
    pollTimer = setTimeout(poll, POLL_MS);
  }

  // ---- tickets -------------------------------------------------------------------------------

  function clockText(clock) {
    const name = clock.target.charAt(0).toUpperCase() + clock.target.slice(1);
    if (clock.state === "met") return { cls: "met", text: `${name}: met` };
    if (clock.state === "paused") {
      return { cls: "paused", text: `${name}: paused while Pending, ${span(clock.remainingSeconds)} left` };
    }
    const remaining = clock.remainingSeconds === null ? null : clock.remainingSeconds - elapsed();
    if (clock.state === "breached" || (remaining !== null && remaining <= 0)) {
      const late = clock.met ? "met late" : `overdue by ${span(remaining === null ? 0 : remaining)}`;
      return { cls: "breached", text: `${name}: breached (${late})` };
    }
    return { cls: "running", text: `${name}: ${span(remaining)} left` };
  }

  function clocksCell(ticket) {
    if (ticket.clocks.length === 0) return el("td", {}, "No SLA");
    const list = el("ul", { class: "clocks" });
    for (const clock of ticket.clocks) {
      const { cls, text } = clockText(clock);
      const item = el("li", { class: cls, "data-target": clock.target, "data-state": clock.state }, text);
      item.title = `Due ${clock.due}`;
      list.append(item);
    }
    return el("td", {}, list);
  }

  function escalationCell(ticket) {
    const e = ticket.escalation;
    if (!e) return el("td", {}, "None");
    const paged = e.paged.length === 0 ? "nobody yet" : e.paged.map((p) => `${p.name} (${p.via.join(", ")})`).join("; ");
    let state;
    if (e.acknowledgedBy) state = `Acknowledged by ${e.acknowledgedBy}`;
    else if (e.active) state = `Unacknowledged: step ${e.step}, round ${e.round}`;
    else if (e.stoppedReason === "solved") state = "Stopped: solved";
    else state = "Exhausted: nobody acknowledged";
    return el("td", { class: "escalation" },
      el("div", { class: e.acknowledgedBy ? "met" : e.active ? "breached" : "" }, state),
      el("div", {}, `Paged: ${paged}`));
  }

  function billingCell(ticket) {
    const b = ticket.billing;
    if (!b) return el("td", {}, "—");
    const rate = `${b.currency} ${b.rate} per ${b.per}`;
    if (b.status === "requested") return el("td", {}, `Approval pending (${rate}), until ${b.deadline}`);
    return el("td", {}, `${b.status.charAt(0).toUpperCase() + b.status.slice(1)}${b.answeredBy ? ` by ${b.answeredBy}` : ""} (${rate})`);
  }

  function renderTickets() {
    const body = $("tickets").tBodies[0];
    const rows = snapshot.tickets.map((t) => {
      const breached = t.clocks.some((c) => clockText(c).cls === "breached");
      const severity = t.severityName ? `${t.severity} – ${t.severityName}` : String(t.severity);
      return el("tr", { id: `ticket-${t.ticket}`, "data-ticket": t.ticket, class: breached ? "breached-row" : null },
        el("th", { scope: "row" }, `#${t.ticket}`),
        el("td", {}, severity + (t.emergency ? " (emergency)" : "")),
        el("td", {}, t.status),
        el("td", {}, `${t.account || "unknown"} (${t.tier})`),
        el("td", {}, t.subject),
        clocksCell(t),
        escalationCell(t),
        billingCell(t));
    });
    if (rows.length === 0) rows.push(el("tr", {}, el("td", { colspan: "8" }, "No open tickets.")));
    body.replaceChildren(...rows);
  }

  function renderApprovals() {
    const body = $("approvals").tBodies[0];
    const rows = snapshot.approvals.map((a) => {
      const left = a.deadlineInSeconds - elapsed();
      return el("tr", { "data-ticket": a.ticket },
        el("th", { scope: "row" }, `#${a.ticket}`),
        el("td", {}, a.account || "unknown"),
        el("td", {}, a.subject),
        el("td", {}, `${a.currency} ${a.rate} per ${a.per}`),
        el("td", {}, left > 0 ? `${a.deadline} (${span(left)} left)` : `${a.deadline} (deadline passed)`));
    });
    if (rows.length === 0) rows.push(el("tr", {}, el("td", { colspan: "5" }, "No approvals pending.")));
    body.replaceChildren(...rows);
  }

  // ---- charts: horizontal bars, every value also written as text beside its bar --------------

  // rows: [{ label, value (0..max or null), text, cls }]
  function barChart(id, title, rows, max) {
    const labelWidth = 110, barWidth = 180, rowHeight = 26, width = labelWidth + barWidth + 200;
    const height = Math.max(rows.length, 1) * rowHeight + 10;
    const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-labelledby": `${id}-title ${id}-desc` });
    svg.append(svgEl("title", { id: `${id}-title` }, title));
    svg.append(svgEl("desc", { id: `${id}-desc` }, rows.map((r) => `${r.label}: ${r.text}`).join("; ")));
    rows.forEach((row, i) => {
      const y = 5 + i * rowHeight;
      svg.append(svgEl("text", { x: 0, y: y + 15 }, row.label));
      const length = row.value === null || !(max > 0) ? 0 : Math.max(1, Math.round((row.value / max) * barWidth));
      const bar = svgEl("rect", { x: labelWidth, y: y + 3, width: length, height: rowHeight - 8, class: `bar ${row.cls || ""}`.trim() });
      bar.setAttribute("data-value", row.value === null ? "" : String(row.value));
      svg.append(bar);
      svg.append(svgEl("text", { x: labelWidth + length + 6, y: y + 15, class: "value" }, row.text));
    });
    svg.append(svgEl("line", { x1: labelWidth, y1: 2, x2: labelWidth, y2: height - 2, class: "axis" }));
    return svg;
  }

  function renderCharts() {
    const m = snapshot.metrics;
    $("metrics-period").textContent = `Tickets received from ${m.from} to ${m.to}: ${m.tickets} (${m.open} still open).`;

    const severities = Object.keys(m.firstReply.bySeverity).sort((a, b) => Number(a) - Number(b));
    const replyRows = [];
    for (const level of severities) {
      const s = m.firstReply.bySeverity[level];
      replyRows.push({ label: `Sev ${level} median`, value: s.medianSeconds, text: measured(s.medianSeconds), cls: "p50" });
      replyRows.push({ label: `Sev ${level} p90`, value: s.p90Seconds, text: `${measured(s.p90Seconds)} (${s.count} ticket(s))`, cls: "p90" });
    }
    const replyChart = $("chart-first-reply").querySelector(".chart");
    if (replyRows.length === 0) replyChart.replaceChildren(el("p", {}, "No first replies in the period."));
    else replyChart.replaceChildren(barChart("first-reply-svg", "First reply time per severity",
      replyRows, Math.max(...replyRows.map((r) => r.value || 0))));

    const slaRows = Object.entries(m.sla).map(([target, a]) => ({
      label: target,
      value: a.attainment,
      text: a.attainment === null ? "no clock decided yet" : `${percent(a.attainment)} (${a.met} met, ${a.breached} breached)`,
      cls: a.attainment !== null && a.attainment < 0.9 ? "low" : "",
    }));
    $("chart-sla").querySelector(".chart").replaceChildren(barChart("sla-svg", "SLA attainment per target", slaRows, 1));

    const c = m.csat;
    const csatText = c.share === null
      ? `no ratings yet (${c.good} good, ${c.bad} bad)`
      : `${percent(c.share)} good (${c.good} good, ${c.bad} bad)`;
    const ratio = c.satisfiedPerUnsatisfied === null ? "no unsatisfied rating" : `${Math.round(c.satisfiedPerUnsatisfied * 100) / 100} satisfied per unsatisfied`;
    $("chart-csat").querySelector(".chart").replaceChildren(
      barChart("csat-svg", "Customer satisfaction", [{ label: "good ratings", value: c.share, text: csatText, cls: "" }], 1),
      el("p", { class: "csat-ratio" }, `Seed definition: ${ratio}.`));
  }

  function render() {
    if (!snapshot) return;
    renderTickets();
    renderApprovals();
    renderCharts();
    $("updated").textContent = `Updated ${new Date().toLocaleTimeString()} (hub time ${snapshot.now}, ${snapshot.timeZone}); refreshes every ${POLL_MS / 1000} seconds.`;
  }

  // Countdowns move every second between polls; charts change only with a new snapshot.
  function tick() {
    if (snapshot && !$("board").hidden) {
      renderTickets();
      renderApprovals();
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("key-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const key = $("api-key").value.trim();
      $("api-key").value = "";
      if (!key) { showKeyForm("Enter the API key."); return; }
      sessionStorage.setItem(KEY, key);
      setStatus("Loading the board…");
      poll();
    });
    $("forget-key").addEventListener("click", () => {
      sessionStorage.removeItem(KEY);
      snapshot = null;
      showKeyForm();
    });
    setInterval(tick, 1000);
    poll();
  });
})();
