// Charts: draws every figure[data-chart] with uPlot, from its JSON block or, for
// figure[data-chart-src], from a JSON endpoint (whose rows then fill the figure's table).
// The CSP allows no inline script or style attribute: the data comes as non-executed
// JSON, and uPlot styles through the CSSOM. Values are formatted as community/charts.py
// formats the tables, so a tooltip and its table cell read the same.
(function () {
  "use strict";
  if (!window.uPlot) return;
  const uPlot = window.uPlot;

  const COLOURS = ["#b45309", "#2563eb", "#047857", "#7c3aed", "#be185d", "#0e7490"];
  const REFERENCE = "#1e293b";
  const HEIGHT = 220;
  // Tick steps that read well: seconds for times and paces, plain numbers otherwise.
  const SECOND_STEPS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 18000, 36000, 72000];

  function pad(n) { return String(n).padStart(2, "0"); }

  function duration(seconds) {
    const total = Math.round(seconds);
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const secs = total % 60;
    return hours ? hours + ":" + pad(minutes) + ":" + pad(secs) : minutes + ":" + pad(secs);
  }

  function formatValue(value, spec) {
    if (value === null || value === undefined) return "";
    if (spec.format === "duration") return duration(value);
    if (spec.format === "pace") {
      const total = Math.round(value);
      return Math.floor(total / 60) + ":" + pad(total % 60) + " /" + spec.unit;
    }
    const number = value.toLocaleString("en-GB", {
      minimumFractionDigits: spec.decimals,
      maximumFractionDigits: spec.decimals,
    });
    return spec.unit ? number + " " + spec.unit : number;
  }

  // Axis ticks: shorter than the values (no unit: the axis says it).
  function formatTick(value, spec) {
    if (spec.format === "duration" || spec.format === "pace") return duration(value);
    return value.toLocaleString("en-GB", { maximumFractionDigits: 2 });
  }

  function xLabel(spec, index) {
    return index === null || index === undefined ? "" : (spec.xLabels[index] || "");
  }

  function seriesOptions(spec, series, index) {
    const colour = COLOURS[index % COLOURS.length];
    const common = {
      label: series.label,
      value: function (u, v) { return formatValue(v, spec); },
      spanGaps: false,
    };
    if (series.style === "bars") {
      return Object.assign(common, {
        stroke: colour,
        fill: colour + "b3",
        width: 1,
        paths: uPlot.paths.bars({ size: [0.6, 48] }),
        points: { show: false },
      });
    }
    if (series.style === "reference") {
      return Object.assign(common, {
        stroke: REFERENCE,
        width: 2,
        dash: [6, 4],
        points: { show: spec.x.length <= 16, size: 5, stroke: REFERENCE, fill: REFERENCE },
      });
    }
    const line = Object.assign(common, {
      stroke: colour,
      width: series.emphasis ? 3.5 : 2,
      points: { show: false },
    });
    if (series.style === "step") line.paths = uPlot.paths.stepped({ align: 1 });
    return line;
  }

  function options(figure, spec, width) {
    const categories = !spec.numericX;
    const fromZero = spec.series.some(function (s) { return s.style === "bars" || s.style === "step"; });
    const seconds = spec.format === "duration" || spec.format === "pace";
    const opts = {
      width: width,
      height: HEIGHT,
      scales: {
        x: {
          time: false,
          range: categories
            ? function (u, min, max) { return [min - 0.5, max + 0.5]; }
            : undefined,
        },
        y: {
          dir: spec.inverted ? -1 : 1,
          range: fromZero
            ? function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; }
            : undefined,
        },
      },
      axes: [
        {
          label: spec.xTitle,
          space: 48,
          incrs: categories ? [1, 2, 3, 4, 6, 12, 24] : undefined,
          values: function (u, splits) {
            return splits.map(function (v) {
              if (categories) return (spec.xTicks || spec.xLabels)[v] || "";
              return v.toLocaleString("en-GB", { maximumFractionDigits: 2 });
            });
          },
        },
        {
          label: spec.yTitle,
          size: seconds ? 70 : 56,
          incrs: seconds ? SECOND_STEPS : undefined,
          values: function (u, splits) {
            return splits.map(function (v) { return formatTick(v, spec); });
          },
        },
      ],
      series: [
        {
          label: spec.xTitle,
          value: function (u, v, seriesIndex, index) { return xLabel(spec, index); },
        },
      ].concat(spec.series.map(function (s, i) { return seriesOptions(spec, s, i); })),
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
    };
    if (spec.group) opts.cursor.sync = { key: spec.group };
    return opts;
  }

  // The arrow keys move the cursor from value to value; the status line says what is there.
  function keyboard(figure, spec, u) {
    const wrap = u.root.querySelector(".u-wrap");
    const status = figure.querySelector("[data-chart-status]");
    wrap.setAttribute("role", "img");
    wrap.setAttribute("aria-label", spec.title);
    wrap.tabIndex = 0;
    let index = -1;
    wrap.addEventListener("keydown", function (event) {
      const last = spec.x.length - 1;
      const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: last };
      if (!(event.key in moves)) return;
      event.preventDefault();
      index = Math.max(0, Math.min(last, moves[event.key]));
      const value = spec.series[0].values[index];
      u.setCursor({
        left: u.valToPos(spec.x[index], "x"),
        top: value === null ? 0 : u.valToPos(value, "y"),
      });
      if (status) {
        status.textContent = xLabel(spec, index) + ": " +
          spec.series.map(function (s) {
            return s.label + " " + (formatValue(s.values[index], spec) || "none");
          }).join("; ");
      }
    });
  }

  function draw(figure, spec) {
    const mount = figure.querySelector("[data-chart-plot]");
    const data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    const u = new uPlot(options(figure, spec, mount.clientWidth || 300), data, mount);
    keyboard(figure, spec, u);
    figure.dataset.chartDrawn = "true";
    let pending = false;
    new ResizeObserver(function () {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () {
        pending = false;
        if (mount.clientWidth && mount.clientWidth !== u.width) {
          u.setSize({ width: mount.clientWidth, height: HEIGHT });
        }
      });
    }).observe(mount);
  }

  // A chart served by an endpoint brings its table rows along, formatted by the server.
  function fillTable(figure, spec) {
    const table = figure.querySelector("table");
    if (!table) return;
    const headRow = table.querySelector("thead tr");
    const body = table.querySelector("tbody");
    headRow.replaceChildren();
    body.replaceChildren();
    [spec.xTitle].concat(spec.series.map(function (s) { return s.label; })).forEach(function (text, i) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = text;
      if (i) th.className = "num";
      headRow.appendChild(th);
    });
    spec.rows.forEach(function (row) {
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = row[0];
      tr.appendChild(th);
      row[1].forEach(function (cell) {
        const td = document.createElement("td");
        td.className = "num";
        td.textContent = cell;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function load(figure) {
    const source = figure.dataset.chartSrc;
    if (!source) {
      const block = figure.querySelector("[data-chart-data]");
      if (block) draw(figure, JSON.parse(block.textContent));
      return;
    }
    const message = figure.querySelector("[data-chart-message]");
    fetch(source, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (spec) {
        if (!spec.series.length) {
          if (message) message.textContent = "Nothing to chart yet.";
          return;
        }
        if (message) message.hidden = true;
        fillTable(figure, spec);
        draw(figure, spec);
      })
      .catch(function () {
        if (message) message.textContent = "The chart could not be loaded.";
      });
  }

  document.querySelectorAll("figure[data-chart]").forEach(load);
})();
