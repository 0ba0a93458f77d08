// How far a harvest travelled (templates/community/harvest_reach.html): accounts that read it
// per engagement level at read time, as bars. The numbers come from the json_script
// "harvest-reach-data"; a table on the page gives the same numbers. No inline scripts (CSP).
(() => {
  "use strict";

  const NARROW = window.matchMedia("(max-width: 575px)");

  function draw() {
    const source = document.getElementById("harvest-reach-data");
    const canvas = document.getElementById("harvest-reach-chart");
    if (!window.Chart || !source || !canvas) return;
    const data = JSON.parse(source.textContent);
    const existing = window.Chart.getChart(canvas);
    if (existing) existing.destroy();
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: "Accounts", data: data.values, backgroundColor: "#2f7d5b" }],
      },
      options: {
        animation: false,
        aspectRatio: NARROW.matches ? 1.4 : 3,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: false } },
      },
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
