// Charts of the pilot results page (templates/ideas/results_body.html). The numbers come from
// the json_script "results-chart-data"; the table under each chart gives the same numbers, so
// the page reads fine without script. No inline scripts anywhere (CSP: script-src 'self').
(() => {
  "use strict";

  const EXPECTED = "#8a9ba8";
  const EXPERIENCED = "#2f7d5b";
  const DETRACTOR = "#c0392b";
  const PASSIVE = "#b7b7b7";
  const PROMOTER = "#2f7d5b";
  // Wide and flat on a desktop; taller on a phone, where a flat chart is a few pixels high.
  const NARROW = window.matchMedia("(max-width: 575px)");

  function dimensionsChart(canvas, group) {
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: group.labels,
        datasets: [
          { label: "Expected", data: group.expected, backgroundColor: EXPECTED },
          { label: "Experienced", data: group.experienced, backgroundColor: EXPERIENCED },
        ],
      },
      options: {
        aspectRatio: NARROW.matches ? 1.5 : 3,
        scales: { y: { min: 1, max: 7, ticks: { stepSize: 1 }, title: { display: true, text: "Mean rating (1–7)" } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  function npsChart(canvas, group) {
    const scores = group.nps.map((_, score) => String(score));
    const colours = scores.map((_, score) => (score >= 9 ? PROMOTER : score >= 7 ? PASSIVE : DETRACTOR));
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: scores,
        datasets: [{ label: "Participants", data: group.nps, backgroundColor: colours }],
      },
      options: {
        aspectRatio: NARROW.matches ? 1.5 : 3.5,
        scales: {
          x: { title: { display: true, text: "Likelihood to recommend (0–6 detractors, 7–8 passives, 9–10 promoters)" } },
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Participants" } },
        },
        plugins: { legend: { display: false } },
      },
    });
  }

  function draw() {
    const source = document.getElementById("results-chart-data");
    if (!window.Chart || !source) return;
    const data = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-results-chart]").forEach((canvas) => {
      const group = data[canvas.dataset.group];
      const existing = window.Chart.getChart(canvas);
      if (existing) existing.destroy();
      if (!group) return;
      if (canvas.dataset.resultsChart === "nps") npsChart(canvas, group);
      else dimensionsChart(canvas, group);
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  // The split selector swaps the results in with htmx: draw the new canvases.
  document.addEventListener("htmx:afterSettle", draw);
})();
