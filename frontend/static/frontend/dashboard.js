/* Lead dashboard: refresh the figures, the training bar, the tables and the charts while open. */
(() => {
  "use strict";
  const cfg = JSON.parse(document.getElementById("dashboard-config").textContent);
  const $ = (id) => document.getElementById(id);
  let chartsKey = cfg.chartsKey;
  let timer = null;
  let failures = 0;

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function fillTable(tbody, rows, emptyText, columns, extra) {
    if (!rows.length) {
      const tr = document.createElement("tr");
      tr.className = "empty-row";
      const td = cell(emptyText);
      td.colSpan = columns;
      td.className = "muted";
      tr.append(td);
      tbody.replaceChildren(tr);
      return;
    }
    tbody.replaceChildren(...rows.map((row) => {
      const tr = document.createElement("tr");
      const cells = Array.isArray(row) ? row : row.cells;
      tr.append(...cells.map((value) => cell(String(value))));
      if (extra) tr.append(extra(row));
      return tr;
    }));
  }

  function downloadCell(row) {
    const td = document.createElement("td");
    const a = document.createElement("a");
    a.href = `${cfg.downloadBase}${encodeURIComponent(row.number)}/download/`;
    a.textContent = "Download";
    td.append(a);
    return td;
  }

  function render(data) {
    for (const card of data.kpis) {
      const box = document.querySelector(`[data-kpi="${CSS.escape(card.key)}"]`);
      if (!box) continue;
      box.querySelector('[data-part="value"]').textContent = card.value;
      box.querySelector('[data-part="sub"]').textContent = card.sub;
      const bar = box.querySelector('[data-part="bar"]');
      if (bar) {
        bar.hidden = card.bar === null;
        bar.value = card.bar || 0;
      }
    }
    for (const [key, value] of Object.entries(data.documents)) {
      const dd = document.querySelector(`[data-doc="${CSS.escape(key)}"]`);
      if (dd) dd.textContent = String(value);
    }
    const training = data.training;
    $("training-active").hidden = !training;
    $("training-idle").hidden = Boolean(training);
    $("train-btn").disabled = Boolean(training);
    if (training) {
      $("training-stage").textContent = training.stage || training.status;
      $("training-percent").textContent = `${Math.round(training.progress * 100)}%`;
      $("training-progress").value = training.progress;
    } else if (data.last_training) {
      const message = data.last_training.message ? `: ${data.last_training.message}` : "";
      $("training-last").textContent = `Last run ${data.last_training.status}${message}`;
    }
    const since = data.labels_since_last_model;
    $("training-since").textContent = `${since} new label${since === 1 ? "" : "s"}`;
    fillTable($("models-table").tBodies[0], data.model_rows, "No model yet.", 9, downloadCell);
    fillTable($("annotators-table").tBodies[0], data.annotator_rows, "Nobody has labeled yet.", 5);
    if (data.charts_key !== chartsKey) {
      chartsKey = data.charts_key;
      for (const img of document.querySelectorAll("img[data-chart]")) {
        const url = new URL(img.src, window.location.href);
        url.searchParams.set("k", chartsKey);
        img.src = url.toString();
      }
    }
    return Boolean(training);
  }

  async function refresh() {
    clearTimeout(timer);
    let training = false;
    try {
      const response = await fetch(cfg.live, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      training = render(await response.json());
      failures = 0;
    } catch (_) {
      failures += 1;
    }
    // Faster while a model trains; slower (and backing off) otherwise.
    const delay = training ? 2000 : Math.min(10000 * 2 ** failures, 120000);
    if (!document.hidden) timer = setTimeout(refresh, delay);
    return training;
  }

  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
  window.looplabelDashboard = { refresh, get chartsKey() { return chartsKey; } };
  timer = setTimeout(refresh, 5000);
})();
