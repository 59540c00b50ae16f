// Draws the analyst page's charts from the JSON the page embeds (json_script); the tables
// beside the charts carry the same numbers and are the accessible alternative.
(function () {
  "use strict";
  var COLOURS = ["#2a2a2a", "#0062ba", "#1e7d34", "#c05800", "#7b3f98", "#a4001d", "#00727a",
                 "#5c5c00", "#b03078", "#3d5a80", "#6b4226", "#008060", "#8a6d00", "#4b0082",
                 "#7a7a7a", "#1f4e79"];
  function draw() {
    var source = document.getElementById("analysis-chart-data");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    // Ticks and tooltips write numbers as the page's language does (1 234,5 / 1,234.5).
    Chart.defaults.locale = document.documentElement.lang || "nb";
    var histogram = document.getElementById("histogram-chart");
    if (histogram && data.histogram.labels.length) {
      new Chart(histogram, {
        type: "bar",
        data: { labels: data.histogram.labels,
                datasets: [{ label: data.histogram.name, data: data.histogram.counts,
                             backgroundColor: "#0062ba" }] },
        options: { plugins: { legend: { display: false } },
                   scales: { y: { beginAtZero: true, ticks: { precision: 0 } },
                             x: { title: { display: true, text: data.measure } } } }
      });
    }
    var trend = document.getElementById("trend-chart");
    if (trend) {
      var t = data.trend;
      var datasets = t.series.map(function (s, i) {
        var colour = COLOURS[i % COLOURS.length];
        return { label: s.label, data: s.median, borderColor: colour, backgroundColor: colour,
                 borderWidth: i === 0 ? 3 : 2, spanGaps: false };
      });
      datasets.push({ label: t.band.names[0], data: t.band.q1, borderColor: "#2a2a2a",
                      borderDash: [4, 4], borderWidth: 1, pointRadius: 0 });
      datasets.push({ label: t.band.names[1], data: t.band.q3, borderColor: "#2a2a2a",
                      borderDash: [4, 4], borderWidth: 1, pointRadius: 0 });
      new Chart(trend, {
        type: "line",
        data: { labels: t.labels, datasets: datasets },
        options: { scales: { y: { beginAtZero: true, title: { display: true, text: data.measure } } } }
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); }
  else { draw(); }
})();
