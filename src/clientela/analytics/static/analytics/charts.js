// Draws each dashboard figure with Chart.js from its data table (which stays on the page:
// it is the figure for screen readers, keyboards and print), and sends a click on a bar or
// a slice to the list of the records behind it, the link of the same cell in the table.
(function () {
  "use strict";

  function palette() {
    const style = getComputedStyle(document.documentElement);
    return [1, 2, 3, 4, 5, 6].map((n) => style.getPropertyValue(`--chart-${n}`).trim());
  }

  function read(table) {
    const drawn = Number(table.dataset.drawn) || Infinity;
    const heads = Array.from(table.tHead.rows[0].cells).slice(1, 1 + drawn);
    const series = heads.map((cell) => cell.textContent.trim());
    const labels = [];
    const values = series.map(() => []);
    const links = series.map(() => []);
    for (const row of table.tBodies[0].rows) {
      labels.push(row.cells[0].dataset.short || row.cells[0].textContent.trim());
      series.forEach((_name, i) => {
        const cell = row.cells[i + 1];
        values[i].push(cell.dataset.value === "" ? null : Number(cell.dataset.value));
        const link = cell.querySelector("a");
        links[i].push(link ? link.href : "");
      });
    }
    if ("newestFirst" in table.dataset) {
      // Months are listed newest first; a chart runs left to right in time.
      labels.reverse();
      values.forEach((list) => list.reverse());
      links.forEach((list) => list.reverse());
    }
    return { series, labels, values, links };
  }

  function draw(figure) {
    const table = figure.querySelector("table[data-chart]");
    const box = figure.querySelector(".chart__canvas");
    if (!table || !box || typeof window.Chart !== "function") return;
    const kind = table.dataset.chart;
    const round = kind === "doughnut";
    const stacked = "stacked" in table.dataset;
    const data = read(table);
    // Nothing counted yet: the table of zeros says so; an empty chart would only take room.
    if (data.values.every((list) => list.every((value) => !value))) return;
    const colors = palette();
    const linkOf = (element) => data.links[element.datasetIndex][element.index];
    // Numbers on the axis and in the tooltips as the reader's language writes them
    // ("1.234,5" in Romanian); amounts of one currency as money in it.
    const locale = table.dataset.locale || document.documentElement.lang || undefined;
    const currency = table.dataset.currency;
    const money = currency ? new Intl.NumberFormat(locale, { style: "currency", currency }) : null;
    const ticks = { precision: 0 };
    if (money) {
      // Whole amounts on the axis; the tooltip gives the cents.
      const axisMoney = new Intl.NumberFormat(locale, {
        style: "currency",
        currency,
        maximumFractionDigits: 0,
        minimumFractionDigits: 0,
      });
      ticks.callback = (value) => axisMoney.format(value);
    }
    const tooltip = {};
    if (money) {
      tooltip.callbacks = {
        label: (item) => `${item.dataset.label}: ${money.format(item.parsed.y)}`,
      };
    }
    box.classList.add("is-drawn");
    const chart = new window.Chart(box.querySelector("canvas"), {
      type: kind,
      data: {
        labels: data.labels,
        datasets: data.series.map((name, i) => ({
          label: name,
          data: data.values[i],
          backgroundColor: round ? data.labels.map((_l, j) => colors[j % colors.length]) : colors[i % colors.length],
          borderWidth: round ? 1 : 0,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale,
        plugins: {
          legend: { display: round || data.series.length > 1, position: "bottom" },
          tooltip,
        },
        scales: round
          ? {}
          : {
              x: { stacked, grid: { display: false } },
              y: { stacked, beginAtZero: true, ticks },
            },
        onHover(event, elements) {
          const target = event.native && event.native.target;
          if (target) target.style.cursor = elements.length && linkOf(elements[0]) ? "pointer" : "";
        },
        onClick(_event, elements) {
          const url = elements.length ? linkOf(elements[0]) : "";
          if (url) window.location.assign(url);
        },
      },
    });
    figure.chart = chart; // for the browser tests: where a bar is drawn
  }

  function init() {
    document.querySelectorAll("[data-dashboard-chart]").forEach(draw);
    // Shown only where it works: with scripts, the browser's own print (app.css has its sheet).
    document.querySelectorAll("[data-print]").forEach((button) => {
      button.hidden = false;
      button.addEventListener("click", () => window.print());
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
