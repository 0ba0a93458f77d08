// The activity chart of a garden (templates/community/garden_detail.html): actions of the
// garden's members per week as bars, active members as a line. The numbers come from the
// json_script "garden-activity-data"; a table on the page gives the same numbers. No inline
// scripts anywhere (CSP: script-src 'self').
(() => {
  "use strict";

  const ACTIONS = "#2f7d5b";
  const PEOPLE = "#c77c02";
  const NARROW = window.matchMedia("(max-width: 575px)");

  function draw() {
    const source = document.getElementById("garden-activity-data");
    const canvas = document.getElementById("garden-activity-chart");
    if (!window.Chart || !source || !canvas) return;
    const data = JSON.parse(source.textContent);
    const existing = window.Chart.getChart(canvas);
    if (existing) existing.destroy();
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels.map((label) => (window.gardenDayLabel ? window.gardenDayLabel(label) : label)),
        datasets: [
          { type: "bar", label: "Actions", data: data.events, backgroundColor: ACTIONS, yAxisID: "y" },
          {
            type: "line",
            label: "Active members",
            data: data.active_members,
            borderColor: PEOPLE,
            backgroundColor: PEOPLE,
            pointRadius: 2,
            tension: 0.2,
            yAxisID: "y",
          },
        ],
      },
      options: {
        animation: false,
        aspectRatio: NARROW.matches ? 1.4 : 3,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { ticks: { maxTicksLimit: 14, maxRotation: 0 } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
