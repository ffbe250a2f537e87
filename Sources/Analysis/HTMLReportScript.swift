/// The report's inline script: filtering, sorting, the heat map and the significance matrix.
///
/// Why a script at all: at 100 runs × 1,000 tasks a heat map of SVG cells is 100,000 elements and
/// several megabytes, and re-sorting it means re-writing every one; drawn on a canvas from one
/// compact JSON block it is a few hundred kilobytes and re-sorts in milliseconds. Everything else
/// on the page reads without it. It fetches nothing, and it puts model-controlled text on the
/// page only as `textContent` or canvas text, never as markup.
///
/// Kept free of the two sequences that would end its element early in HTML or in XML (a closing
/// script tag, the end of a CDATA section); `HTMLReportTests` checks.
enum HTMLReportScript {
    static let source = #"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var runs = data.runs, tasks = data.tasks;
  var tooltip = document.getElementById("tooltip");
  var runFilter = document.getElementById("filter-runs");
  var taskFilter = document.getElementById("filter-tasks");
  var visibleRuns = runs.map(function (_, i) { return i; });
  var visibleTasks = tasks.map(function (_, i) { return i; });

  function rate(r, t) {
    var code = data.rates[r].substr(2 * t, 2);
    return code === "--" ? null : parseInt(code, 16) / 255;
  }
  function heatColor(value) {
    if (value === null) return "#edf2f7";
    return "hsl(" + Math.round(value * 120) + ", 65%, " + (value > 0.9 ? 40 : 50) + "%)";
  }
  function showTip(event, text) {
    tooltip.textContent = text;
    tooltip.style.display = "block";
    var x = Math.min(event.clientX + 14, window.innerWidth - tooltip.offsetWidth - 8);
    tooltip.style.left = x + "px";
    tooltip.style.top = (event.clientY + 16) + "px";
  }
  function hideTip() { tooltip.style.display = "none"; }
  function fitText(context, text, width) {
    if (context.measureText(text).width <= width) return text;
    var low = 0, high = text.length;
    while (low < high) {
      var middle = (low + high + 1) >> 1;
      if (context.measureText(text.slice(0, middle) + "\u2026").width <= width) low = middle; else high = middle - 1;
    }
    return text.slice(0, low) + "\u2026";
  }
  function sizeCanvas(canvas, width, height) {
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(width * ratio));
    canvas.height = Math.max(1, Math.round(height * ratio));
    canvas.style.width = width + "px";
    canvas.style.height = height + "px";
    var context = canvas.getContext("2d");
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    return context;
  }

  // The heat map: rows are runs, columns tasks, in the chosen orders, filtered.
  var heat = document.getElementById("heatmap");
  var heatRuns = document.getElementById("heatmap-runs");
  var sortTasks = document.getElementById("sort-tasks");
  var sortRuns = document.getElementById("sort-runs");
  var layout = null;
  function taskOrder() {
    var order = visibleTasks.slice();
    var how = sortTasks ? sortTasks.value : "hardest";
    function spread(t) {
      var values = [];
      visibleRuns.forEach(function (r) { var v = rate(r, t); if (v !== null) values.push(v); });
      if (values.length < 2) return 0;
      var mean = values.reduce(function (a, b) { return a + b; }, 0) / values.length;
      return values.reduce(function (a, b) { return a + (b - mean) * (b - mean); }, 0) / values.length;
    }
    var keys = {};
    if (how === "spread") order.forEach(function (t) { keys[t] = spread(t); });
    order.sort(function (x, y) {
      var a = tasks[x], b = tasks[y];
      switch (how) {
        case "easiest": return b.mean - a.mean || x - y;
        case "id": return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
        case "difficulty": return (b.b === null ? -1e9 : b.b) - (a.b === null ? -1e9 : a.b) || x - y;
        case "discrimination": return (b.a === null ? -1e9 : b.a) - (a.a === null ? -1e9 : a.a) || x - y;
        case "spread": return keys[y] - keys[x] || x - y;
        default: return a.mean - b.mean || x - y;
      }
    });
    return order;
  }
  function runOrder() {
    var order = visibleRuns.slice();
    var how = sortRuns ? sortRuns.value : "rank";
    order.sort(function (x, y) {
      if (how === "name") return runs[x].name < runs[y].name ? -1 : runs[x].name > runs[y].name ? 1 : x - y;
      return x - y;
    });
    return order;
  }
  function drawHeat() {
    if (!heat) return;
    var columns = taskOrder(), rows = runOrder();
    var cw = tasks.length <= 100 ? 11 : 8, ch = runs.length <= 30 ? 14 : 11;
    var longest = columns.reduce(function (m, t) { return Math.max(m, tasks[t].id.length); }, 4);
    var band = Math.min(150, 12 + longest * (cw >= 11 ? 5.6 : 4.6));
    var width = Math.max(40, columns.length * cw + 4), height = band + rows.length * ch + 2;
    var context = sizeCanvas(heat, width, height);
    context.font = (cw >= 11 ? 9 : 7) + "px sans-serif";
    context.fillStyle = "#1a202c";
    columns.forEach(function (t, i) {
      context.save();
      context.translate(i * cw + cw - 2, band - 4);
      context.rotate(-Math.PI / 2);
      context.fillText(fitText(context, tasks[t].id, band - 8), 0, 0);
      context.restore();
    });
    rows.forEach(function (r, j) {
      columns.forEach(function (t, i) {
        context.fillStyle = heatColor(rate(r, t));
        context.fillRect(i * cw, band + j * ch, cw - 1, ch - 1);
      });
    });
    var labels = sizeCanvas(heatRuns, 250, height);
    labels.font = (ch >= 14 ? 11 : 10) + "px sans-serif";
    rows.forEach(function (r, j) {
      labels.fillStyle = runs[r].color;
      labels.fillRect(0, band + j * ch + 1, 8, ch - 3);
      labels.fillStyle = "#1a202c";
      labels.fillText(fitText(labels, runs[r].alias + " " + runs[r].name, 236), 12, band + j * ch + ch - 3);
    });
    layout = { columns: columns, rows: rows, cw: cw, ch: ch, band: band };
    heat.setAttribute("data-drawn-runs", rows.length);
    heat.setAttribute("data-drawn-tasks", columns.length);
    heat.setAttribute("data-order", columns.map(function (t) { return tasks[t].id; }).join("\n"));
    heat.setAttribute("data-run-order", rows.map(function (r) { return runs[r].alias; }).join(" "));
  }
  function heatCell(event) {
    if (!layout) return null;
    var box = heat.getBoundingClientRect();
    var i = Math.floor((event.clientX - box.left) / layout.cw), j = Math.floor((event.clientY - box.top - layout.band) / layout.ch);
    if (i < 0 || j < 0 || i >= layout.columns.length || j >= layout.rows.length) return null;
    return { run: layout.rows[j], task: layout.columns[i] };
  }
  if (heat) {
    heat.addEventListener("mousemove", function (event) {
      var cell = heatCell(event);
      if (!cell) { hideTip(); return; }
      var value = rate(cell.run, cell.task);
      showTip(event, runs[cell.run].alias + " " + runs[cell.run].name + " \u2014 " + tasks[cell.task].id + ": " +
        (value === null ? "not graded" : "pass rate " + value.toFixed(2)) + " (mean over runs " + tasks[cell.task].mean.toFixed(2) + ")");
    });
    heat.addEventListener("mouseleave", hideTip);
    heat.addEventListener("click", function (event) {
      var cell = heatCell(event);
      if (!cell) return;
      var target = document.getElementById("fail-" + cell.run + "-" + tasks[cell.task].anchor);
      if (!target) return;
      var details = target.closest("details");
      if (details) details.open = true;
      target.scrollIntoView({ block: "center" });
    });
  }
  if (sortTasks) sortTasks.addEventListener("change", drawHeat);
  if (sortRuns) sortRuns.addEventListener("change", drawHeat);

  // The significance matrix over the visible runs, in rank order.
  var matrix = document.getElementById("significance");
  var pairs = {};
  data.pairs.forEach(function (p) { pairs[p[0] + "," + p[1]] = p; });
  var matrixLayout = null;
  function pairFor(row, column) {
    if (row === column) return null;
    var p = pairs[Math.min(row, column) + "," + Math.max(row, column)];
    if (!p) return null;
    return row < column ? { d: p[2], low: p[3], high: p[4] } : { d: -p[2], low: -p[4], high: -p[3] };
  }
  function drawMatrix() {
    if (!matrix) return;
    var order = visibleRuns.slice();
    var cell = Math.max(8, Math.min(22, Math.floor(700 / Math.max(1, order.length))));
    var margin = 44;
    var size = margin + order.length * cell + 2;
    var context = sizeCanvas(matrix, size, size);
    var largest = data.pairs.reduce(function (m, p) { return Math.max(m, Math.abs(p[2])); }, 1e-9);
    context.font = Math.min(11, cell) + "px sans-serif";
    order.forEach(function (r, i) {
      context.fillStyle = runs[r].color;
      context.fillRect(0, margin + i * cell, 5, cell - 1);
      context.fillRect(margin + i * cell, 0, cell - 1, 5);
      context.fillStyle = "#1a202c";
      if (cell >= 8) {
        context.fillText(runs[r].alias, 7, margin + i * cell + cell - 1);
        context.save();
        context.translate(margin + i * cell + cell - 1, margin - 3);
        context.rotate(-Math.PI / 2);
        context.fillText(runs[r].alias, 0, 0);
        context.restore();
      }
    });
    order.forEach(function (row, i) {
      order.forEach(function (column, j) {
        var p = pairFor(row, column);
        var strength = p ? 0.35 + 0.65 * Math.min(1, Math.abs(p.d) / largest) : 0;
        context.fillStyle = row === column ? "#4a5568" : !p ? "#ffffff" :
          p.low > 0 ? "rgba(47, 133, 90, " + strength + ")" : p.high < 0 ? "rgba(197, 48, 48, " + strength + ")" : "#e2e8f0";
        context.fillRect(margin + j * cell, margin + i * cell, cell - 1, cell - 1);
      });
    });
    matrixLayout = { order: order, cell: cell, margin: margin };
    matrix.setAttribute("data-drawn-runs", order.length);
  }
  if (matrix) {
    matrix.addEventListener("mousemove", function (event) {
      if (!matrixLayout) return;
      var box = matrix.getBoundingClientRect();
      var j = Math.floor((event.clientX - box.left - matrixLayout.margin) / matrixLayout.cell);
      var i = Math.floor((event.clientY - box.top - matrixLayout.margin) / matrixLayout.cell);
      if (i < 0 || j < 0 || i >= matrixLayout.order.length || j >= matrixLayout.order.length) { hideTip(); return; }
      var row = matrixLayout.order[i], column = matrixLayout.order[j];
      var p = pairFor(row, column);
      if (!p) { hideTip(); return; }
      showTip(event, runs[row].alias + " " + runs[row].name + " \u2212 " + runs[column].alias + " " + runs[column].name + ": " +
        (p.d >= 0 ? "+" : "") + p.d.toFixed(4) + " [" + p.low.toFixed(4) + ", " + p.high.toFixed(4) + "]" +
        (p.low > 0 || p.high < 0 ? " significant" : " not significant"));
    });
    matrix.addEventListener("mouseleave", hideTip);
  }

  // Filters: one for runs (name or alias), one for tasks (id), over every table and chart.
  function applyFilters() {
    var runText = (runFilter ? runFilter.value : "").trim().toLowerCase();
    var taskText = (taskFilter ? taskFilter.value : "").trim().toLowerCase();
    visibleRuns = [];
    runs.forEach(function (run, i) {
      if (!runText || run.name.toLowerCase().indexOf(runText) >= 0 || run.alias.toLowerCase() === runText) visibleRuns.push(i);
    });
    visibleTasks = [];
    tasks.forEach(function (task, i) { if (!taskText || task.id.toLowerCase().indexOf(taskText) >= 0) visibleTasks.push(i); });
    var shown = {};
    visibleRuns.forEach(function (i) { shown[i] = true; });
    Array.prototype.forEach.call(document.querySelectorAll("[data-run-index]"), function (element) {
      element.classList.toggle("hidden", !shown[element.getAttribute("data-run-index")]);
    });
    Array.prototype.forEach.call(document.querySelectorAll("li[data-task]"), function (element) {
      element.classList.toggle("hidden", !!taskText && element.getAttribute("data-task").toLowerCase().indexOf(taskText) < 0);
    });
    var status = document.getElementById("filter-status");
    if (status) status.textContent = (runText || taskText) ? "showing " + visibleRuns.length + " of " + runs.length + " runs, " +
      visibleTasks.length + " of " + tasks.length + " tasks" : "";
    drawHeat();
    drawMatrix();
  }
  if (runFilter) runFilter.addEventListener("input", applyFilters);
  if (taskFilter) taskFilter.addEventListener("input", applyFilters);

  // Sortable tables: a header's click sorts by its column, again to reverse.
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var headers = table.querySelectorAll("thead th");
    Array.prototype.forEach.call(headers, function (header, column) {
      if (!header.hasAttribute("data-sort")) return;
      header.addEventListener("click", function () {
        var numeric = header.getAttribute("data-sort") === "num";
        var descending = header.getAttribute("data-direction") !== "descending";
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("data-direction"); });
        header.setAttribute("data-direction", descending ? "descending" : "ascending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        function key(row) {
          var cell = row.cells[column];
          var value = cell ? (cell.getAttribute("data-v") || cell.textContent) : "";
          return numeric ? parseFloat(value) : value.toLowerCase();
        }
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });

  applyFilters();
})();
"""#
}
