// convanim network view: any cell's numbers. Shipped only with a network's player (data.nd), after
// it. Pointing at a cell of any drawn map (the player lights its receptive field, data.rf), or
// choosing map, channel, row and column in the "Any cell" controls, writes that cell's text from
// data.nd.a, made by the Python side (frames/network_cells.py): every map's values as written
// (integers, each map deflated, in z, inflated with DecompressionStream; per map m: [C, H, W,
// decimals, bytes a value, offset, length], the bytes plane by plane, or [C, H, W, decimals, "=" or
// "+", map]: equal to that map's, or its ReLU), each convolution's taps (st: [source, rows, cols,
// stride r, c, dilation r, c, kh, kw, groups, label ids per filter, bias label ids or 0]; a row or
// column −1 reads a zero), the weight labels (lt) and per map the recipe of the text (r). A sampled
// cell (data.nd.d: [map, channel, row, col, label, text, svg or 0]) also shows the layer view's
// picture of its step; the list picks one of them. Any cell of a convolution with a step picture
// (a.sp per stage: {s: poster, d: data island, w, h, l: title, f: the step's frame}, an editable
// one-step layer laid out for any cell of its map, frames/network.py step_picture) shows the layer
// view's picture of its step: the player of that picture is built once and given the cell's window
// as its map writes it, its filter and bias (a.fw per stage: [bytes a float, offset, length] in z,
// the weights as slid then the bias), and the cell's value (layer.js's edit "output"); the layer's
// own rules (templates/layer.js) redo every text. Without DecompressionStream (or for a map not
// written with decimals) pointing shows the nearest sampled cell, as data.nd.n says.
(() => {
  "use strict";
  if (window.convanimNetwork) { window.convanimNetwork(); return; }
  var MINUS = "\u2212";
  function el(name, attrs, text) {
    var e = document.createElement(name);
    Object.keys(attrs || {}).forEach((k) => { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }
  // network_cells.number: an integer of a map's written values as text.
  function number(q, d) {
    var digits = String(Math.abs(q)).padStart(d + 1, "0"), n = digits.length - d;
    return (q < 0 ? MINUS : "") + digits.slice(0, n) + (d ? "." + digits.slice(n) : "");
  }
  function paren(t) { return t.charAt(0) === MINUS ? "(" + t + ")" : t; }
  // The text of any cell [map, channel, row, col] from a (data.nd.a) and the decoded bytes.
  function cells(a, bytes) {
    function value(j, c, r, col) {
      var m = a.m[j], n = m[0] * m[1] * m[2], i = (c * m[1] + r) * m[2] + col, q = 0;
      if (m[4] === "=") return value(m[5], c, r, col);
      if (m[4] === "+") return Math.max(0, value(m[5], c, r, col));
      for (var b = m[4] - 1; b >= 0; b--) q = q * 256 + bytes[j][b * n + i];
      return q >= Math.pow(2, 8 * m[4] - 1) ? q - Math.pow(2, 8 * m[4]) : q;
    }
    function written(j, c, r, col) { return number(value(j, c, r, col), a.m[j][3]); }
    // network_cells.terms: weight·input per tap of each plane read, the first most, "…", the last; the bias.
    function terms(j, cell, most) {
      var st = a.st[j - 1], k = cell[1], labels = st[10][k], taps = st[7] * st[8], out = [];
      var cin = labels.length / taps, g = Math.floor(k / (st[10].length / st[9]));
      for (var p = 0; p < cin; p++) {
        for (var i = 0; i < st[7]; i++) {
          var r = st[1][cell[2] * st[3] + i * st[5]];
          for (var jj = 0; jj < st[8]; jj++) {
            var c = st[2][cell[3] * st[4] + jj * st[6]];
            var x = r < 0 || c < 0 ? number(0, a.m[st[0]][3]) : written(st[0], g * cin + p, r, c);
            out.push(paren(a.lt[labels[(p * st[7] + i) * st[8] + jj]]) + "\u00b7" + paren(x));
          }
        }
      }
      if (out.length > most + 1) out = out.slice(0, most).concat(["\u2026", out[out.length - 1]]);
      return st[11] ? out.concat(["bias " + a.lt[st[11][k]]]) : out;
    }
    var textOf = (cell) => {
      var j = cell[0];
      if (!a.m[j]) return null;
      return a.r[j].map((part) => {
        if (typeof part === "string") return part;
        if (part[0] === "w") return a.nm[j] + "[" + cell[1] + "][" + cell[2] + "," + cell[3] + "]";
        if (part[0] === "v") return written(j, cell[1], cell[2], cell[3]);
        return terms(j, cell, part[1]).join(" + ");
      }).join("");
    };
    textOf.value = value;
    return textOf;
  }
  // Floats packed as network_cells.floats packs them (bytes plane by plane, little-endian).
  function floats(bytes, size) {
    var n = bytes.length / size, buf = new DataView(new ArrayBuffer(size)), out = [];
    for (var i = 0; i < n; i++) {
      for (var b = 0; b < size; b++) buf.setUint8(b, bytes[b * n + i]);
      out.push(size === 4 ? buf.getFloat32(0, true) : buf.getFloat64(0, true));
    }
    return out;
  }
  // Nested arrays of ``shape`` from flat values.
  function nest(flat, shape) {
    if (shape.length === 1) return flat;
    var n = flat.length / shape[0], out = [];
    for (var i = 0; i < shape[0]; i++) out.push(nest(flat.slice(i * n, (i + 1) * n), shape.slice(1)));
    return out;
  }
  // The window, filter, bias and value of cell [map, channel, row, col] of a stage with a step
  // picture (detail.window through the taps, from the maps as written, as frames/network.py _step).
  function stepValues(a, value, weights, cell) {
    var j = cell[0], st = a.st[j - 1], src = st[0], kh = st[7], kw = st[8], k = cell[1], w = weights[j - 1];
    var planes = st[10][k].length / (kh * kw), scale = Math.pow(10, a.m[src][3]), x = [], f = [], g = group(st, k);
    for (var p = 0; p < planes; p++) {
      for (var i = 0; i < kh; i++) {
        var r = st[1][cell[2] * st[3] + i * st[5]];
        for (var jj = 0; jj < kw; jj++) {
          var c = st[2][cell[3] * st[4] + jj * st[6]];
          x.push(r < 0 || c < 0 ? 0 : value(src, g * planes + p, r, c) / scale);
          f.push(w[((k * planes + p) * kh + i) * kw + jj]);
        }
      }
    }
    var n = st[10].length * planes * kh * kw;
    return {x: nest(x, [planes, kh, kw]), w: [nest(f, [planes, kh, kw])], b: w.length > n ? [w[n + k]] : null,
      o: [[[value(j, k, cell[2], cell[3]) / Math.pow(10, a.m[j][3])]]]};
  }
  // The group filter k of a stage's taps [.., groups (9), labels per filter (10), ..] belongs to.
  function group(st, k) { return Math.floor(k / (st[10].length / st[9])); }
  function start(root) {
    var island = root.querySelector(".convanim-data"), svg = root.querySelector(".convanim-stage > svg");
    if (!island || !svg || root.hasAttribute("data-network")) return;
    var data = JSON.parse(island.textContent), nd = data.nd, a = nd && nd.a, shown = -1, textOf = null;
    if (!nd || !data.rf) return;
    root.setAttribute("data-network", "");
    var panel = el("div", {"class": "convanim-detail"}), pick = el("select", {"class": "convanim-sampled", "aria-label": "Sampled cell whose picture, numbers and receptive field to show"});
    var text = el("p", {"class": "convanim-detail-text", "aria-live": "polite"}), img = el("img", {style: "display:none;max-width:100%;height:auto"});
    var steps = el("div", {"class": "convanim-steps"}), stepPlayers = {}, weights = null;
    var note = el("p", {style: "opacity:0.85"}, nd.n), label = el("label", {}, "Sampled cell with a picture: ");
    var any = el("fieldset", {"class": "convanim-anycell"}), inputs = {};
    pick.appendChild(new Option("(point at a cell, or pick one)", "-1"));
    nd.d.forEach((d, i) => { pick.appendChild(new Option(d[4], String(i))); });
    label.appendChild(pick);
    if (a) {
      any.appendChild(el("legend", {}, "Any cell (map, channel, row, column)"));
      var mapPick = el("select", {"data-part": "map"});
      a.m.forEach((m, j) => { if (m) mapPick.appendChild(new Option(a.nm[j] + " (" + m.slice(0, 3).join("\u00d7") + ")", String(j))); });
      var mapLabel = el("label", {}, "map ");
      mapLabel.appendChild(mapPick);
      any.appendChild(mapLabel);
      inputs.map = mapPick;
      ["channel", "row", "column"].forEach((name) => {
        var lab = el("label", {}, " " + name + " "), input = el("input", {type: "number", min: "0", value: "0", step: "1", "data-part": name, style: "width:5em"});
        lab.appendChild(input);
        any.appendChild(lab);
        inputs[name] = input;
      });
      any.disabled = true;
    }
    [label, any, text, img, note].forEach((e) => { panel.appendChild(e); });
    root.appendChild(panel);
    root.after(steps);  // (beside the player, not in it: a player in a player would answer its selectors)
    // The cell under a point of the picture: [map, channel, row, col], or null.
    function cellAt(x, y) {
      var found = null;
      data.rf.m.forEach((p) => {
        var c = Math.floor((x - p[2]) / p[6]), r = Math.floor((y - p[3]) / p[6]);
        if (!found && r >= 0 && c >= 0 && r < p[4] && c < p[5]) found = [p[0], p[1], r, c];
      });
      return found;
    }
    // The shipped detail of a cell, or the nearest: of its map and channel, else of its map.
    function nearest(cell) {
      var best = -1, score = Infinity;
      nd.d.forEach((d, i) => {
        if (d[0] !== cell[0]) return;
        var s = (d[1] === cell[1] ? 0 : 1e9) + Math.abs(d[2] - cell[2]) + Math.abs(d[3] - cell[3]);
        if (s < score) { score = s; best = i; }
      });
      return best;
    }
    // Stage i's step picture: its player, built once (paused, its controls hidden).
    function stepPlayer(i, g) {
      var key = i + "/" + g;
      if (stepPlayers[key]) return stepPlayers[key];
      var sp = g ? a.sp[i].g[g - 1] : a.sp[i], box = el("div", {"class": "convanim-player" + (root.classList.contains("convanim-themed") ? " convanim-themed" : ""),
        role: "group", "aria-label": sp.l, style: (root.getAttribute("style") || "").replace(/max-width:[^;]*;?/, "") + ";max-width:" + sp.w + "px"});
      var data_ = el("script", {type: "application/json", "class": "convanim-data"});
      data_.textContent = JSON.stringify(sp.d);
      box.appendChild(el("img", {"class": "convanim-still", src: sp.s, alt: sp.l, width: String(sp.w), height: String(sp.h), style: "display:block;width:100%;max-width:100%;height:auto"}));
      box.appendChild(data_);
      steps.appendChild(box);
      window.convanimPlayer.boot();
      window.convanimPlayer.get(box).pause();
      [".convanim-bar", ".convanim-readout"].forEach((sel) => { var e = box.querySelector(sel); if (e) e.style.display = "none"; });
      return stepPlayers[key] = box;
    }
    // Cell [map, channel, row, col]'s step drawn by its stage's step picture; false when its
    // stage has none (or its numbers are not there).
    function step(cell) {
      var i = cell[0] - 1, sp = a && a.sp && i >= 0 && a.sp[i];
      if (sp && steps.getAttribute("data-step") === String(cell)) return true;  // (the pointer moved within the cell)
      var key = sp ? i + "/" + group(a.st[i], cell[1]) : "";
      Object.keys(stepPlayers).forEach((n) => { stepPlayers[n].style.display = n === key && weights ? "" : "none"; });
      steps.removeAttribute("data-step");
      if (!sp || !weights || !textOf) return false;
      var box = stepPlayer(i, group(a.st[i], cell[1])), v = stepValues(a, textOf.value, weights, cell), api = box.convanim;
      try {
        api.edit("output", v.o);
        api.edit("input", v.x);
        api.edit("weight", v.w);
        if (v.b) api.edit("bias", v.b);
      } catch (err) {  // (a value outside the picture's ranges: cannot happen, the ranges are the maps')
        box.style.display = "none";
        root.setAttribute("data-error", String(err));
        return false;
      }
      api.show(sp.f);
      box.style.display = "";
      steps.setAttribute("data-step", String(cell));
      return true;
    }
    function picture(d) {
      img.style.display = d && d[6] ? "block" : "none";
      if (d && d[6] && img.getAttribute("src") !== d[6]) {
        img.src = d[6];
        img.alt = d[5];
      }
    }
    // Bounds of the controls for the map chosen; the controls set to a cell.
    function bound(cell) {
      var m = a.m[cell[0]];
      ["channel", "row", "column"].forEach((name, n) => {
        inputs[name].max = String(m[n] - 1);
        inputs[name].value = String(cell[n + 1]);
      });
      inputs.map.value = String(cell[0]);
    }
    function show(cell) {
      var words = textOf && cell && textOf(cell), i = cell ? nearest(cell) : -1, d = nd.d[i];
      if (words) {
        var exact = d && String(cell) === String(d.slice(0, 4));
        text.textContent = words;
        root.setAttribute("data-detail", String(cell));
        pick.value = exact ? String(i) : "-1";
        bound(cell);
        return picture(step(cell) || !exact ? null : d);
      }
      step([0]);  // (no step picture without the maps' numbers)
      if (!cell || !cell[0]) {
        text.textContent = cell ? "the image, channel " + cell[1] + " (" + cell[2] + ", " + cell[3] + "): pick a cell of a later map for its numbers" : "";
        picture(null);
        root.removeAttribute("data-detail");
        shown = -1;
        return;
      }
      var same = String(cell) === String(d.slice(0, 4));
      text.textContent = (same ? "" : "nearest cell with numbers: ") + d[5];
      root.setAttribute("data-detail", String(d.slice(0, 4)));
      if (i === shown) return;
      shown = i;
      pick.value = String(i);
      picture(d);
    }
    function point(ev) {
      var box = svg.getBoundingClientRect();
      if (!box.width) return;
      var cell = cellAt((ev.clientX - box.left) * data.w / box.width, (ev.clientY - box.top) * data.h / box.height);
      if (cell) show(cell);
    }
    svg.addEventListener("pointermove", (ev) => { if (ev.pointerType !== "touch") point(ev); });
    svg.addEventListener("click", point);
    // A cell chosen with the keyboard: its field lit as when pointed at (a channel not drawn
    // lights the cells it reads in the earlier maps drawn), its numbers shown.
    function choose(cell) {
      root.convanim.field(cell);
      show(cell);
    }
    pick.addEventListener("change", () => {
      var d = nd.d[+pick.value];
      if (d) choose(d.slice(0, 4)); else show(null);
    });
    any.addEventListener("change", (ev) => {
      var j = +inputs.map.value, m = a.m[j];
      if (ev.target === inputs.map) ["channel", "row", "column"].forEach((name) => { inputs[name].value = "0"; });
      var cell = [j].concat(["channel", "row", "column"].map((name, n) => Math.max(0, Math.min(m[n] - 1, Math.floor(+inputs[name].value) || 0))));
      choose(cell);
    });
    if (a && window.DecompressionStream) {
      var raw = Uint8Array.from(atob(a.z), (ch) => ch.charCodeAt(0));
      var inflate = (at, n) => new Response(new Blob([raw.subarray(at, at + n)]).stream().pipeThrough(new DecompressionStream("deflate-raw")))
        .arrayBuffer().then((buf) => new Uint8Array(buf));
      Promise.all(a.m.map((m) => !m || typeof m[4] !== "number" ? null : inflate(m[5], m[6])).concat(
        (a.fw || []).map((f) => f ? inflate(f[1], f[2]).then((b) => floats(b, f[0])) : null)
      )).then((bytes) => {
        if (a.fw) weights = bytes.slice(a.m.length);
        textOf = cells(a, bytes.slice(0, a.m.length));
        any.disabled = false;
        note.textContent = a.n;
        root.setAttribute("data-cells", "ready");
        bound([+inputs.map.value, 0, 0, 0]);
      }, (err) => { root.setAttribute("data-error", String(err)); });
    }
  }
  window.convanimNetwork = () => {
    Array.prototype.forEach.call(document.querySelectorAll(".convanim-player"), (root) => {
      try { start(root); } catch (err) { root.setAttribute("data-error", String(err)); }
    });
  };
  window.convanimNetwork();
})();
