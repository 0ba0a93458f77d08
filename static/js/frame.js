// The frame's menus (templates/frame/navigation.html): loaded in <head> without defer, so
// the phone's menu is closed before the page is first drawn. Without this script every menu
// still works (<details>), and the phone shows the whole menu open.
(function () {
  "use strict";
  document.documentElement.classList.add("frame-js");

  function menus() {
    return document.querySelectorAll(".frame-nav details.frame-group");
  }

  function closeMenus(except) {
    menus().forEach(function (menu) {
      if (menu !== except) { menu.removeAttribute("open"); }
    });
  }

  function setUp() {
    var button = document.querySelector(".frame-menu-button");
    var panel = document.getElementById("frame-menu");
    if (button && panel) {
      button.addEventListener("click", function () {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", open ? "true" : "false");
        panel.classList.toggle("frame-menu-open", open);
      });
    }
    // One menu open at a time; a click elsewhere or Escape closes it.
    menus().forEach(function (menu) {
      menu.addEventListener("toggle", function () {
        if (menu.open) { closeMenus(menu); }
      });
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest(".frame-nav details.frame-group")) { closeMenus(null); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var open = document.querySelector(".frame-nav details.frame-group[open]");
      if (open) {
        open.removeAttribute("open");
        open.querySelector("summary").focus();
      } else if (button && button.getAttribute("aria-expanded") === "true") {
        button.click();
        button.focus();
      }
    });
  }

  // A table wider than its box scrolls sideways inside it (.table-wrap): such a box can be
  // reached and scrolled with the keyboard, and says what it holds.
  function scrollersReachable() {
    document.querySelectorAll(".table-wrap").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
          box.setAttribute("data-frame-scroller", "");
          if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
            var caption = box.querySelector("caption");
            box.setAttribute("data-frame-scroller", "labelled");
            box.setAttribute("role", "region");
            box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table (scrolls sideways)");
          }
        }
      } else if (box.hasAttribute("data-frame-scroller")) {
        var names = box.getAttribute("data-frame-scroller") === "labelled" ? ["role", "aria-label"] : [];
        names.concat(["tabindex", "data-frame-scroller"]).forEach(function (name) {
          box.removeAttribute(name);
        });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", scrollersReachable);
  document.addEventListener("htmx:afterSettle", scrollersReachable);
  window.addEventListener("resize", scrollersReachable);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
