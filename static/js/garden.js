// Customer Garden's own script. No inline scripts anywhere (CSP: script-src 'self').
document.addEventListener("DOMContentLoaded", () => {
  // Close the user menu when a click lands outside it.
  document.addEventListener("click", (event) => {
    document.querySelectorAll("details.dropdown[open]").forEach((menu) => {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  // Ask before destructive actions: <button data-confirm="Remove Jane?">.
  document.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });
});
