// The outcome-rates chart of the insights page (templates/community/insights.html): for the
// chosen outcome, its rate per engagement level at the time as a point, and the 95% Wilson
// interval as a floating bar behind it; hollow points are groups of few accounts. The numbers
// come from the json_script "insights-chart-data"; the table on the page gives the same
// numbers, so it reads fine without script. The "Chart of" select of the filters redraws the
// chart at once. No inline scripts anywhere (CSP: script-src 'self').
(() => {
  "use strict";

  const RATE = "#2f7d5b";
  const INTERVAL = "rgba(47, 125, 91, 0.22)";
  const NARROW = window.matchMedia("(max-width: 575px)");

  function percent(value) {
    return value === null || value === undefined ? "—" : `${Math.round(value)}%`;
  }

  function draw(kind) {
    const source = document.getElementById("insights-chart-data");
    const canvas = document.getElementById("insights-chart");
    if (!window.Chart || !source || !canvas) return;
    const data = JSON.parse(source.textContent);
    const series = data.kinds[kind] || data.kinds[data.selected];
    const existing = window.Chart.getChart(canvas);
    if (existing) existing.destroy();
    // Each level's point in its badge's colour (static/css/garden.css), the rate's where unknown.
    const colours = (data.level_keys || []).map((key) =>
      window.gardenLevelColour ? window.gardenLevelColour(key, RATE) : RATE);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.levels,
        datasets: [
          {
            type: "line",
            label: `${series.label}: rate`,
            data: series.rates,
            showLine: false,
            borderColor: colours,
            backgroundColor: series.few.map((few, i) => (few ? "#fff" : colours[i])),
            pointBorderWidth: 2,
            pointRadius: 6,
            pointHoverRadius: 8,
          },
          {
            type: "bar",
            label: "95% interval",
            data: series.low.map((low, i) => (low === null ? null : [low, series.high[i]])),
            backgroundColor: INTERVAL,
            borderColor: RATE,
            borderWidth: 1,
            barPercentage: 0.3,
          },
        ],
      },
      options: {
        animation: false,
        aspectRatio: NARROW.matches ? 1.3 : 2.8,
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { min: 0, max: 100, title: { display: true, text: "% of accounts" } },
          x: { title: { display: true, text: "Engagement level at the time" } },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            filter: (item) => item.datasetIndex === 0,
            callbacks: {
              label: (item) => {
                const i = item.dataIndex;
                if (!series.of[i]) return "No accounts";
                return `${percent(series.rates[i])} (${series.accounts[i]} of ${series.of[i]})`;
              },
              afterLabel: (item) => {
                const i = item.dataIndex;
                if (!series.of[i]) return "";
                const interval = `95% interval ${percent(series.low[i])}–${percent(series.high[i])}`;
                return series.few[i] ? [interval, "Few accounts: read with care"] : interval;
              },
            },
          },
        },
      },
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const select = document.getElementById("id_chart");
    draw(select && select.value);
    if (select) select.addEventListener("change", () => draw(select.value));
  });
})();
