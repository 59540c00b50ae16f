// Settings shared by every chart on the site, loaded right after Chart.js. A category axis
// shows every label: on a phone Chart.js would otherwise skip every other phase name to make
// room; it rotates (or, on a horizontal bar chart, stacks) the labels instead.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  Chart.defaults.scales.category.ticks.autoSkip = false;
})();
