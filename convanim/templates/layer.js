// convanim layer editing: the rules of a layer view (frames/layer.py, frames/layer_slots.py),
// shipped only with its players, before them (ed.js = "layer"): the output summed as numpy sums
// the layer's steps (each plane's products, the planes in order, then the bias), the planes' sums,
// the bias and the equations, the weights' label sizes, the bias as an editable text, the alt
// text's ranges, and the shapes edit() takes: (C, H, W) or 2-D input, 4-D or 2-D weight, 1-D bias,
// (K, oh, ow) output (shown as given instead of the sums: a network cell's value).
(() => {
  "use strict";
  var P = window.convanimPlayer;
  if (!P || !P.x || P.x.layer) return;
  var L = P.lib, MINUS = "\u2212", SUB = "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089";
  var paren = (t) => t.charAt(0) === MINUS ? "(" + t + ")" : t;
  var NAMES = {input: 0, weight: 1, bias: 2};

  // frames/layer_slots._runs: one plane's taps in the order numpy adds them
  function runs(order, kh, kw) {
    var out = [], r, c;
    if (order !== "rows") {
      out.push([]);
      for (var j = 0; j < kh * kw; j++) out[0].push(order === "cols" ? (j % kh) * kw + Math.floor(j / kh) : j);
      return out;
    }
    for (r = 0; r < kh; r++) for (out.push([]), c = 0; c < kw; c++) out[r].push(r * kw + c);
    return out;
  }
  // frames/layer_slots.pairwise: numpy's pairwise_sum of a contiguous run (a one-step window)
  function pairwise(a) {
    var n = a.length, i, total = 0;
    if (n < 8) {
      for (i = 0; i < n; i++) total += a[i];
      return total;
    }
    if (n > 128) {
      var half = Math.floor(n / 2) - Math.floor(n / 2) % 8;
      return pairwise(a.slice(0, half)) + pairwise(a.slice(half));
    }
    var r = a.slice(0, 8);
    for (i = 8; i < n - n % 8; i += 8) for (var j = 0; j < 8; j++) r[j] += a[i + j];
    total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) total += a[i];
    return total;
  }
  function sizes(ed) {
    var k = ed.k;
    return {n: k[0] * k[1] * k[2] * k[3], taps: k[2] * k[3], per: ed.p[0] * ed.p[1]};
  }
  // the grid cell step i reads in its q-th plane under weight j
  function cell(ed, m, i, q, j) {
    var p = ed.p, z = sizes(ed), r = i % z.per, f = Math.floor(i / z.per);
    return p[7][f][q] * m.cells + Math.floor(r / p[1]) * p[2] + (r % p[1]) * p[3] + p[5][j];
  }

  // frames/layer_slots.evaluate and LayerValues: the grid, the sums, the output, formats, labels
  function model(ed, image, given) {
    var z = sizes(ed), K = ed.k[0], np_ = ed.k[1], b = ed.b ? given.slice(z.n) : null;
    var w = ed.wm ? ed.wm.map((j) => given[j]) : given.slice(0, z.n);  // the weights that slide
    var grid = ed.o.map((i) => i < 0 ? 0 : image[i]), m = {grid: grid, cells: grid.length / ed.c, w: w, b: b, image: image, g: given, preset: null};
    var order = ed.p[6] === "pairwise" ? [] : runs(ed.p[6], z.taps / ed.p[4], ed.p[4]), out = [], sums = [];
    for (var i = 0; i < K * z.per; i++) {
      var f = Math.floor(i / z.per), row = [];
      ed.p[7][f].forEach((c, q) => {
        var total = 0, at = (j) => w[(f * np_ + q) * z.taps + j] * grid[cell(ed, m, i, q, j)];
        if (ed.p[6] === "pairwise") total += pairwise(ed.p[5].map((d, j) => at(j)));
        order.forEach((run) => {
          var part = 0;
          run.forEach((j) => { part += at(j); });
          total += part;
        });
        row.push(total);
      });
      var t = row[0];
      for (var q = 1; q < row.length; q++) t += row[q];
      out.push(b ? t + b[f] : t);
      sums.push(row);
    }
    var planes = [], filters = [], labels = [];
    for (i = 0; i < K * np_; i++) planes.push(w.slice(i * z.taps, (i + 1) * z.taps));
    for (f = 0; f < K; f++) filters.push(w.slice(f * np_ * z.taps, (f + 1) * np_ * z.taps));
    planes.forEach((plane) => { labels = labels.concat(L.planeLabels(plane, w)); });
    var averaging = filters.every((x) => x.every((v) => v >= 0) && Math.abs(L.npSum(x) - 1) < 1e-9) && !(b || []).some((v) => v);
    var whole = grid.concat(w, b || []).every(Number.isInteger), sc = L.scales(ed, grid, averaging ? filters[0] : [-1], out);
    var own = ed.wm ? ed.wm.map((j) => ed.w[j]) : ed.w;  // the scenario's own weights, as they slide
    m.own = filters.map((x, f) => x.every((v, j) => v === own[f * np_ * z.taps + j]));
    if (ed.ov) out = ed.ov.slice();  // the output as given (edit "output"), not the sums
    m.out = out;
    m.sums = sums;
    m.labels = labels;
    m.exact = filters.map((x) => x.every(L.weightIsExact));
    m.fi = L.formatter(grid, 0);
    m.fo = L.formatter(out, whole ? 0 : 1);
    m.sin = sc[0];
    m.sout = sc[1];
    m.o3 = [];
    for (f = 0; f < K; f++) {
      m.o3.push([]);
      for (var r = 0; r < ed.p[0]; r++) m.o3[f].push(out.slice(f * z.per + r * ed.p[1], f * z.per + (r + 1) * ed.p[1]));
    }
    return m;
  }

  // frames/layer_slots.sub: Σ's subscript, "in[2]" reads Σ₂, a name reads Σ(R)
  function sub(name) {
    var d = /^in\[(\d+)\]$/.exec(name);
    return d ? d[1].replace(/\d/g, (c) => SUB[c]) : "(" + name + ")";
  }

  // frames/layer_slots.equation: step i written out, fitted to the strip
  function equation(ed, m, i) {
    var p = ed.p, z = sizes(ed), k = Math.floor(i / z.per), rest = i % z.per, planes = p[7][k];
    var head = "out[" + k + "][" + Math.floor(rest / p[1]) + "," + rest % p[1] + "] = ";
    var value = (m.exact[k] ? "= " : "\u2248 ") + m.fo(m.out[i]), bias = m.b ? [paren(m.fo(m.b[k]))] : [];
    var at = (q, j) => (k * ed.k[1] + q) * z.taps + j, x = (q, j) => m.grid[cell(ed, m, i, q, j)];
    var end = (shown) => head + shown.concat(bias).join(" + ") + " " + value;
    if (planes.length === 1) {  // frames/layer_slots.flat_expansion
      var nz = [];
      for (var j = 0; j < z.taps; j++) if (m.w[at(0, j)] !== 0) nz.push(j);
      if (nz.length && nz.every((n) => m.w[at(0, n)] === m.w[at(0, nz[0])])) {
        var label = m.labels[at(0, nz[0])];
        return L.shorten(ed, nz.map((n) => m.fi(x(0, n))), (shown) => end([label + " \u00b7 (" + shown.join(" + ") + ")"]));
      }
      return L.shorten(ed, nz.map((n) => paren(m.labels[at(0, n)]) + "\u00b7" + paren(m.fi(x(0, n)))), (shown) => end([shown.join(" + ")]));
    }
    if (z.taps === 1) {  // w·x per channel: a weighted sum across channels
      return L.shorten(ed, planes.map((c, q) => paren(m.labels[at(q, 0)]) + "\u00b7" + paren(m.fi(x(q, 0)))), end);
    }
    var numbers = m.sums[i].map((s) => m.fo(s));
    var symbolic = planes.map((c) => "\u03a3" + sub(ed.nm[c])).concat(bias.length ? ["b"] : []).join(" + ");
    var full = head + symbolic + " = " + numbers.concat(bias).join(" + ") + " " + value;
    return L.fastWidth(ed, full) <= ed.room ? full : L.shorten(ed, numbers, end);
  }

  // Nested arrays of ``shape`` into ``out`` (flat), or false.
  function take(v, shape, out) {
    if (!shape.length) return out.push(v), true;
    return Array.isArray(v) && v.length === shape[0] && v.every((x) => take(x, shape.slice(1), out));
  }
  function where(shape, i) {
    var at = [];
    for (var d = shape.length - 1; d >= 0; d--) at.unshift(i % shape[d]), i = Math.floor(i / shape[d]);
    return "[" + at.join("][") + "]";
  }

  // edit(name, values): the new state, or a one-line Error; ``whole``: values hold the input, or
  // the weights and the bias, entire (the inline editor's)
  // (name "output": the output shown as given, K×oh×ow, not as the sums make it: a network's cell
  // as its model computed it; null: as the sums make it again)
  function edit(ed, name, values, state, whole) {
    var k = ed.kg, z = sizes(ed), shape = {input: [ed.c].concat(ed.hw), weight: k, bias: [ed.k[0]]}[name], flat = [];
    if (name === "output") {
      var o = [ed.k[0], ed.p[0], ed.p[1]];
      if (values !== null && !take(values, o, flat)) throw new Error("output must be " + o.join("\u00d7") + " nested arrays or null");
      ed.ov = values === null ? null : flat;
      return {x: state.x, w: state.w, p: null};
    }
    if (!shape) throw new Error('edit: name must be "input", "weight" or "bias" (got ' + JSON.stringify(name) + ")");
    if (name === "bias" && !ed.b) throw new Error("this layer has no bias to edit");
    var shapes = [shape].concat(name === "input" && ed.c === 1 ? [ed.hw] : name === "weight" && k[0] * k[1] === 1 ? [k.slice(2)] : []);
    if (whole) flat = values.flat(9);
    else if (!shapes.some((s) => take(values, s, flat = []))) {
      throw new Error(name + " must be " + shapes.map((s) => s.join("\u00d7")).join(" or ") + " nested arrays (got " +
        JSON.stringify(values).slice(0, 40) + ")");
    }
    flat.forEach((x, i) => {
      var what = whole && name !== "input" ? (i < z.n ? "weight" : "bias") : name, range = ed.rg[NAMES[what]];
      if (typeof x !== "number" || !(x >= range[0] && x <= range[1])) {
        throw new Error(what + where(what === "bias" ? [ed.k[0]] : shape, whole && i >= z.n ? i - z.n : i) + " = " + x + " is outside " +
          range.join(" \u2026 ") + ", the range this picture is laid out for");
      }
    });
    flat = flat.map((x) => x + 0);
    if (name === "input") return {x: flat, w: state.w, p: null};
    var w = whole ? flat : name === "weight" ? flat.concat(state.w.slice(z.n)) : state.w.slice(0, z.n).concat(flat);
    return {x: state.x, w: w, p: null};
  }

  var width = L.width, fit = L.fit;  // textsize.text_width and frames/base.fit (the player's)
  function range(v) {
    var num = (x) => L.pyFixed(x, 2).replace(/0+$/, "").replace(/\.$/, "").replace(/^-0$/, "0").replace("-", MINUS);
    var lo = Math.min(...v), hi = Math.max(...v);
    return num(lo) + (lo === hi ? "" : " to " + num(hi));
  }

  // After every recompute: the weights' label sizes (each group by its rule, frames/layer.py
  // plane_cells and filter_beside_map), the alt text's ranges; once: the bias made editable.
  function refresh(ed, m, nodes) {
    var svg = nodes[0].closest("svg"), root = svg.closest(".convanim-player"), k = ed.vs[4], z = sizes(ed);
    var first = ed.s.find((run) => run[0] === "i"), value = first && ed.tx && nodes[first[1] + 1];
    if (!ed.ki) {  // each label's weight, by item
      ed.ki = {};
      ed.s.forEach((run) => { for (var j = 0; j < run[4] && run[0] === "k"; j++) ed.ki[run[1] + j * run[2]] = run[3] + j; });
    }
    var px = value && !value.hasAttribute("data-off") ? parseFloat(value.getAttribute("font-size")) / k : 0;
    ed.kz.forEach((g) => {
      var texts = g[0].map((i) => m.labels[ed.ki[i]]);
      var pick = texts.reduce((a, t) => (g[4] ? width(ed, t, ed.sp) > width(ed, a, ed.sp) : t.length > a.length) ? t : a);
      var size = fit(ed, pick, g[1], g[2] || Math.min(ed.sp, px || ed.sp), g[3]);
      g[0].forEach((i) => {
        if (size) nodes[i].setAttribute("font-size", L.pyFixed(size * k, 1));
        nodes[i].toggleAttribute("data-off", !size);
      });
    });
    var scale = L.scaleFor(m.w, ed.dv, true);  // weights drawn as colours (filter_beside_map)
    ed.s.forEach((run) => {
      for (var j = 0; j < run[4] && run[0] === "c"; j++) nodes[run[1] + j * run[2]].setAttribute("fill", L.colour(ed, scale, m.w[run[3] + j])[0]);
    });
    if (ed.la) svg.setAttribute("aria-label", ed.la[0] + range(m.image) + ed.la[1] + range(m.out) + ed.la[2]);
    if (ed.fn) {  // the alt text names the filters still named after their presets (alttext._filters)
      var phrase = (keep) => {
        var n = ed.fn.filter((t, f) => t && keep(f)).map((t) => t.slice(2, -1));
        return n.length ? " (" + n.join(", ") + ")" : "";
      };
      svg.setAttribute("aria-label", svg.getAttribute("aria-label").replace(phrase(() => 1), phrase((f) => m.own[f])));
    }
    ed.m = m;  // (the weights a preset changes one plane of)
    if (ed.bz) return;
    ed.bz = 1;
    ed.s.forEach((run) => {
      for (var j = 0; j < run[4] && Array.isArray(run[0]) && String(run[0][1]) === "B"; j++) {
        var node = nodes[run[1] + j * run[2]], b = run[3] + j;
        node.setAttribute("data-edit", "bias " + (z.n + b));
        node.setAttribute("tabindex", "0");
        node.setAttribute("role", "button");
        node.setAttribute("aria-label", "edit bias [" + b + "]");
        node.classList.add("convanim-cell");
        node.style.pointerEvents = "auto";  // (an editable cell's value lets clicks through to it)
        node.style.strokeWidth = "0.5px";  // its focus ring: a thin outline of the letters
      }
    });
    var span = (n) => ed.rg[n].join(" \u2026 ").replace(/-/g, MINUS);
    Promise.resolve().then(() => {  // once the player has built its edit bar and its editable cells
      // a drawn weight edits the given one in its place (a flip's, a transposed layer's)
      root.querySelectorAll("[data-edit^=weight]").forEach((node) => {
        var i = ed.wm ? ed.wm[+node.getAttribute("data-edit").split(" ")[1]] : null;
        if (i == null) return;
        node.setAttribute("data-edit", "weight " + i);
        if (node.hasAttribute("aria-label")) node.setAttribute("aria-label", "edit " + named(ed, "weight", i));
      });
      var bar = root.querySelector(".convanim-editbar span");
      if (bar) bar.textContent = "click an input cell" + (ed.b ? ", a weight or a bias" : " or a weight") + " to edit: input " + span(0) +
        ", weights " + span(1) + (ed.b ? ", bias " + span(2) : "");
      if (bar && ed.pl) menu(ed, root, bar);
    });
  }

  // The preset menu of a layer: a plane (filter k's plane that reads input plane c, ed.pl: [its
  // name, the given plane it is]) and a preset (ed.ps) set on it, through edit("weight", …).
  function menu(ed, root, bar) {
    var z = sizes(ed), h = (name, attrs, text) => {
      var el = document.createElement(name);
      for (var a in attrs) el.setAttribute(a, attrs[a]);
      if (text) el.textContent = text;
      return el;
    };
    var plane = h("select", {"data-act": "plane"}), preset = h("select", {"data-act": "preset"});
    ed.pl.forEach((p, i) => { plane.appendChild(h("option", {value: i}, p[0])); });
    preset.appendChild(h("option", {value: ""}, "preset\u2026"));
    Object.keys(ed.ps).forEach((p) => { preset.appendChild(h("option", {value: p}, p.replace(/_/g, " "))); });
    var reset = bar.parentNode.firstChild;
    [["plane ", plane], ["preset ", preset]].forEach((x) => {  // before the reset button
      var label = h("label", {}, x[0]);
      label.appendChild(x[1]);
      bar.parentNode.insertBefore(label, reset);
    });
    preset.addEventListener("change", () => {
      var name = preset.value, p = ed.pl[+plane.value], w = ed.m.g.slice(0, z.n);
      if (!name) return;
      ed.ps[name].forEach((v, j) => { w[p[1] * z.taps + j] = v; });
      var nest = (flat, shape) => shape.length < 2 ? flat : Array.from({length: shape[0]}, (_, i) => {
        var n = flat.length / shape[0];
        return nest(flat.slice(i * n, (i + 1) * n), shape.slice(1));
      });
      root.convanim.edit("weight", nest(w, ed.kg));
      var readout = root.querySelector(".convanim-readout");
      readout.textContent = p[0] + " set to " + name.replace(/_/g, " ") + ": " + readout.textContent;
      preset.value = "";
    });
  }

  // the inline editor's name of input, weight or bias cell i (flat over the whole state)
  function named(ed, name, i) {
    var z = sizes(ed), shape = name === "input" ? [ed.c].concat(ed.hw) : name === "weight" ? ed.kg : [ed.k[0]];
    return name + where(shape, name === "bias" ? i - z.n : i);
  }

  P.x.layer = {
    where: named,
    model: model,
    text: (ed, m, node, step) => node[0] === "c" ? "" : node[0] === "S" ? m.fo(m.sums[Math.floor(step / ed.k[1])][step % ed.k[1]])
      : node[0] === "B" ? m.fo(m.b[step]) : node[0] === "N" ? (m.own[node[1]] ? ed.fn[node[1]] : "") : equation(ed, m, node[1]),
    edit: edit,
    refresh: refresh
  };
})();
