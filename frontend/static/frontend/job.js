/* Import job page: follow the job's progress until it ends, then reload for the full report. */
(() => {
  "use strict";
  const cfg = JSON.parse(document.getElementById("job-config").textContent);
  if (cfg.terminal) return;
  const $ = (id) => document.getElementById(id);
  let delay = 1000;

  function renderCounts(counts) {
    const list = $("job-counts");
    const items = Object.entries(counts || {}).map(([key, value]) => {
      const box = document.createElement("div");
      const dt = document.createElement("dt");
      const words = key.replace(/_/g, " ");
      dt.textContent = words.charAt(0).toUpperCase() + words.slice(1);
      const dd = document.createElement("dd");
      dd.textContent = String(value);
      box.append(dt, dd);
      return box;
    });
    list.replaceChildren(...items);
  }

  async function poll() {
    try {
      const response = await fetch(cfg.url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        const job = await response.json();
        $("job-status").textContent = job.status;
        $("job-status").className = `badge badge-${job.status}`;
        $("job-stage").textContent = job.status === "queued" ? "waiting for a worker to pick it up" : (job.stage || "");
        $("job-progress").value = job.progress || 0;
        $("job-percent").textContent = `${Math.round((job.progress || 0) * 100)}%`;
        $("job-message").textContent = job.message || "";
        renderCounts(job.counts);
        if (job.status === "succeeded" || job.status === "failed") {
          window.location.reload(); // the server renders the row-error report
          return;
        }
        delay = 1000;
      } else {
        delay = Math.min(delay * 2, 15000);
      }
    } catch (_) {
      delay = Math.min(delay * 2, 15000);
    }
    setTimeout(poll, delay);
  }
  setTimeout(poll, 500);
})();
