// Every table scrolls inside its own box when it is wider than the page (a phone, a narrow
// side column), never the page itself: a table not already in a .table-wrap gets one here,
// once for the whole site (also for tables htmx swaps in). A box that does scroll becomes a
// named, focusable region, so keyboard users can scroll it too (WCAG 2.1.1, axe's
// scrollable-region-focusable); one that fits is left out of the tab order.
(function () {
  "use strict";
  function labelOf(table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    var section = table.closest("section, aside, article");
    var heading = section && section.querySelector("h1, h2, h3, h4");
    return heading ? heading.textContent.trim() : document.title;
  }

  function update(wrap) {
    var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    if (scrolls && !wrap.hasAttribute("tabindex")) {
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("data-scrolls", "");
      if (!wrap.hasAttribute("role")) { wrap.setAttribute("role", "region"); }
      if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
        wrap.setAttribute("aria-label", labelOf(wrap.querySelector("table")));
      }
    } else if (!scrolls && wrap.hasAttribute("data-scrolls")) {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("data-scrolls");
    }
  }

  var observer = "ResizeObserver" in window ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { update(entry.target); });
  }) : null;

  function wrapTables(root) {
    var tables = Array.prototype.slice.call(root.querySelectorAll("table"));
    if (root.matches("table")) { tables.push(root); }
    tables.forEach(function (table) {
      var wrap = table.parentElement;
      if (!wrap.classList.contains("table-wrap")) {
        wrap = document.createElement("div");
        wrap.className = "table-wrap";
        table.parentNode.insertBefore(wrap, table);
        wrap.appendChild(table);
      }
      update(wrap);
      if (observer) { observer.observe(wrap); }
    });
  }

  function init() {
    var main = document.getElementById("main");
    if (!main) { return; }
    wrapTables(main);
    document.body.addEventListener("htmx:afterSettle", function (event) {
      wrapTables(event.target);
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); }
  else { init(); }
})();
