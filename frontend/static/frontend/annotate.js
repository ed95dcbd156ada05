/* Looplabel annotator page.
 *
 * - Texts are prefetched: besides the one on screen, PREFETCH more are leased and kept
 *   here, so a key press shows the next text without waiting for the server.
 * - Labels and skips go into a queue that is sent in order, retried with backoff, and
 *   kept in localStorage until the server has them: nothing is lost silently. A label
 *   the server refuses (e.g. the lease expired) is reported plainly.
 * - User text is only ever put into the page with textContent / createElement.
 * - window.looplabelTimings records key press -> next text painted, in ms.
 */
(() => {
  "use strict";

  const cfg = JSON.parse(document.getElementById("annotate-config").textContent);
  const PREFETCH = 2; // texts kept ready beyond the one on screen
  const MAX_BACKOFF_MS = 30000;
  const EMPTY_RECHECK_MS = 30000;
  const PROGRESS_REFRESH_MS = 60000;
  const STORAGE_KEY = `looplabel:pending:${cfg.userId}:${cfg.projectId}`;

  const $ = (id) => document.getElementById(id);
  const el = {
    card: $("doc-card"), ref: $("doc-ref"), lease: $("lease-info"), text: $("doc-text"),
    empty: $("empty-state"), emptyTitle: $("empty-title"), emptyDetail: $("empty-detail"), checkAgain: $("check-again"),
    suggestion: $("suggestion"), suggestionLabel: $("suggestion-label"), suggestionBar: $("suggestion-bar"),
    suggestionScore: $("suggestion-score"), suggestionHint: $("suggestion-hint"),
    buttons: $("label-buttons"), skip: $("skip-btn"), undo: $("undo-btn"), report: $("report-btn"),
    status: $("save-status"), retryNow: $("retry-now"), notices: $("notices"),
    reportForm: $("report-form"), reportNote: $("report-note"), reportCancel: $("report-cancel"),
    labeledToday: $("labeled-today"), budgetLeft: $("budget-left"), poolLeft: $("pool-left"), prefetchInfo: $("prefetch-info"),
  };

  const state = {
    current: null, // {payload, shownAt}
    buffer: [], // payloads leased and ready
    history: [], // labels made here, newest last: {localId, payload, label, annotationId, op}
    queue: [], // operations waiting for the server, sent in order
    fetching: false,
    blocked: null, // null | {kind: "empty"|"budget"|"limit"|"auth"|"error", detail}
    recheckTimer: null,
    pumpTimer: null,
    pumping: false,
    server: { ...cfg.progress }, // last figures from the server
    nextLocalId: 1,
    leaseNoticeFor: null, // the text whose expired hold was reported
    changes: 0, // saves confirmed by the server, so a slow progress refresh cannot undo them
  };

  // --- timing: key press -> next text painted ----------------------------------------------
  window.looplabelTimings = [];
  let timingSeq = 0;
  let pendingTiming = null;

  function startTiming(key) {
    const seq = ++timingSeq;
    performance.mark(`looplabel:key:${seq}`);
    pendingTiming = { seq, key, start: performance.now() };
  }

  function finishTiming(prefetched, documentId) {
    const timing = pendingTiming;
    if (!timing) return;
    pendingTiming = null;
    // rAF runs just before the frame is painted; a message posted from it is handled right after.
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const end = performance.now();
        performance.mark(`looplabel:painted:${timing.seq}`);
        performance.measure(`looplabel:key-to-paint:${timing.seq}`, `looplabel:key:${timing.seq}`, `looplabel:painted:${timing.seq}`);
        window.looplabelTimings.push({
          seq: timing.seq, key: timing.key, ms: Math.round((end - timing.start) * 100) / 100,
          prefetched, document: documentId,
        });
        channel.port1.close();
      };
      channel.port2.postMessage(null);
    });
  }

  // --- small helpers ---------------------------------------------------------------------------
  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : cfg.csrfToken;
  }

  async function api(method, url, body) {
    const options = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = csrfToken();
      options.body = JSON.stringify(body);
    }
    const response = await fetch(url, options);
    let data = null;
    const type = response.headers.get("Content-Type") || "";
    if (response.status !== 204 && type.includes("application/json")) {
      try { data = await response.json(); } catch (_) { data = null; }
    }
    return { status: response.status, ok: response.ok, data, json: type.includes("application/json") };
  }

  function detailOf(result, fallback) {
    const data = result && result.data;
    if (data && typeof data.detail === "string") return data.detail;
    if (data && typeof data === "object") {
      const parts = Object.entries(data).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(" ") : v}`);
      if (parts.length) return parts.join("; ");
    }
    return fallback;
  }

  const docId = (payload) => payload.document.id;
  const leaseExpiry = (payload) => Date.parse(payload.lease_expires_at);
  const leaseExpired = (payload) => Number.isFinite(leaseExpiry(payload)) && leaseExpiry(payload) <= Date.now();
  const timeOf = (ms) => new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

  function notice(kind, message, { sticky = true, key = null } = {}) {
    if (key) {
      const old = el.notices.querySelector(`[data-key="${CSS.escape(key)}"]`);
      if (old) old.remove();
    }
    const box = document.createElement("div");
    box.className = `notice notice-${kind}`;
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    if (key) box.dataset.key = key;
    const text = document.createElement("span");
    text.textContent = message;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "notice-close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", () => box.remove());
    box.append(text, close);
    el.notices.append(box);
    while (el.notices.children.length > 5) el.notices.firstElementChild.remove();
    if (!sticky) setTimeout(() => box.remove(), 6000);
    return box;
  }

  function clearNotice(key) {
    const old = el.notices.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (old) old.remove();
  }

  // --- persistence of the queue -------------------------------------------------------------
  function persist() {
    try {
      const ops = state.queue.map((op) => ({
        kind: op.kind, localId: op.localId, document: op.document, label: op.label, seconds: op.seconds,
        annotationId: op.annotationId ?? null, target: op.target ?? null,
      }));
      if (ops.length) localStorage.setItem(STORAGE_KEY, JSON.stringify(ops));
      else localStorage.removeItem(STORAGE_KEY);
    } catch (_) { /* private mode or full: the queue still lives in memory */ }
  }

  function restore() {
    let ops = [];
    try { ops = JSON.parse(localStorage.getItem(STORAGE_KEY) || "[]"); } catch (_) { ops = []; }
    if (!Array.isArray(ops)) return;
    for (const op of ops) {
      if (!op || !["label", "skip", "undo"].includes(op.kind)) continue;
      state.nextLocalId = Math.max(state.nextLocalId, (op.localId || 0) + 1);
      state.queue.push({ ...op, attempts: 0, notBefore: 0, sending: false });
    }
    if (state.queue.length) {
      notice("info", `Sending ${state.queue.length} change${state.queue.length === 1 ? "" : "s"} left over from your last visit.`,
        { sticky: false });
    }
  }

  // --- rendering --------------------------------------------------------------------------
  function renderText(text, spans) {
    const valid = (Array.isArray(spans) ? spans : [])
      .filter((s) => s && Number.isInteger(s.start) && Number.isInteger(s.end) && s.end > s.start)
      .sort((a, b) => a.start - b.start);
    if (!valid.length) {
      el.text.textContent = text;
      return;
    }
    // Span offsets count code points (Python), not UTF-16 units, so slice by code point.
    const chars = Array.from(text);
    const fragment = document.createDocumentFragment();
    let position = 0;
    for (const span of valid) {
      if (span.start < position || span.end > chars.length) continue;
      if (span.start > position) fragment.append(chars.slice(position, span.start).join(""));
      const mark = document.createElement("mark");
      const type = String(span.type || "personal data");
      mark.className = "pii";
      mark.dataset.type = type;
      mark.title = `Personal data hidden: ${type}`;
      mark.tabIndex = 0;
      mark.textContent = chars.slice(span.start, span.end).join("");
      fragment.append(mark);
      position = span.end;
    }
    if (position < chars.length) fragment.append(chars.slice(position).join(""));
    el.text.replaceChildren(fragment);
  }

  const labelButtons = new Map(); // name -> button
  const hotkeys = new Map(); // lower-case key -> label name

  function buildButtons() {
    for (const label of cfg.labels) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "label-btn";
      button.style.setProperty("--label-color", label.color);
      const name = document.createElement("span");
      name.className = "label-name";
      name.textContent = label.name;
      button.append(name);
      if (label.hotkey) {
        const key = document.createElement("kbd");
        key.textContent = label.hotkey;
        button.append(key);
        hotkeys.set(label.hotkey.toLowerCase(), label.name);
        button.title = `Label “${label.name}” (${label.hotkey})`;
      }
      button.addEventListener("click", () => {
        button.blur(); // so Enter/Space cannot label the next text by accident
        startTiming(`click:${label.name}`);
        labelCurrent(label.name);
      });
      labelButtons.set(label.name, button);
      el.buttons.append(button);
    }
  }

  function preselected() {
    const current = state.current;
    if (!cfg.preselect || !current || !current.payload.suggestion) return null;
    const name = current.payload.suggestion.label;
    return labelButtons.has(name) ? name : null;
  }

  function renderSuggestion(payload) {
    const suggestion = payload && payload.suggestion;
    for (const button of labelButtons.values()) {
      button.classList.remove("preselected", "suggested");
      button.removeAttribute("aria-pressed");
    }
    if (!suggestion) {
      el.suggestion.hidden = true;
      return;
    }
    const score = typeof suggestion.score === "number" ? Math.max(0, Math.min(1, suggestion.score)) : null;
    el.suggestionLabel.textContent = suggestion.label;
    el.suggestionScore.textContent = score === null ? "" : `${Math.round(score * 100)}%`;
    el.suggestionBar.style.width = score === null ? "0" : `${score * 100}%`;
    const button = labelButtons.get(suggestion.label);
    if (button) button.classList.add("suggested");
    if (preselected()) {
      button.classList.add("preselected");
      button.setAttribute("aria-pressed", "true");
      el.suggestionHint.textContent = "pre-selected: press Enter to accept";
    } else {
      el.suggestionHint.textContent = "";
    }
    el.suggestion.hidden = false;
  }

  function renderLease() {
    const current = state.current;
    if (!current) {
      el.lease.textContent = "";
      state.leaseNoticeFor = null;
      clearNotice("lease");
      return;
    }
    const expiry = leaseExpiry(current.payload);
    if (!Number.isFinite(expiry)) return;
    if (expiry <= Date.now()) {
      el.lease.textContent = `hold expired at ${timeOf(expiry)}`;
      el.lease.classList.add("warn");
      if (state.leaseNoticeFor !== docId(current.payload)) {
        state.leaseNoticeFor = docId(current.payload);
        notice("warn", `Your hold on text #${docId(current.payload)} expired at ${timeOf(expiry)}. ` +
          "You can still label it: it is saved if nobody else has taken it meanwhile, otherwise you will be told.",
          { key: "lease" });
      }
    } else {
      el.lease.textContent = `held for you until ${timeOf(expiry)}`;
      el.lease.classList.remove("warn");
      if (state.leaseNoticeFor != null) {
        state.leaseNoticeFor = null;
        clearNotice("lease");
      }
    }
  }

  function show(payload, { prefetched = true } = {}) {
    state.current = payload ? { payload, shownAt: performance.now() } : null;
    el.card.setAttribute("aria-busy", "false");
    if (payload) {
      el.empty.hidden = true;
      el.text.hidden = false;
      // The record's id comes as its pseudonym (64 hex digits); its head is enough to refer to it.
      const external = payload.document.external_id ? ` · ${payload.document.external_id.slice(0, 12)}` : "";
      el.ref.textContent = `Text #${docId(payload)}${external}`;
      renderText(String(payload.document.text ?? ""), payload.document.mask_spans);
      el.text.scrollTop = 0;
      finishTiming(prefetched, docId(payload));
    } else {
      el.ref.textContent = "";
      renderEmpty();
    }
    renderSuggestion(payload);
    renderLease();
    renderControls();
  }

  function renderEmpty() {
    const blocked = state.blocked;
    el.text.hidden = true;
    el.empty.hidden = false;
    el.checkAgain.hidden = false;
    if (!blocked) {
      el.emptyTitle.textContent = state.fetching ? "Loading the next text…" : "Waiting for the next text…";
      el.emptyDetail.textContent = "";
      el.checkAgain.hidden = state.fetching;
    } else if (blocked.kind === "empty") {
      el.emptyTitle.textContent = "Nothing left to label right now.";
      el.emptyDetail.textContent = "New texts appear when the lead imports more or when a colleague’s hold on a text runs out.";
    } else if (blocked.kind === "budget") {
      el.emptyTitle.textContent = "The label budget is used up.";
      el.emptyDetail.textContent = blocked.detail || "";
    } else if (blocked.kind === "limit") {
      el.emptyTitle.textContent = "Saving your last labels before loading more…";
      el.emptyDetail.textContent = "";
    } else if (blocked.kind === "auth") {
      el.emptyTitle.textContent = "You are logged out.";
      el.emptyDetail.textContent = "Log in again in another tab, then press “Check again”. Labels waiting to be saved are kept in this browser.";
    } else {
      el.emptyTitle.textContent = "Could not load the next text.";
      el.emptyDetail.textContent = blocked.detail || "";
    }
  }

  function renderControls() {
    const has = Boolean(state.current);
    for (const button of labelButtons.values()) button.disabled = !has;
    el.skip.disabled = !has;
    el.report.disabled = !has;
    el.undo.disabled = !lastUndoable();
    el.prefetchInfo.textContent = `${state.buffer.length} more text${state.buffer.length === 1 ? "" : "s"} ready`;
  }

  function renderStatus() {
    const waiting = state.queue.length;
    const failing = state.queue.find((op) => op.attempts > 0);
    el.retryNow.hidden = !failing;
    if (!waiting) {
      el.status.dataset.state = "idle";
      el.status.textContent = "All labels saved";
    } else if (failing) {
      const wait = Math.max(0, Math.ceil((failing.notBefore - Date.now()) / 1000));
      el.status.dataset.state = "retrying";
      el.status.textContent = `Not saved yet (${failing.lastError || "no connection"}): ${waiting} waiting, ` +
        (wait ? `retrying in ${wait} s` : "retrying now");
    } else {
      el.status.dataset.state = "saving";
      el.status.textContent = `Saving… (${waiting})`;
    }
    renderProgress();
  }

  function renderProgress() {
    const pendingLabels = state.queue.filter((op) => op.kind === "label" && op.annotationId == null).length;
    const pendingUndos = state.queue.filter((op) => op.kind === "undo").length;
    el.labeledToday.textContent = String(Math.max(0, state.server.labeled_today + pendingLabels - pendingUndos));
    el.budgetLeft.textContent = state.server.remaining == null ? "no limit"
      : String(Math.max(0, state.server.remaining - pendingLabels + pendingUndos));
    el.poolLeft.textContent = String(state.server.pool);
  }

  // --- the documents we hold ----------------------------------------------------------------
  function queuedFor(documentId) {
    return state.queue.some((op) => (op.kind === "label" || op.kind === "skip") && op.document === documentId);
  }

  function known(documentId) {
    return (state.current && docId(state.current.payload) === documentId)
      || state.buffer.some((p) => docId(p) === documentId)
      || queuedFor(documentId);
  }

  function advance() {
    let dropped = 0;
    while (state.buffer.length && leaseExpired(state.buffer[0])) {
      state.buffer.shift();
      dropped += 1;
    }
    if (dropped) notice("info", `${dropped} prefetched text${dropped === 1 ? "" : "s"} expired while waiting and went back to the pool.`, { sticky: false });
    const next = state.buffer.shift() || null;
    show(next, { prefetched: true });
    topUp();
  }

  async function topUp() {
    if (state.fetching) return;
    if (state.blocked && state.blocked.kind !== "error") return;
    state.fetching = true;
    if (!state.current) renderEmpty();
    try {
      while (state.buffer.length < PREFETCH + (state.current ? 0 : 1)) {
        let result;
        try {
          result = await api("GET", cfg.urls.next);
        } catch (_) {
          block("error", "No connection to the server. Trying again…", 5000);
          break;
        }
        if (result.status === 200 && result.data && result.data.document) {
          state.blocked = null;
          const payload = result.data;
          if (known(docId(payload))) {
            // We hold the most leases allowed, so the server renewed one we have; stop for now.
            refreshLease(payload);
            block("limit", "", 5000);
            break;
          }
          if (!state.current) show(payload, { prefetched: false });
          else state.buffer.push(payload);
        } else if (result.status === 204) {
          block("empty", "", EMPTY_RECHECK_MS);
          break;
        } else if (result.status === 409) {
          block("budget", detailOf(result, "The label budget is used up."), EMPTY_RECHECK_MS);
          break;
        } else if (result.status === 401 || result.status === 403) {
          block("auth", detailOf(result, "Log in again."), EMPTY_RECHECK_MS);
          break;
        } else {
          block("error", detailOf(result, `The server answered ${result.status}.`), 5000);
          break;
        }
      }
    } finally {
      state.fetching = false;
      if (!state.current && state.buffer.length) show(state.buffer.shift(), { prefetched: false });
      else if (!state.current) renderEmpty();
      renderControls();
    }
  }

  function block(kind, detail, recheckMs) {
    // Budget/empty/limit only matter when nothing is left to show; the current text stays.
    state.blocked = { kind, detail };
    clearTimeout(state.recheckTimer);
    state.recheckTimer = setTimeout(() => { state.blocked = null; topUp(); }, recheckMs);
  }

  function unblock() {
    if (state.blocked && state.blocked.kind !== "budget") {
      clearTimeout(state.recheckTimer);
      state.blocked = null;
    }
  }

  function refreshLease(payload) {
    const id = docId(payload);
    if (state.current && docId(state.current.payload) === id) {
      state.current.payload.lease_expires_at = payload.lease_expires_at;
      renderLease();
    }
    for (const held of state.buffer) if (docId(held) === id) held.lease_expires_at = payload.lease_expires_at;
  }

  // --- actions -------------------------------------------------------------------------------
  function labelCurrent(name) {
    const current = state.current;
    if (!current) { pendingTiming = null; return; }
    const seconds = Math.round((performance.now() - current.shownAt) / 100) / 10;
    const op = { kind: "label", localId: state.nextLocalId++, document: docId(current.payload), label: name, seconds,
      payload: current.payload, attempts: 0, notBefore: 0, sending: false, annotationId: null };
    state.queue.push(op);
    state.history.push({ localId: op.localId, payload: current.payload, label: name, op, undone: false, failed: false });
    if (state.history.length > 50) state.history.shift();
    persist();
    advance();
    renderStatus();
    pump();
  }

  function skipCurrent() {
    const current = state.current;
    if (!current) { pendingTiming = null; return; }
    state.queue.push({ kind: "skip", localId: state.nextLocalId++, document: docId(current.payload), attempts: 0,
      notBefore: 0, sending: false });
    persist();
    advance();
    renderStatus();
    pump();
  }

  function lastUndoable() {
    for (let i = state.history.length - 1; i >= 0; i -= 1) {
      const entry = state.history[i];
      if (!entry.undone && !entry.failed) return entry;
    }
    return null;
  }

  function undoLast() {
    const entry = lastUndoable();
    if (!entry) {
      pendingTiming = null;
      notice("info", "Nothing to undo.", { sticky: false, key: "undo" });
      return;
    }
    entry.undone = true;
    const index = state.queue.indexOf(entry.op);
    if (index >= 0 && !entry.op.sending) {
      // Not sent yet: drop it; the lease is still ours.
      state.queue.splice(index, 1);
    } else if (entry.op.annotationId != null || entry.op.sending) {
      state.queue.push({ kind: "undo", localId: state.nextLocalId++, target: entry.localId,
        annotationId: entry.op.annotationId, document: entry.op.document, payload: entry.payload,
        attempts: 0, notBefore: 0, sending: false });
    }
    // The text comes back at once; the one on screen waits at the front of the line.
    if (state.current) state.buffer.unshift(state.current.payload);
    show(entry.payload, { prefetched: true });
    persist();
    renderStatus();
    pump();
  }

  // --- sending the queue ------------------------------------------------------------------------
  function backoff(op, reason) {
    op.attempts += 1;
    op.lastError = reason;
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (op.attempts - 1)) * (0.8 + Math.random() * 0.4);
    op.notBefore = Date.now() + delay;
  }

  function schedulePump(at) {
    clearTimeout(state.pumpTimer);
    state.pumpTimer = setTimeout(pump, Math.max(0, at - Date.now()));
  }

  async function send(op) {
    if (op.kind === "label") {
      return api("POST", cfg.urls.annotations, { document: op.document, label: op.label, seconds_spent: op.seconds });
    }
    if (op.kind === "skip") return api("POST", cfg.urls.skip, { document: op.document });
    return api("POST", cfg.urls.undo, { annotation: op.annotationId });
  }

  async function pump() {
    if (state.pumping) return;
    state.pumping = true;
    try {
      while (state.queue.length) {
        const op = state.queue[0];
        if (op.kind === "undo" && op.annotationId == null) {
          // Its label was refused or never reached the server: nothing to undo there.
          state.queue.shift();
          continue;
        }
        if (op.notBefore > Date.now()) {
          schedulePump(op.notBefore);
          break;
        }
        op.sending = true;
        renderStatus();
        let result = null;
        try {
          result = await send(op);
        } catch (_) {
          result = null;
        }
        op.sending = false;
        if (result === null) {
          backoff(op, "no connection");
        } else if (result.ok) {
          state.queue.shift();
          succeeded(op, result.data);
        } else if (result.status === 409 || result.status === 404 || result.status === 400) {
          state.queue.shift();
          refused(op, result);
        } else if (result.status === 401 || result.status === 403) {
          backoff(op, "logged out? log in again in another tab");
        } else {
          backoff(op, `server error ${result.status}`);
        }
        persist();
        renderStatus();
      }
    } finally {
      state.pumping = false;
      renderStatus();
      if (!state.queue.length) {
        scheduleProgress(500);
        if (state.blocked && state.blocked.kind === "limit") unblock();
        topUp();
      }
    }
  }

  function succeeded(op, data) {
    state.changes += 1;
    if (op.kind === "label") {
      op.annotationId = data && data.id;
      state.server.labeled_today += 1;
      if (state.server.remaining != null) state.server.remaining = Math.max(0, state.server.remaining - 1);
      for (const later of state.queue) {
        if (later.kind === "undo" && later.target === op.localId) later.annotationId = op.annotationId;
      }
    } else if (op.kind === "undo") {
      state.server.labeled_today = Math.max(0, state.server.labeled_today - 1);
      if (state.server.remaining != null) state.server.remaining += 1;
      if (data && data.document) {
        refreshLease(data);
        if (!known(docId(data))) {
          // After a reload the text that came back is not on screen yet.
          if (state.current) state.buffer.unshift(data);
          else show(data, { prefetched: true });
        }
      }
    }
    unblock();
    renderControls();
  }

  function refused(op, result) {
    const detail = detailOf(result, `the server answered ${result.status}`);
    if (op.kind === "label") {
      const entry = state.history.find((e) => e.op === op);
      if (entry) entry.failed = true;
      for (const later of state.queue) if (later.kind === "undo" && later.target === op.localId) later.dropped = true;
      state.queue = state.queue.filter((later) => !later.dropped);
      notice("error", `Your label “${op.label}” for text #${op.document} was not saved: ${detail}`);
    } else if (op.kind === "skip") {
      notice("error", `Skipping text #${op.document} was not saved: ${detail}`);
    } else {
      notice("error", `Could not undo your label on text #${op.document}: ${detail}`);
    }
    renderControls();
  }

  // --- progress from the server ------------------------------------------------------------------
  let progressTimer = null;
  function scheduleProgress(ms) {
    clearTimeout(progressTimer);
    progressTimer = setTimeout(refreshProgress, ms);
  }

  async function refreshProgress() {
    const changesBefore = state.changes;
    try {
      const result = await api("GET", cfg.urls.progress);
      // Only when nothing was saved meanwhile: the figures could miss that change.
      if (result.ok && result.data && !state.queue.length && state.changes === changesBefore) {
        state.server = { ...state.server, ...result.data };
        renderProgress();
      }
    } catch (_) { /* the next refresh tries again */ }
    scheduleProgress(PROGRESS_REFRESH_MS);
  }

  // --- report personal data ---------------------------------------------------------------------
  function openReport() {
    if (!state.current) return;
    el.reportForm.hidden = false;
    el.reportNote.value = "";
    el.reportNote.focus();
  }

  function closeReport() {
    el.reportForm.hidden = true;
    el.reportNote.blur();
  }

  async function sendReport(event) {
    event.preventDefault();
    const current = state.current;
    if (!current) return;
    const id = docId(current.payload);
    let result;
    try {
      result = await api("POST", cfg.urls.reportPii, { document: id, note: el.reportNote.value.trim() });
    } catch (_) {
      notice("error", "Could not send the report: no connection. Try again.", { key: "report" });
      return;
    }
    if (result.ok) {
      closeReport();
      notice("success", `Thanks: text #${id} was reported and taken out of your queue.`, { sticky: false, key: "report" });
      if (state.current && docId(state.current.payload) === id) advance();
    } else if (result.status === 404 && !(result.data && /document/i.test(result.data.detail || ""))) {
      notice("warn", "Reporting personal data is not available on this server yet. Please tell your project lead " +
        `about text #${id}.`, { key: "report" });
      closeReport();
    } else {
      notice("error", `Could not report text #${id}: ${detailOf(result, `the server answered ${result.status}`)}`,
        { key: "report" });
    }
  }

  // --- keyboard ----------------------------------------------------------------------------------
  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const target = event.target;
    if (target instanceof Element && target.closest("input, textarea, select, [contenteditable=''], [contenteditable='true']")) {
      if (event.key === "Escape" && !el.reportForm.hidden) closeReport();
      return;
    }
    const key = event.key;
    const lower = key.length === 1 ? key.toLowerCase() : key;
    const label = hotkeys.get(lower);
    if (event.repeat && (label || lower === "s" || lower === "u" || key === "Backspace" || key === "Enter")) {
      event.preventDefault(); // holding a key must not label a run of texts
      return;
    }
    if ((label || lower === "s") && !state.current) {
      // No text on screen (the next one is still loading): there is nothing to label yet.
      // The timing started by the key that emptied the screen keeps running until it shows.
      event.preventDefault();
      return;
    }
    if (label) {
      event.preventDefault();
      startTiming(key);
      labelCurrent(label);
    } else if (lower === "s") {
      event.preventDefault();
      startTiming(key);
      skipCurrent();
    } else if (lower === "u" || key === "Backspace") {
      event.preventDefault();
      startTiming(key);
      undoLast();
    } else if (key === "Enter" && !(target instanceof HTMLButtonElement) && !(target instanceof HTMLAnchorElement)) {
      const name = preselected();
      if (name) {
        event.preventDefault();
        startTiming(key);
        labelCurrent(name);
      }
    }
  }

  // --- start --------------------------------------------------------------------------------
  async function start() {
    buildButtons();
    restore();
    renderStatus();
    document.addEventListener("keydown", onKey);
    el.skip.addEventListener("click", () => { el.skip.blur(); startTiming("click:skip"); skipCurrent(); });
    el.undo.addEventListener("click", () => { el.undo.blur(); startTiming("click:undo"); undoLast(); });
    el.report.addEventListener("click", openReport);
    el.reportCancel.addEventListener("click", closeReport);
    el.reportForm.addEventListener("submit", sendReport);
    el.retryNow.addEventListener("click", () => {
      for (const op of state.queue) op.notBefore = 0;
      pump();
    });
    el.checkAgain.addEventListener("click", () => {
      clearTimeout(state.recheckTimer);
      state.blocked = null;
      topUp();
    });
    window.addEventListener("beforeunload", (event) => {
      if (state.queue.length) {
        persist();
        event.preventDefault();
        event.returnValue = "";
      }
    });
    window.addEventListener("online", () => {
      for (const op of state.queue) op.notBefore = 0;
      pump();
    });
    setInterval(() => { renderLease(); if (state.queue.some((op) => op.attempts)) renderStatus(); }, 1000);

    // Resume the texts we already hold (a reload must not drain the pool), then fill up.
    try {
      const result = await api("GET", cfg.urls.leases);
      if (result.ok && Array.isArray(result.data)) {
        for (const payload of result.data) {
          if (!payload || !payload.document || known(docId(payload))) continue;
          if (!state.current) show(payload, { prefetched: false });
          else state.buffer.push(payload);
        }
      }
    } catch (_) { /* topUp reports a missing connection */ }
    if (!state.current) renderEmpty();
    renderControls();
    pump();
    topUp();
    scheduleProgress(PROGRESS_REFRESH_MS);
  }

  window.looplabelAnnotator = { state }; // for debugging and tests
  start();
})();
