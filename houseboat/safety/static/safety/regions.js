// houseboat region editor: drag on the picture to draw a box over a face, click a box
// to select it, Delete (or its "Remove this box" tick) to take it away. The boxes are
// the rows of the form below the picture, so saving works the same with or without
// this script; the script only draws the rows as SVG rectangles and adds new rows.
// Loaded as a file (the CSP allows no inline scripts); positions are SVG attributes.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var MIN_SIDE = 4; // picture pixels: a click is a selection, not a box

  var stage = document.getElementById("region-stage");
  var overlay = document.getElementById("region-overlay");
  var list = document.getElementById("region-list");
  var template = document.getElementById("region-row-template");
  var count = document.getElementById("region-count");
  if (!stage || !overlay || !list || !template) return;

  var labelSize = Number(overlay.dataset.labelSize) || 16;
  var boxWord = overlay.dataset.boxWord || "Box";
  var width = Number(stage.dataset.width);
  var height = Number(stage.dataset.height);
  var created = 0;
  var drawing = null;

  document.querySelectorAll(".js-only").forEach(function (node) { node.hidden = false; });
  stage.classList.add("drawable");

  function rows() { return Array.prototype.slice.call(list.querySelectorAll(".region-row")); }
  function field(row, name) { return row.querySelector('input[name="' + name + '"]'); }
  function rectFor(key) { return overlay.querySelector('rect[data-key="' + key + '"]'); }
  function labelFor(key) { return overlay.querySelector('text[data-key="' + key + '"]'); }
  function rowFor(key) { return list.querySelector('.region-row[data-key="' + key + '"]'); }

  function toPicture(event) {
    var box = overlay.getBoundingClientRect();
    var x = (event.clientX - box.left) / box.width * width;
    var y = (event.clientY - box.top) / box.height * height;
    return { x: Math.max(0, Math.min(width, x)), y: Math.max(0, Math.min(height, y)) };
  }

  function place(rect, x0, y0, x1, y1) {
    rect.setAttribute("x", Math.round(Math.min(x0, x1)));
    rect.setAttribute("y", Math.round(Math.min(y0, y1)));
    rect.setAttribute("width", Math.round(Math.abs(x1 - x0)));
    rect.setAttribute("height", Math.round(Math.abs(y1 - y0)));
  }

  function renumber() {
    var live = rows().filter(function (row) { return !field(row, "remove").checked; });
    rows().forEach(function (row, index) {
      row.querySelector(".region-number").textContent = String(index + 1);
      var rect = rectFor(row.dataset.key);
      var label = labelFor(row.dataset.key);
      if (label) label.textContent = String(index + 1);
      if (rect) {
        var name = boxWord + " " + (index + 1);
        rect.setAttribute("aria-label", name);
        var title = rect.querySelector("title");
        if (title) title.textContent = name;
      }
    });
    if (count) {
      var n = live.length;
      count.textContent = n === 1 ? count.dataset.templateOne
        : count.dataset.templateMany.replace("%(n)s", String(n));
    }
    var empty = document.getElementById("no-regions");
    if (empty) empty.hidden = live.length > 0;
  }

  function select(key) {
    overlay.querySelectorAll("rect.selected").forEach(function (r) { r.classList.remove("selected"); });
    list.querySelectorAll(".region-row.selected").forEach(function (r) { r.classList.remove("selected"); });
    var rect = rectFor(key);
    var row = rowFor(key);
    if (rect) rect.classList.add("selected");
    if (row) row.classList.add("selected");
  }

  function sync(row) {
    var rect = rectFor(row.dataset.key);
    if (!rect) return;
    rect.classList.toggle("unblurred", !field(row, "blur").checked);
    rect.classList.toggle("removed", field(row, "remove").checked);
    renumber();
  }

  function remove(key) {
    var row = rowFor(key);
    if (!row) return;
    field(row, "remove").checked = true;
    sync(row);
    field(row, "remove").focus();
  }

  function addRow(x0, y0, x1, y1) {
    created += 1;
    var key = "new" + created;
    var row = template.content.firstElementChild.cloneNode(true);
    row.dataset.key = key;
    field(row, "key").value = key;
    field(row, "x0").value = Math.round(Math.min(x0, x1));
    field(row, "y0").value = Math.round(Math.min(y0, y1));
    field(row, "x1").value = Math.round(Math.max(x0, x1));
    field(row, "y1").value = Math.round(Math.max(y0, y1));
    field(row, "blur").value = key;
    field(row, "remove").value = key;
    list.appendChild(row);
    return key;
  }

  function makeRect(key) {
    var rect = document.createElementNS(SVG, "rect");
    rect.setAttribute("class", "region hand");
    rect.setAttribute("tabindex", "0");
    rect.setAttribute("role", "button");
    rect.dataset.key = key;
    rect.appendChild(document.createElementNS(SVG, "title"));
    overlay.appendChild(rect);
    var label = document.createElementNS(SVG, "text");
    label.setAttribute("class", "region-label");
    label.setAttribute("aria-hidden", "true");
    label.setAttribute("font-size", labelSize);
    label.dataset.key = key;
    overlay.appendChild(label);
    return rect;
  }

  overlay.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) return;
    if (event.target.tagName === "rect" && event.target.dataset.key) {
      select(event.target.dataset.key);
      return;
    }
    var start = toPicture(event);
    var rect = document.createElementNS(SVG, "rect");
    rect.setAttribute("class", "region hand drawing");
    place(rect, start.x, start.y, start.x, start.y);
    overlay.appendChild(rect);
    drawing = { start: start, rect: rect };
    overlay.setPointerCapture(event.pointerId);
    event.preventDefault();
  });

  overlay.addEventListener("pointermove", function (event) {
    if (!drawing) return;
    var here = toPicture(event);
    place(drawing.rect, drawing.start.x, drawing.start.y, here.x, here.y);
  });

  function finish(event) {
    if (!drawing) return;
    var end = toPicture(event);
    var start = drawing.start;
    drawing.rect.remove();
    drawing = null;
    if (Math.abs(end.x - start.x) < MIN_SIDE || Math.abs(end.y - start.y) < MIN_SIDE) return;
    var key = addRow(start.x, start.y, end.x, end.y);
    place(makeRect(key), start.x, start.y, end.x, end.y);
    var label = labelFor(key);
    label.setAttribute("x", Math.round(Math.min(start.x, end.x) + labelSize / 4));
    label.setAttribute("y", Math.round(Math.min(start.y, end.y) + labelSize));
    renumber();
    select(key);
  }
  overlay.addEventListener("pointerup", finish);
  overlay.addEventListener("pointercancel", function () {
    if (drawing) drawing.rect.remove();
    drawing = null;
  });

  overlay.addEventListener("keydown", function (event) {
    var key = event.target.dataset && event.target.dataset.key;
    if (!key) return;
    if (event.key === "Enter" || event.key === " ") {
      select(key);
      event.preventDefault();
    } else if (event.key === "Delete" || event.key === "Backspace") {
      remove(key);
      event.preventDefault();
    }
  });
  overlay.addEventListener("focusin", function (event) {
    if (event.target.dataset && event.target.dataset.key) select(event.target.dataset.key);
  });

  list.addEventListener("change", function (event) {
    var row = event.target.closest(".region-row");
    if (row) sync(row);
  });
  list.addEventListener("click", function (event) {
    var row = event.target.closest(".region-row");
    if (row) select(row.dataset.key);
  });

  document.addEventListener("keydown", function (event) {
    if ((event.key === "Delete" || event.key === "Backspace") && event.target === document.body) {
      var selected = overlay.querySelector("rect.selected");
      if (selected) remove(selected.dataset.key);
    }
  });

  renumber();
})();
