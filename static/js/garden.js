// Customer Garden's own script. No inline scripts anywhere (CSP: script-src 'self').
// A form's one-time token, remembered when the form is sent: Back to the form (a page the
// browser fetches again, as no page is kept) gives it the token it was sent with, so that
// submitting it again is answered "Already saved." rather than saving twice.
const tokenKey = (form) => `form_token ${window.location.pathname} ${form.action}`;
const rememberToken = (form) => {
  const field = form.querySelector("input[name=form_token]");
  if (!field) return;
  try { window.sessionStorage.setItem(tokenKey(form), field.value); } catch (e) { /* full */ }
};
const restoreTokens = () => {
  const [navigation] = window.performance.getEntriesByType("navigation");
  if (!navigation || navigation.type !== "back_forward") return;
  try {
    document.querySelectorAll("form input[name=form_token]").forEach((field) => {
      const sent = window.sessionStorage.getItem(tokenKey(field.form));
      if (sent) field.value = sent;
    });
  } catch (e) { /* no storage: the server still stops a repeat of the same page */ }
};

document.addEventListener("DOMContentLoaded", () => {
  restoreTokens();
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
    rememberToken(form);
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

// Charts (Chart.js, loaded by the pages that draw one; drawn on DOMContentLoaded by their own
// script, which runs after this listener as garden.js comes first): the one place their text is
// set: 14 px in the page's font and colour. Each chart also has its numbers in a table.
const CHART_FONT_SIZE = 14;
document.addEventListener("DOMContentLoaded", () => {
  if (!window.Chart) return;
  const page = window.getComputedStyle(document.body);
  window.Chart.defaults.font.size = CHART_FONT_SIZE;
  window.Chart.defaults.font.family = page.fontFamily;
  window.Chart.defaults.color = page.color;
});
