// The jobs page follows its jobs: status, progress, rate and time left, every few seconds.
// Without this script the page is complete as served; reloading it shows the same.
(() => {
  const table = document.querySelector("table[data-jobs-status]");
  if (!table) return;
  const url = table.dataset.jobsStatus;
  const PERIOD_MS = 3000;
  // Each poll renews the session: stop once nobody has used the page for as long as an idle
  // session lasts, so that a console left open still signs out.
  const idleLimitMs = Number(table.dataset.idleSeconds) * 1000;
  let lastUse = Date.now();
  for (const type of ["pointerdown", "keydown", "scroll"]) {
    document.addEventListener(type, () => { lastUse = Date.now(); }, { passive: true });
  }

  const rowOf = (key) => table.querySelector(`tr[data-job="${CSS.escape(key)}"]`);

  function show(job) {
    const row = rowOf(job.key);
    const set = (field, text) => {
      const cell = row.querySelector(`[data-field="${field}"]`);
      if (cell) cell.textContent = text;
    };
    set("status_label", job.status_label);
    set("done", job.done);
    set("rate", job.rate);
    set("left", job.left);
    set("error", job.error);
    for (const [field, count] of Object.entries(job.counts || {})) set(field, count);
    // A page whose content changes when its job ends (an import's result): shown again.
    if ("reloadWhenEnded" in row.dataset && ["done", "failed", "cancelled"].includes(job.status)) {
      window.location.reload();
      return;
    }
    const bar = row.querySelector("progress");
    bar.max = job.total || 1;
    bar.value = job.done;
    if (!job.may_cancel) row.querySelector('[data-field="cancel"]')?.remove();
  }

  async function poll() {
    if (Date.now() - lastUse > idleLimitMs) return;
    if (document.visibilityState === "visible") {
      let answer;
      try {
        // Signed out, the answer is a redirect to the sign-in page: stop, and leave the page.
        const options = { headers: { Accept: "application/json" }, redirect: "manual" };
        const response = await fetch(url, options);
        if (!response.ok) return;
        answer = await response.json();
      } catch {
        setTimeout(poll, PERIOD_MS); // the network, most likely: try again
        return;
      }
      // A job the page does not show yet: the server renders it, with its cancel button.
      if (answer.jobs.some((job) => !rowOf(job.key))) {
        window.location.reload();
        return;
      }
      answer.jobs.forEach(show);
    }
    setTimeout(poll, PERIOD_MS);
  }

  setTimeout(poll, PERIOD_MS);
})();
