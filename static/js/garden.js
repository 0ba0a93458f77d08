// Customer Garden's own script. No inline scripts anywhere (CSP: script-src 'self').
document.addEventListener("DOMContentLoaded", () => {
  // Close the user menu when a click lands outside it.
  document.addEventListener("click", (event) => {
    document.querySelectorAll("details.dropdown[open]").forEach((menu) => {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  // Ask before destructive actions: <button data-confirm="Remove Jane?">. Then a form is sent
  // once: a second click while it is on its way does nothing, and its buttons are disabled
  // (after this event, so that the clicked button's name and value are still sent). The
  // server's one-time form token (accounts/submissions.py) catches what gets past this.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if ((form.method || "").toLowerCase() !== "post") return;
    if (form.dataset.submitting) {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "true";
    window.setTimeout(() => {
      form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]")
        .forEach((b) => {
          if (!b.disabled) { b.disabled = true; b.dataset.sending = "true"; }
        });
    }, 0);
  });
  // Back to a page kept in the browser's memory, or an htmx request done: the form may be
  // sent again (a repeat with the same token is answered "Already saved.").
  const release = (form) => {
    delete form.dataset.submitting;
    form.querySelectorAll("[data-sending]").forEach((b) => {
      b.disabled = false;
      delete b.dataset.sending;
    });
  };
  window.addEventListener("pageshow", () => {
    document.querySelectorAll("form[data-submitting]").forEach(release);
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.target.closest ? event.target.closest("form") : null;
    if (form && form.dataset.submitting) release(form);
  });
});
