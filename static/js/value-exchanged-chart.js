// The value exchanged of an account (templates/community/value_exchanged.html): per month, what
// the account gave (one stacked bar) next to what it got back (another), each kind a segment.
// The numbers come from the json_script "value-exchanged-chart-data"; the table on the page
// gives the same numbers, so it reads fine without script. No inline scripts anywhere (CSP:
// script-src 'self').
(() => {
  "use strict";

  // Greens for what the account gave, blues for what it got back (light to dark by position).
  const GAVE = ["#9fd3b8", "#6dbb93", "#3f9c6f", "#2f7d5b", "#1f5e43", "#134030"];
  const GOT = ["#a9c8e8", "#6fa3d6", "#3b7fc0", "#285d91", "#1a3f63"];
  const NARROW = window.matchMedia("(max-width: 575px)");

  function draw() {
    const source = document.getElementById("value-exchanged-chart-data");
    const canvas = document.getElementById("value-exchanged-chart");
    if (!window.Chart || !source || !canvas) return;
    const data = JSON.parse(source.textContent);
    const existing = window.Chart.getChart(canvas);
    if (existing) existing.destroy();
    const used = { gave: 0, got: 0 };
    const datasets = data.kinds.map((kind) => {
      const palette = kind.side === "gave" ? GAVE : GOT;
      const colour = palette[used[kind.side]++ % palette.length];
      return {
        label: `${kind.side === "gave" ? "Gave" : "Got"}: ${kind.label}`,
        data: kind.counts,
        stack: kind.side,
        backgroundColor: colour,
        borderColor: colour,
      };
    });
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.months, datasets },
      options: {
        animation: false,
        aspectRatio: NARROW.matches ? 1.2 : 2.8,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: true, ticks: { maxRotation: 0 } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Count" } },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: { filter: (item) => item.raw > 0 },
        },
      },
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
