// Draws a benefit's chart from the JSON the page embeds (json_script): the measured values over
// time, with the baseline and the target as reference points. The table of measurements beside
// the chart is the accessible alternative.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("benefit-chart-data");
    var canvas = document.getElementById("benefit-chart");
    if (!source || !canvas || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    // Ticks and tooltips write numbers as the page's language does (1 234,5 / 1,234.5).
    Chart.defaults.locale = document.documentElement.lang || "nb";
    var labels = [data.baseline.x];
    data.points.forEach(function (p) { if (labels.indexOf(p.x) < 0) { labels.push(p.x); } });
    if (labels.indexOf(data.target.x) < 0) { labels.push(data.target.x); }
    labels.sort();
    function series(points) {
      return labels.map(function (x) {
        var hit = points.filter(function (p) { return p.x === x; });
        return hit.length ? hit[hit.length - 1].y : null;
      });
    }
    new Chart(canvas, {
      type: "line",
      data: {
        labels: labels.map(function (x) { return (data.days && data.days[x]) || x; }),
        datasets: [
          { label: data.labels.measured, data: series([data.baseline].concat(data.points)),
            borderColor: "#0062ba", backgroundColor: "#0062ba", spanGaps: true },
          { label: data.labels.baseline, data: labels.map(function () { return data.baseline.y; }),
            borderColor: "#6b7280", borderDash: [6, 4], pointRadius: 0 },
          { label: data.labels.target, data: series([data.target]),
            borderColor: "#1e7d34", backgroundColor: "#1e7d34", pointRadius: 7,
            pointStyle: "star", showLine: false }
        ]
      },
      options: { scales: { y: { title: { display: true, text: data.labels.unit } } } }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); }
  else { draw(); }
})();
