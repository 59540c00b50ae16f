// The header on a phone: the menu folds behind a «Meny» button (a disclosure: aria-expanded,
// aria-controls). Loaded synchronously in <head>, so the page is marked as scripted before the
// header is drawn; without this script the menu simply stays open. The header's own <details>
// menus («Mer», the user menu) close on Escape and on a click elsewhere.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function setOpen(button, menu, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-open", open);
  }

  function closeMenus(except) {
    document.querySelectorAll("[data-header-menu][open]").forEach(function (details) {
      if (details !== except && !details.contains(except)) { details.open = false; }
    });
  }

  function init() {
    var button = document.querySelector("[data-menu-toggle]");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (button && menu) {
      button.addEventListener("click", function () {
        setOpen(button, menu, button.getAttribute("aria-expanded") !== "true");
      });
    }
    document.addEventListener("click", function (event) {
      closeMenus(event.target.closest("[data-header-menu]"));
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var open = document.querySelector("[data-header-menu][open]");
      if (open) {
        open.open = false;
        open.querySelector("summary").focus();
      } else if (button && menu && button.getAttribute("aria-expanded") === "true"
                 && menu.contains(document.activeElement)) {
        setOpen(button, menu, false);
        button.focus();
      }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
