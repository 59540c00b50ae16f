// Draws the indicator charts from the JSON the page embeds (json_script); the same numbers are
// in the tables beside the charts, which are the accessible alternative.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("indicator-chart-data");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    // Ticks and tooltips write numbers as the page's language does (1 234,5 / 1,234.5).
    Chart.defaults.locale = document.documentElement.lang || "nb";
    var phases = document.getElementById("phase-chart");
    if (phases) {
      new Chart(phases, {
        type: "bar",
        data: { labels: data.phases.labels,
                datasets: [{ label: data.labels.count, data: data.phases.counts,
                             backgroundColor: "#0062ba" }] },
        options: { plugins: { legend: { display: false } },
                   scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    }
    var history = document.getElementById("history-chart");
    if (history) {
      new Chart(history, {
        type: "line",
        data: { labels: data.history.labels,
                datasets: [{ label: data.labels.activity, data: data.history.points, borderColor: "#0062ba" },
                           { label: data.labels.benefit, data: data.history.benefit, borderColor: "#1e7d34" }] },
        options: { scales: { y: { beginAtZero: true } } }
      });
    }
    var peers = document.getElementById("comparison-chart");
    if (peers && data.comparison) {
      var c = data.comparison;
      new Chart(peers, {
        type: "bar",
        data: { labels: c.labels,
                datasets: [{ type: "bar", label: c.names.box, data: c.box, backgroundColor: "#c9dcf0" },
                           { type: "line", label: c.names.median, data: c.median, showLine: false,
                             pointStyle: "line", pointRadius: 18, borderWidth: 3, borderColor: "#2a2a2a" },
                           { type: "line", label: c.names.own, data: c.own, showLine: false,
                             pointRadius: 7, backgroundColor: "#0062ba", borderColor: "#0062ba" }] },
        options: { indexAxis: "x", scales: { y: { beginAtZero: true } } }
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); }
  else { draw(); }
})();
