// The engagement chart of an account (templates/community/account_engagement.html): the score
// per day as a line, the level thresholds as dashed lines in their levels' colours. The numbers come from the json_script
// "engagement-chart-data"; a table on the page gives the same numbers, so it reads fine without
// script. No inline scripts anywhere (CSP: script-src 'self').
(() => {
  "use strict";

  const SCORE = "#2f7d5b";
  const THRESHOLD = "#b0b8bf";
  const levelColour = (key) => (window.gardenLevelColour ? window.gardenLevelColour(key, THRESHOLD) : THRESHOLD);
  const NARROW = window.matchMedia("(max-width: 575px)");

  function draw() {
    const source = document.getElementById("engagement-chart-data");
    const canvas = document.getElementById("engagement-chart");
    if (!window.Chart || !source || !canvas) return;
    const data = JSON.parse(source.textContent);
    const existing = window.Chart.getChart(canvas);
    if (existing) existing.destroy();
    const thresholds = data.thresholds.map((t) => ({
      label: `${t.label} from ${t.score}`,
      data: data.days.map(() => t.score),
      borderColor: levelColour(t.key),
      borderDash: [4, 4],
      borderWidth: 2,
      pointRadius: 0,
      pointHitRadius: 0,
      fill: false,
    }));
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.days.map((day) => (window.gardenDayLabel ? window.gardenDayLabel(day) : day)),
        datasets: [
          {
            label: "Score",
            data: data.scores,
            borderColor: SCORE,
            backgroundColor: SCORE,
            borderWidth: 2,
            pointRadius: data.days.length > 60 ? 0 : 2,
            tension: 0.2,
          },
          ...thresholds,
        ],
      },
      options: {
        animation: false,
        aspectRatio: NARROW.matches ? 1.4 : 3,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { min: 0, max: 100, title: { display: true, text: "Score (0–100)" } },
          x: { ticks: { maxTicksLimit: 12, maxRotation: 0 } },
        },
        plugins: {
          legend: { position: "bottom", labels: { filter: (item) => item.datasetIndex === 0 || !NARROW.matches } },
          tooltip: {
            filter: (item) => item.datasetIndex === 0,
            callbacks: { afterLabel: (item) => data.levels[item.dataIndex] },
          },
        },
      },
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
