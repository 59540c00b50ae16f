// Draws the dashboard charts from the JSON the page embeds (json_script); the tables beside the
// charts carry the same numbers and are the accessible alternative.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("dashboard-chart-data");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    // Ticks and tooltips write numbers as the page's language does (1 234,5 / 1,234.5).
    Chart.defaults.locale = document.documentElement.lang || "nb";
    var funnel = document.getElementById("funnel-chart");
    if (funnel) {
      new Chart(funnel, {
        type: "bar",
        data: { labels: data.funnel.labels,
                datasets: [{ label: data.funnel.names.count, data: data.funnel.counts,
                             backgroundColor: "#0062ba" }] },
        options: { indexAxis: "y", plugins: { legend: { display: false } },
                   scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    }
    var flow = document.getElementById("flow-chart");
    if (flow) {
      new Chart(flow, {
        type: "line",
        data: { labels: data.flow.labels,
                datasets: [{ label: data.flow.name, data: data.flow.moves, borderColor: "#1e7d34" }] },
        options: { plugins: { legend: { display: false } },
                   scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    }
    var benefits = document.getElementById("benefit-chart");
    if (benefits) {
      new Chart(benefits, {
        type: "bar",
        data: { labels: data.benefits.labels,
                datasets: [{ label: data.benefits.name, data: data.benefits.nok,
                             backgroundColor: ["#0062ba", "#1e7d34"] }] },
        options: { plugins: { legend: { display: false } },
                   scales: { y: { beginAtZero: true } } }
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); }
  else { draw(); }
})();
