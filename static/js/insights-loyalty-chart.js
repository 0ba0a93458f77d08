// The loyalty-over-time charts of the insights page (templates/community/_insights_loyalty.html,
// loaded with htmx): per outcome (churned, expanded), the share of accounts not yet with the
// outcome after so many days at each engagement level, as Kaplan–Meier step lines in the
// levels' badge colours. The numbers come from the json_script its canvas names (data-source:
// "loyalty-chart-data", and "loyalty-chart-data-company" for the company's block); the table
// under each chart gives the curves on a few days with their 95% intervals, so it reads fine
// without script. No inline scripts anywhere (CSP: script-src 'self').
(() => {
  "use strict";

  const NARROW = window.matchMedia("(max-width: 575px)");

  function draw() {
    if (!window.Chart) return;
    const sources = {};
    document.querySelectorAll("canvas[data-outcome][data-source]").forEach((canvas) => {
      // Each block of the section (the reader's accounts, the company's) has its own data.
      const id = canvas.dataset.source;
      const source = document.getElementById(id);
      if (!source) return;
      sources[id] = sources[id] || JSON.parse(source.textContent);
      const outcome = sources[id][canvas.dataset.outcome];
      if (!outcome) return;
      const existing = window.Chart.getChart(canvas);
      if (existing) existing.destroy();
      new window.Chart(canvas, {
        type: "line",
        data: {
          datasets: outcome.levels.map((level) => {
            const colour = window.gardenLevelColour
              ? window.gardenLevelColour(level.key, "#2f7d5b")
              : "#2f7d5b";
            return {
              label: level.label,
              data: level.points.map(([day, percent]) => ({ x: day, y: percent })),
              stepped: "before", // Kaplan–Meier: flat until the day of the drop
              borderColor: colour,
              backgroundColor: colour,
              borderWidth: 2,
              pointRadius: 0,
              pointHoverRadius: 4,
            };
          }),
        },
        options: {
          animation: false,
          aspectRatio: NARROW.matches ? 1.3 : 2.8,
          interaction: { mode: "nearest", intersect: false },
          scales: {
            x: {
              type: "linear",
              min: 0,
              max: Math.max(outcome.days, 1),
              title: { display: true, text: "Days observed" },
            },
            y: {
              min: 0,
              max: 100,
              title: { display: true, text: `% not yet ${outcome.label.toLowerCase()}` },
            },
          },
          plugins: {
            legend: { position: "bottom" },
            tooltip: {
              callbacks: {
                title: (items) => (items.length ? `Day ${items[0].parsed.x}` : ""),
                label: (item) => `${item.dataset.label}: ${item.parsed.y.toFixed(1)}%`,
              },
            },
          },
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  // The section arrives with htmx after the page: draw it once it has settled.
  document.addEventListener("htmx:afterSettle", draw);
})();
