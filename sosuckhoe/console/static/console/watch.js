// The watch after a dose: each timer counts down to the end of its 30 minutes.
// Without this script the page still shows the time each watch ends.
(() => {
  const timers = document.querySelectorAll(".timer[data-until]");
  if (!timers.length) return;
  const pad = (n) => String(n).padStart(2, "0");

  function tick() {
    const now = Date.now();
    for (const timer of timers) {
      const left = Math.round((Date.parse(timer.dataset.until) - now) / 1000);
      if (left <= 0) {
        timer.textContent = timer.dataset.done;
        timer.classList.add("over");
      } else {
        timer.textContent = `${pad(Math.floor(left / 60))}:${pad(left % 60)}`;
      }
    }
  }

  tick();
  setInterval(tick, 1000);
})();
