// The dashboard's charts: each section fetches its chart's JSON and draws it with plotly.js
// (served from our static files). A click on a unit opens that unit's dashboard; the
// modebar's camera button saves the chart as PNG, the link beside the title its data.
(function () {
  "use strict";

  var labels = JSON.parse(document.getElementById("dashboard-labels").textContent);

  function config(slug) {
    return {
      displaylogo: false,
      showSendToCloud: false, // no chart leaves the province's network
      responsive: true,
      modeBarButtonsToRemove: ["select2d", "lasso2d"],
      toImageButtonOptions: { format: "png", filename: slug, scale: 2 },
    };
  }

  function drill(code) {
    var params = new URLSearchParams(window.location.search);
    params.set("unit", code);
    window.location.search = params.toString();
  }

  function withParam(url, key, value) {
    var parsed = new URL(url, window.location.href);
    parsed.searchParams.set(key, value);
    return parsed.pathname + parsed.search;
  }

  function columnsStarting(data, prefix) {
    return data.columns.filter(function (c) { return c.key.indexOf(prefix) === 0; });
  }

  function pluck(rows, key) {
    return rows.map(function (r) { return r[key]; });
  }

  // Red (low) to green (high) over 0–100 %.
  var SCALE = [[0, "#b2182b"], [0.5, "#fee08b"], [1, "#1a9850"]];

  function colourOf(value) {
    if (value === null || value === undefined) { return "#dddddd"; }
    var t = Math.max(0, Math.min(1, value / 100));
    var stops = t < 0.5 ? [SCALE[0][1], SCALE[1][1], t / 0.5] : [SCALE[1][1], SCALE[2][1], (t - 0.5) / 0.5];
    var a = hex(stops[0]), b = hex(stops[1]), f = stops[2];
    return "rgb(" + [0, 1, 2].map(function (i) { return Math.round(a[i] + (b[i] - a[i]) * f); }).join(",") + ")";
  }

  function hex(colour) {
    return [1, 3, 5].map(function (i) { return parseInt(colour.slice(i, i + 2), 16); });
  }

  function clickToDrill(plot, codeOf) {
    if (plot.dataset.drills) { return; } // drawn again (another dose): listening already
    plot.dataset.drills = "yes";
    plot.on("plotly_click", function (event) {
      var code = event.points.length ? codeOf(event.points[0]) : null;
      if (code) { drill(code); }
    });
  }

  function doseSelect(section, data, onChange) {
    var controls = section.querySelector(".chart-controls");
    if (controls.firstChild || data.doses.length < 2) { return; }
    var select = document.createElement("select");
    select.className = "dose-pick";
    data.doses.forEach(function (d) {
      var option = document.createElement("option");
      option.value = d.key;
      option.textContent = d.label;
      select.appendChild(option);
    });
    select.addEventListener("change", function () { onChange(select.value); });
    controls.appendChild(select);
  }

  function coverageBars(plot, data, dose) {
    var rows = data.rows.slice().sort(function (a, b) {
      return (a["coverage_" + dose] || 0) - (b["coverage_" + dose] || 0);
    });
    var values = pluck(rows, "coverage_" + dose);
    Plotly.react(plot, [{
      type: "bar",
      orientation: "h",
      x: values.map(function (v) { return v || 0; }),
      y: pluck(rows, "name"),
      customdata: pluck(rows, "code"),
      text: values.map(function (v) { return v === null ? "—" : v + " %"; }),
      textposition: "auto",
      marker: { color: values.map(colourOf) },
      hovertemplate: "%{y}: %{text}<extra></extra>",
    }], {
      margin: { l: 180, r: 20, t: 10, b: 40 },
      height: Math.max(260, 24 * rows.length + 60),
      xaxis: { title: { text: labels.coverage }, rangemode: "tozero" },
    }, config(data.slug));
    if (data.drill) { clickToDrill(plot, function (p) { return p.customdata; }); }
  }

  function communeDoses(plot, data) {
    var row = data.rows[0] || {};
    Plotly.react(plot, [{
      type: "bar",
      x: data.doses.map(function (d) { return d.label; }),
      y: data.doses.map(function (d) { return row["coverage_" + d.key] || 0; }),
      marker: { color: data.doses.map(function (d) { return colourOf(row["coverage_" + d.key]); }) },
    }], { margin: { t: 10 }, yaxis: { title: { text: labels.coverage } } }, config(data.slug));
  }

  function rings(geometry) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    var x = [], y = [];
    polygons.forEach(function (polygon) {
      polygon.forEach(function (ring) {
        ring.forEach(function (point) { x.push(point[0]); y.push(point[1]); });
        x.push(null); y.push(null);
      });
    });
    return { x: x, y: y };
  }

  function coverageMap(plot, data, dose, geojson) {
    var byCode = {};
    data.rows.forEach(function (r) { byCode[r.code] = r; });
    var traces = geojson.features.map(function (feature) {
      var code = feature.properties.province_code, row = byCode[code];
      var value = row ? row["coverage_" + dose] : null;
      var shape = rings(feature.geometry);
      return {
        type: "scatter", mode: "lines", fill: "toself", hoveron: "fills",
        x: shape.x, y: shape.y, meta: code,
        fillcolor: colourOf(value), line: { color: "#555555", width: 0.5 },
        name: (row ? row.name : feature.properties.province_name) + ": " + (value === null || value === undefined ? "—" : value + " %"),
        hoverinfo: "name",
      };
    });
    Plotly.react(plot, traces, {
      showlegend: false, height: 640, margin: { l: 10, r: 10, t: 10, b: 10 },
      xaxis: { visible: false }, yaxis: { visible: false, scaleanchor: "x" },
      hovermode: "closest",
    }, config(data.slug));
    clickToDrill(plot, function (p) { return p.data.meta; });
  }

  // The map's colour key, drawn by the stylesheet: plotly's colour bar writes style
  // attributes, which the CSP refuses.
  function scaleKey(section) {
    if (section.querySelector(".coverage-scale")) { return; }
    var key = document.createElement("div");
    key.className = "coverage-scale";
    ["0 %", "50 %", "100 %"].forEach(function (text) {
      var mark = document.createElement("span");
      mark.textContent = text;
      key.appendChild(mark);
    });
    var title = document.createElement("p");
    title.className = "muted coverage-scale-title";
    title.textContent = labels.coverage;
    section.querySelector(".plot").after(title, key);
  }

  function drawCoverage(section, plot, data) {
    if (!data.drill) {
      if (!data.doses.length) { return false; }
      communeDoses(plot, data);
      return true;
    }
    // Units below with no dose yet still show, at 0 % of their target.
    var dose = data.doses.length ? data.doses[0].key : "primary_1";
    var draw = function (key) {
      if (!data.map) { coverageBars(plot, data, key); return; }
      fetch(data.map).then(function (r) { return r.json(); }).then(function (geojson) {
        coverageMap(plot, data, key, geojson);
        scaleKey(section);
        section.querySelector(".chart-note").textContent = labels.attribution;
      });
    };
    doseSelect(section, data, draw);
    draw(dose);
    return true;
  }

  function drawDoses(section, plot, data) {
    var traces = columnsStarting(data, "s:").map(function (c) {
      return { type: "bar", name: c.label, x: pluck(data.rows, "day"), y: pluck(data.rows, c.key) };
    });
    traces.push({ type: "scatter", mode: "lines", name: labels.average7,
                  x: pluck(data.rows, "day"), y: pluck(data.rows, "average7"),
                  line: { color: "#222222", width: 2 } });
    Plotly.react(plot, traces, {
      barmode: "stack", margin: { t: 10 }, legend: { orientation: "h" },
      yaxis: { title: { text: labels.doses } },
    }, config(data.slug));
    breakdownSelect(section, data);
    return true;
  }

  function breakdownSelect(section, data) {
    var controls = section.querySelector(".chart-controls");
    if (controls.firstChild) { return; }
    var select = document.createElement("select");
    ["product", "dose", "group"].forEach(function (by) {
      var option = document.createElement("option");
      option.value = by;
      option.textContent = labels[by];
      option.selected = by === data.by;
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      section.dataset.json = withParam(section.dataset.json, "by", select.value);
      var xlsx = section.querySelector("a.xlsx");
      xlsx.setAttribute("href", withParam(xlsx.getAttribute("href"), "by", select.value));
      load(section);
    });
    controls.appendChild(select);
  }

  function drawLagging(section, plot, data) {
    var rows = data.rows.slice().reverse();
    Plotly.react(plot, [{
      type: "bar", orientation: "h", x: pluck(rows, "coverage"), y: pluck(rows, "name"),
      customdata: pluck(rows, "code"), marker: { color: pluck(rows, "coverage").map(colourOf) },
    }], {
      margin: { l: 180, r: 20, t: 10, b: 40 }, height: Math.max(220, 24 * rows.length + 60),
      xaxis: { title: { text: labels.coverage }, rangemode: "tozero" },
    }, config(data.slug));
    clickToDrill(plot, function (p) { return p.customdata; });
    return true;
  }

  function drawOverdue(section, plot, data) {
    var rows = data.rows.slice().sort(function (a, b) { return a.total - b.total; });
    var traces = columnsStarting(data, "overdue_").map(function (c) {
      return { type: "bar", orientation: "h", name: c.label, x: pluck(rows, c.key),
               y: pluck(rows, "name"), customdata: pluck(rows, "code") };
    });
    if (!traces.length) { return false; }
    Plotly.react(plot, traces, {
      barmode: "stack", legend: { orientation: "h" },
      margin: { l: 180, r: 20, t: 10, b: 40 }, height: Math.max(240, 24 * rows.length + 80),
    }, config(data.slug));
    if (data.drill) { clickToDrill(plot, function (p) { return p.customdata; }); }
    var counted = pluck(data.rows, "counted_on").filter(Boolean).sort();
    if (counted.length) { section.querySelector(".chart-note").textContent = labels.countedOn + " " + counted[0]; }
    return true;
  }

  function drawStock(section, plot, data) {
    var names = data.rows.map(function (r) { return r.product + " · " + r.lot; });
    Plotly.react(plot, [{
      type: "bar", x: names, y: pluck(data.rows, "days_left"),
      text: pluck(data.rows, "on_hand").map(function (n) { return labels.onHand + ": " + n; }),
      hovertemplate: "%{x}<br>%{y}<br>%{text}<extra></extra>",
    }], { margin: { t: 10 }, yaxis: { title: { text: labels.daysLeft } } }, config(data.slug));
    return true;
  }

  function drawReactions(section, plot, data) {
    Plotly.react(plot, [
      { type: "bar", name: labels.perDoses, x: pluck(data.rows, "label"), y: pluck(data.rows, "per_100k") },
      { type: "bar", name: labels.serious, x: pluck(data.rows, "label"), y: pluck(data.rows, "serious_per_100k") },
    ], { barmode: "group", margin: { t: 10 }, legend: { orientation: "h" } }, config(data.slug));
    return true;
  }

  function drawBacklog(section, plot, data) {
    Plotly.react(plot, [{
      type: "bar", x: pluck(data.rows, "site"), y: pluck(data.rows, "missing"),
    }], { margin: { t: 10 }, yaxis: { title: { text: labels.missing } } }, config(data.slug));
    return true;
  }

  var DRAW = {
    coverage: drawCoverage,
    doses: drawDoses,
    lagging: drawLagging,
    overdue: drawOverdue,
    stock: drawStock,
    "reactions-product": drawReactions,
    "reactions-lot": drawReactions,
    backlog: drawBacklog,
  };

  function load(section) {
    var plot = section.querySelector(".plot");
    fetch(section.dataset.json, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        section.querySelector(".chart-title").textContent = data.title;
        var drawn = data.rows.length > 0 && DRAW[data.slug](section, plot, data);
        if (!drawn) {
          Plotly.purge(plot);
          section.querySelector(".chart-note").textContent = labels.noData;
        }
        section.dataset.state = "drawn";
      });
  }

  document.querySelectorAll("section.chart[data-json]").forEach(load);
})();
