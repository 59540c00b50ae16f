// Forms that come back with errors: move focus to the error summary, so screen readers read it
// and keyboard users start there; each link in it focuses its field (opening a folded section).
(function () {
  "use strict";
  function focusField(link) {
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return false; }
    var folded = field.closest("details:not([open])");
    if (folded) { folded.open = true; }
    field.focus();
    return true;
  }
  function init() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    // A URL fragment (e.g. #main, kept from the skip link by the form's post) moves focus to
    // its target once the page has loaded: take it back to the summary then.
    window.addEventListener("load", function () {
      var active = document.activeElement;
      if (location.hash && (active === document.body || active.id === location.hash.slice(1))) {
        summary.focus();
      }
    });
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (link && focusField(link)) { event.preventDefault(); }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
