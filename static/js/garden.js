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

// A chart's day on its axis: "31 Aug", as the formats write days (accounts/formats.py) without
// the year the axis title or the table beside the chart gives; anything else as it came.
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
window.gardenDayLabel = (iso) => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso));
  return match ? `${Number(match[3])} ${MONTHS[Number(match[2]) - 1]}` : iso;
};

// A level's colour for charts: the design system's --garden-level-<key> (static/css/garden.css),
// the colour of the level's badge, so that a chart and the badges beside it agree.
window.gardenLevelColour = (key, fallback = "#6b7280") => {
  const value = window.getComputedStyle(document.documentElement).getPropertyValue(`--garden-level-${key}`);
  return value.trim() || fallback;
};

// --- Length limits, counted as you type --------------------------------------------------------
// A field with a limit (maxlength, from a form's max_length, or data-maxlength) gets a counter
// under it: "120 / 5,000". A text area's limit is moved to data-maxlength, so that a long paste
// is not cut silently by the browser: the counter turns red and the server answers with an
// error naming the limit. Screen readers hear the count once typing pauses (aria-live polite).
const formatCount = (n) => n.toLocaleString("en-GB");
const countedFields = "textarea[maxlength], textarea[data-maxlength], input[maxlength]:is([type=text], :not([type]))";

const counterUpdate = (field, visible, status) => {
  const max = Number(field.dataset.maxlength);
  const used = field.value.length;
  const over = used - max;
  visible.textContent = over > 0
    ? `${formatCount(used)} / ${formatCount(max)} characters: ${formatCount(over)} too many`
    : `${formatCount(used)} / ${formatCount(max)} characters`;
  visible.classList.toggle("char-count-over", over > 0);
  visible.classList.toggle("char-count-near", over <= 0 && used >= max * 0.9);
  // A one-line field shows its count once it is near its limit (its limit is in its help).
  if (field.tagName !== "TEXTAREA") visible.hidden = used < max * 0.8;
  window.clearTimeout(field.counterTimer);
  field.counterTimer = window.setTimeout(() => {
    status.textContent = over > 0
      ? `${formatCount(over)} characters too many`
      : `${formatCount(max - used)} characters left`;
  }, 1000);
};

const counterAttach = (field) => {
  if (field.dataset.counted || field.type === "hidden" || field.closest("[role=search]")) return;
  const max = field.maxLength > 0 ? field.maxLength : Number(field.dataset.maxlength);
  if (!max) return;
  field.dataset.counted = "true";
  field.dataset.maxlength = String(max);
  if (field.tagName === "TEXTAREA") field.removeAttribute("maxlength");
  const visible = document.createElement("small");
  visible.className = "char-count";
  visible.id = `${field.id || field.name}-count`;
  visible.setAttribute("aria-hidden", "true");
  const status = document.createElement("span");
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  const hint = document.createElement("span");
  hint.className = "visually-hidden";
  hint.id = `${visible.id}-limit`;
  hint.textContent = `Up to ${formatCount(max)} characters.`;
  // The count sits under the field, after its label (a label's text would become the field's
  // name); the words for screen readers at the end of the form.
  const label = field.closest("label");
  (label || field).after(visible);
  (field.form || document.body).append(hint, status);
  field.setAttribute("aria-describedby", `${field.getAttribute("aria-describedby") || ""} ${hint.id}`.trim());
  field.addEventListener("input", () => counterUpdate(field, visible, status));
  counterUpdate(field, visible, status);
  window.clearTimeout(field.counterTimer); // nothing to announce before the first keystroke
};

// --- Tables that scroll sideways say so ------------------------------------------------------
// A .table-wrap wider than the screen is marked .is-scrollable (its hidden edge fades, see
// garden.css) with a hint above it; .at-start / .at-end follow the scrolling.
const tableScrollMark = (wrap) => {
  const scrollable = wrap.scrollWidth - wrap.clientWidth > 1;
  wrap.classList.toggle("is-scrollable", scrollable);
  wrap.classList.toggle("at-start", wrap.scrollLeft <= 1);
  wrap.classList.toggle("at-end", wrap.scrollLeft + wrap.clientWidth >= wrap.scrollWidth - 1);
  const hint = wrap.previousElementSibling;
  if (hint && hint.classList.contains("scroll-hint")) hint.hidden = !scrollable;
};

const tableScrollAttach = (wrap) => {
  if (wrap.dataset.scrollWatched) return;
  wrap.dataset.scrollWatched = "true";
  const hint = document.createElement("p");
  hint.className = "scroll-hint";
  hint.setAttribute("aria-hidden", "true");
  hint.textContent = "Scroll sideways for more columns →";
  hint.hidden = true;
  wrap.before(hint);
  wrap.addEventListener("scroll", () => tableScrollMark(wrap), { passive: true });
  if (window.ResizeObserver) new ResizeObserver(() => tableScrollMark(wrap)).observe(wrap);
  tableScrollMark(wrap);
};

// --- Lists that become cards on phones (table.cards-on-phone, garden.css) ---------------------
// Each cell is named by its column's header, which the card shows before it.
const cardLabels = (table) => {
  const headers = Array.from(table.querySelectorAll("thead th")).map((th) => th.textContent.trim());
  table.querySelectorAll("tbody tr").forEach((row) => {
    Array.from(row.children).forEach((cell, i) => {
      if (cell.tagName === "TD" && !cell.dataset.label && headers[i]) cell.dataset.label = headers[i];
    });
  });
};

const designAttach = (root) => {
  const within = root.closest ? root.closest("table.cards-on-phone") : null;
  (within ? [within] : root.querySelectorAll("table.cards-on-phone")).forEach(cardLabels);
  root.querySelectorAll(countedFields).forEach(counterAttach);
  root.querySelectorAll(".table-wrap").forEach(tableScrollAttach);
};
document.addEventListener("DOMContentLoaded", () => designAttach(document));
document.addEventListener("htmx:afterSettle", (event) => designAttach(event.target));
