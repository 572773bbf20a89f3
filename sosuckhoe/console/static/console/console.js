// A form's buttons go quiet once it is sent, so a double click sends it once.
// The server refuses a second sending anyway (submission keys); this spares the wait.
document.addEventListener("submit", (event) => {
  const buttons = event.target.querySelectorAll("button[type=submit]");
  // After this event: a button disabled now would drop its name=value from the form.
  setTimeout(() => buttons.forEach((button) => { button.disabled = true; }), 0);
});
