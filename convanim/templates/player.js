// convanim player: shows the frames of a display list (its JSON data island) as SVG.
// Defined once per page as window.convanimPlayer, the only global; each player's bootstrap calls
// boot(), which starts every .convanim-player root not started yet (data-ready), so running it
// again is harmless. Script hook: convanimPlayer.get(root) -> {frame(), frames, goTo(k), play(),
// pause(), playing()}; and root.convanim = {frames, frame(), show(k), texts(), edit(name, values),
// output(), reset(), field(cell)}: an editable picture (data.ed) recomputes every number after an
// edit; field lights the receptive field of cell [map, channel, row, col] (data.rf).
// No network, no eval: the picture is built with DOM calls.
// Without JavaScript a player is only its poster, an <img> of SVG; this script puts the same SVG
// inline in its place (to draw every frame on it) and builds the controls and the readout,
// so where scripts are stripped nothing is left that cannot work. A player plays while it is in
// view (IntersectionObserver) and pauses when it leaves; one the reader paused stays paused.
(() => {
  "use strict";
  var VERSION = 4;
  if (window.convanimPlayer && window.convanimPlayer.version >= VERSION) return;
  var NS = "http://www.w3.org/2000/svg";
  var ANCHORS = ["start", "middle", "end"];
  var KEYS = {" ": "play", Spacebar: "play", ArrowLeft: "back", ArrowRight: "forward", Home: "first", End: "last"};
  var players = new WeakMap();
  var ICONS = {
    first: "M1 2h2v12H1zM9 2v12L3 8zM15 2v12L9 8z",
    back: "M10 2v12L3 8zM11 2h2v12h-2z",
    play: "M4 2v12l10-6z",
    pause: "M3 2h4v12H3zM9 2h4v12H9z",
    forward: "M3 2h2v12H3zM6 2v12l7-6z",
    last: "M1 2v12l6-6zM7 2v12l6-6zM13 2h2v12h-2z"
  };
  var BUTTONS = [["first", "First frame", "Home"], ["back", "Step back", "\u2190"], ["play", "Play", "Space"],
    ["forward", "Step forward", "\u2192"], ["last", "Last frame", "End"]];
  var CHOICES = [["speed", "speed", [["0.25", "\u00bc\u00d7"], ["0.5", "\u00bd\u00d7"], ["1", "1\u00d7"],
    ["2", "2\u00d7"], ["4", "4\u00d7"]], "1"], ["mode", "repeat", [["once", "once"], ["loop", "loop"],
    ["reflect", "reflect"]], "loop"]];

  function hNode(name, attrs, text) {
    var el = document.createElement(name);
    for (var key in attrs) el.setAttribute(key, attrs[key]);
    if (text) el.textContent = text;
    return el;
  }

  function icon(path, cls) {
    var svg = svgNode("svg", {viewBox: "0 0 16 16", "aria-hidden": "true", "class": cls});
    svg.appendChild(svgNode("path", {d: ICONS[path]}));
    return svg;
  }

  // The control bar: slider, buttons, speed and repeat (built here, never in the page's markup).
  function controls(n, k) {
    var bar = hNode("div", {"class": "convanim-bar"});
    bar.appendChild(hNode("input", {"class": "convanim-slider", type: "range", min: "0", max: String(n - 1),
      step: "1", value: String(k), "aria-label": "Frame"}));
    var row = hNode("div", {"class": "convanim-buttons"});
    BUTTONS.forEach((b) => {
      var button = hNode("button", {type: "button", "data-act": b[0], "aria-label": b[1], title: b[1] + " (" + b[2] + ")"});
      if (b[0] === "play") {
        button.appendChild(icon("play", "convanim-play"));
        button.appendChild(icon("pause", "convanim-pause"));
      } else {
        button.appendChild(icon(b[0], null));
      }
      row.appendChild(button);
    });
    CHOICES.forEach((c) => {
      var label = hNode("label", {}, c[1] + " ");
      var select = hNode("select", {"data-act": c[0]});
      c[2].forEach((o) => {
        var option = hNode("option", {value: o[0]}, o[1]);
        if (o[0] === c[3]) option.selected = true;
        select.appendChild(option);
      });
      label.appendChild(select);
      row.appendChild(label);
    });
    bar.appendChild(row);
    return bar;
  }

  // Replace the still <img> by the stage holding the same picture as inline <svg> (read back from
  // the <img>'s data: URI); add the controls and the readout.
  function build(root, still, n, k) {
    var src = still.getAttribute("src"), comma = src.indexOf(",");
    if (src.lastIndexOf("data:image/svg+xml,", 0) !== 0) throw new Error("the still is not an SVG data: URI");
    var doc = new DOMParser().parseFromString(decodeURIComponent(src.slice(comma + 1)), "image/svg+xml");
    if (doc.documentElement.namespaceURI !== NS) throw new Error("the still is not well-formed SVG");
    var svg = document.importNode(doc.documentElement, true);
    var stage = hNode("div", {"class": "convanim-stage"});
    stage.appendChild(svg);
    var readout = hNode("p", {"class": "convanim-readout", "aria-live": "polite"});
    root.insertBefore(stage, still);
    root.insertBefore(controls(n, k), still);
    root.insertBefore(readout, still);
    root.removeChild(still);
    return svg;
  }

  function svgNode(name, attrs) {
    var el = document.createElementNS(NS, name);
    for (var key in attrs) if (attrs[key] !== null) el.setAttribute(key, attrs[key]);
    return el;
  }

  // The segments of convanim.paint.raster.hatch_segments: 45° lines every sp px, clipped.
  function hatchPath(x, y, w, h, sp) {
    var d = "";
    for (var k = 1; k * sp < w + h; k++) {
      var u = k * sp, ya = Math.max(0, u - w), yb = Math.min(h, u);
      d += "M" + (x + u - ya) + " " + (y + ya) + "L" + (x + u - yb) + " " + (y + yb);
    }
    return d;
  }

  // An item of the data island as an SVG element (layout: convanim/export/playerdata.py).
  // The <svg> is crispEdges, for the grids; hatches and lines are smoothed as in the GIF.
  function itemNode(data, item) {
    var st = data.s[item[0]], c = data.c, x = item[3], y = item[4];
    // a Picture: its PNG (a data: URI), each pixel a block
    if (st[0] === 4) return svgNode("image", {x: x, y: y, width: st[2], height: st[3], preserveAspectRatio: "none",
      "image-rendering": "pixelated", href: data.p[st[1]]});
    if (st[0] === 0) {
      return svgNode("rect", {x: x, y: y, width: st[4], height: st[5], fill: st[1] < 0 ? "none" : c[st[1]],
        stroke: st[2] < 0 ? null : c[st[2]], "stroke-width": st[2] < 0 ? null : st[3]});
    }
    if (st[0] === 1) {
      return svgNode("path", {d: hatchPath(x, y, st[3], st[4], st[2]), fill: "none", stroke: c[st[1]],
        "shape-rendering": "auto"});
    }
    if (st[0] === 2) {
      var text = svgNode("text", {x: x, y: y, "font-size": st[1], fill: c[st[2]], "text-anchor": ANCHORS[st[3]],
        "font-weight": st[4] ? "bold" : null});
      text.textContent = data.t[item[5]];
      return text;
    }
    var points = [];
    for (var i = 3; i + 1 < item.length; i += 2) points.push(item[i] + "," + item[i + 1]);
    return svgNode("polyline", {points: points.join(" "), fill: "none", stroke: c[st[1]], "stroke-width": st[2],
      "stroke-dasharray": st[3] ? "5 4" : null, "shape-rendering": "auto"});
  }

  // The island's items with absolute frames, coordinates and text indices (convanim/export/
  // playerdata.py, pack): a first frame counts from the previous item's, a last one from the item's
  // first (-1: the final frame); a text's index comes first; coordinates (tenths of a px) and text
  // indices count from the previous item of the same style; a shape's trailing zeros are left out;
  // a string "k" repeats the item before it k more times.
  function unpack(data) {
    var n = data.f.length, firstBefore = 0, before = {}, list = [];
    data.i.forEach((item) => {
      if (typeof item !== "string") return list.push(item);
      for (var j = +item; j > 0; j--) list.push(list[list.length - 1]);  // (no apply: runs can be long)
    });
    return list.map((item) => {
      if (typeof item === "number") return item < 0 ? n + item : item;
      var style = item[0], kind = data.s[style][0], text = kind === 2, rest = item.slice(3);
      var first = firstBefore + item[1], out = [style, first, item[2] < 0 ? n + item[2] : first + item[2]];
      firstBefore = first;
      while (kind !== 3 && rest.length < (text ? 3 : 2)) rest.push(0);
      var moved = text ? rest.slice(1) : rest, ref = before[style], tenths = [];
      for (var j = 0; j < moved.length; j++) {
        tenths.push(moved[j] + (ref && ref.tenths.length === moved.length ? ref.tenths[j] : 0));
      }
      var index = text ? rest[0] + (ref ? ref.index : 0) : 0;
      before[style] = {tenths: tenths, index: index};
      for (j = 0; j < tenths.length; j++) out.push(tenths[j] / 10);
      if (text) out.push(index);
      return out;
    });
  }

  // ---- Editing (data.ed, see convanim/editing.py). The rules below are ports of Python's, run on
  // the same doubles in the same order, so that every text is the one convanim draws for the
  // edited values: numfmt (formatter, decimals_needed, half_away, _clean), kernels (weight_label,
  // simple_fraction, fractions_read_best, common_decimals, weight_is_exact), style (scales),
  // textsize.fast_width, frames/base.shorten and the slots of frames/slots.py.
  var MINUS = "\u2212";

  // |v| as a plain decimal string of its shortest round-trip digits (Python's repr, JS's String).
  function plain(v) {
    var s = String(Math.abs(v)), e = s.indexOf("e");
    if (e < 0) return s;
    var m = s.slice(0, e), dot = m.indexOf("."), digits = m.replace(".", "");
    var p = (dot < 0 ? m.length : dot) + parseInt(s.slice(e + 1), 10);
    if (p <= 0) return "0." + "0".repeat(-p) + digits;
    return p >= digits.length ? digits + "0".repeat(p - digits.length) : digits.slice(0, p) + "." + digits.slice(p);
  }

  // A plain decimal string rounded to d decimals, ties away from zero or (even) to even.
  function roundDec(s, d, even) {
    var i = s.indexOf("."), fp = i < 0 ? "" : s.slice(i + 1);
    while (fp.length < d + 1) fp += "0";
    var n = BigInt((i < 0 ? s : s.slice(0, i)) + fp.slice(0, d)), next = fp.charAt(d);
    if (next > "5" || (next === "5" && (/[1-9]/.test(fp.slice(d + 1)) || !even || n % 2n === 1n))) n += 1n;
    var t = n.toString().padStart(d + 1, "0");
    return d ? t.slice(0, t.length - d) + "." + t.slice(t.length - d) : t;
  }

  function sign(v) { return v < 0 || 1 / v < 0 ? "-" : ""; }
  // numfmt.half_away: the shortest digits, ties rounded away from zero.
  function halfAway(v, d) { return sign(v) + roundDec(plain(v), d, false); }
  // Python's format(v, ".{d}f"): the exact binary value, ties to even.
  function pyFixed(v, d) { return sign(v) + roundDec(Math.abs(v).toFixed(Math.min(100, d + 40)), d, true); }
  function clean(t) { return (t.charAt(0) === "-" && !/[1-9]/.test(t) ? t.slice(1) : t).replace(/-/g, MINUS); }
  function rint(x) { var r = Math.round(x); return r - x === 0.5 && r % 2 ? r - 1 : r; }

  function decimalsNeeded(values) {
    for (var d = 0; d < 3; d++) {
      var p = [1, 10, 100][d];
      if (values.every((v) => !isFinite(v) || Math.abs(rint(v * p) / p - v) <= 1e-9)) return d;
    }
    return 2;
  }

  function formatter(values, least) {
    var d = Math.max(least, decimalsNeeded(values));
    return (v) => isFinite(v) ? clean(halfAway(v, d)) : (v > 0 ? "" : MINUS) + "\u221e";
  }

  // The exact fraction [numerator, denominator] of a double.
  function ratio(v) {
    var view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, v);
    var hi = view.getUint32(0), ex = (hi >>> 20) & 2047, m = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
    if (m === 0n && !ex) return [0n, 1n];
    if (ex) m |= 1n << 52n; else ex = 1;
    var e = ex - 1075, d = 1n;
    if (e > 0) m <<= BigInt(e); else d <<= BigInt(-e);
    while (d > 1n && !(m & 1n)) { m >>= 1n; d >>= 1n; }
    return [v < 0 ? -m : m, d];
  }
  function fdiv(a, b) { var q = a / b; return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q; }
  function babs(a) { return a < 0n ? -a : a; }

  // kernels.simple_fraction: Fraction(v).limit_denominator(64) when it is v to float precision.
  var fractions = new Map();
  function simpleFraction(v) {
    if (fractions.has(v)) return fractions.get(v);
    var x = ratio(v), n = x[0], d = x[1], max = 64n, f = [n, d];
    if (d > max) {
      var p0 = 0n, q0 = 1n, p1 = 1n, q1 = 0n, N = n, D = d, t;
      for (;;) {
        var a = fdiv(N, D), q2 = q0 + a * q1;
        if (q2 > max) break;
        t = p0; p0 = p1; q0 = q1; p1 = t + a * p1; q1 = q2;
        t = N; N = D; D = t - a * D;
      }
      var k = fdiv(max - q0, q1), b = [p0 + k * p1, q0 + k * q1];
      f = babs(p1 * d - n * q1) * b[1] <= babs(b[0] * d - n * b[1]) * q1 ? [p1, q1] : b;
    }
    var out = Math.abs(Number(f[0]) / Number(f[1]) - v) <= 1e-12 * Math.max(1, Math.abs(v)) ? f : null;
    fractions.set(v, out);
    return out;
  }

  function weightLabel(v, fracs, decimals) {
    var text;
    if (decimals != null) {
      text = pyFixed(v, decimals);
      return (/[1-9]/.test(text) ? text : text.replace(/^-+/, "")).replace(/-/g, MINUS);
    }
    var f = simpleFraction(v);
    if (f && (f[1] === 1n || (fracs && babs(f[0]) < 100n))) {
      text = f[1] === 1n ? String(f[0]) : f[0] + "/" + f[1];
    } else if (Math.abs(v) >= 0.0005) {
      text = pyFixed(v, Math.abs(v) >= 1 ? 2 : 3).replace(/0+$/, "").replace(/\.$/, "");
    } else {
      text = v.toExponential(1).replace(/e([+-])(\d)$/, "e$10$2");
    }
    return text.replace(/-/g, MINUS);
  }

  // filters.plane_labels: fractions over one denominator, else one number of decimals for all.
  function planeLabels(w, within) {
    var dens = new Set(), fracs = (within || w).every((v) => {
      var f = simpleFraction(v);
      if (f && f[1] !== 1n) dens.add(f[1]);
      return !!f;
    }) && dens.size <= 1, decimals = null;
    if (!fracs) {
      var most = 0, sci = w.some((v) => {
        var t = weightLabel(v, false);
        most = Math.max(most, (t.split(".")[1] || "").length);
        return t.indexOf("e") >= 0;
      });
      decimals = sci || !most ? null : most;
    }
    return w.map((v) => weightLabel(v, fracs, decimals));
  }

  function weightIsExact(v) { return !!simpleFraction(v) || parseFloat(weightLabel(v, true).replace(/\u2212/g, "-")) === v; }

  // numpy's pairwise sum of a contiguous array (up to 128 values), as kernel.sum() adds.
  function npSum(a) {
    var s = 0, i;
    if (a.length < 8) { a.forEach((v) => { s += v; }); return s; }
    var r = a.slice(0, 8);
    for (i = 8; i < a.length - a.length % 8; i += 8) for (var j = 0; j < 8; j++) r[j] += a[i + j];
    s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < a.length; i++) s += a[i];
    return s;
  }

  // style.scale_for and style.scales: [colormap, vmin, vmax] of the input and the output.
  function scaleFor(values, cmap, symmetric) {
    var lo = Math.min(...values), hi = Math.max(...values);
    if (symmetric) {
      var m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
      return [cmap, -m, m];
    }
    if (hi - lo < 1e-12 * Math.max(1, Math.abs(lo), Math.abs(hi))) {
      var pad = Math.max(1, 1e-9 * Math.max(Math.abs(lo), Math.abs(hi)));
      lo -= pad;
      hi += pad;
    }
    return [cmap, lo, hi];
  }
  function scales(ed, grid, w, out) {
    if (ed.ocmap == null && w.every((v) => v >= 0) && Math.abs(npSum(w) - 1) < 1e-9) {
      var shared = scaleFor(grid.concat(out), ed.cmap);
      return [shared, shared];
    }
    var signed = Math.min(...out) < 0;
    return [scaleFor(grid, ed.cmap), scaleFor(out, ed.ocmap || (signed ? ed.dv : ed.cmap), signed)];
  }
  // [fill, ink] of value v on scale s (style.ColourScale; the ink is Theme.text_on's, from Python).
  function colour(ed, s, v) {
    var table = ed.cm[s[0]], levels = table[1].length;
    var k = rint(Math.min(1, Math.max(0, (v - s[1]) / (s[2] - s[1]))) * (levels - 1));
    return ["#" + table[0].substr(6 * k, 6), ed.ink[+table[1].charAt(k)]];
  }

  // textsize.text_width from the table (advances and kerning at the size text is measured at),
  // and frames/base.fit: the size a cell of width `cell` sets t at (null: under `least`).
  function width(ed, t, size) {
    fastWidth(ed, "");
    var total = 0;
    for (var i = 0; i < t.length; i++) total += ed.adv[t[i]] + (i ? ed.wk[t[i - 1] + t[i]] || 0 : 0);
    return total * (size / ed.px[1]);
  }
  function fit(ed, t, cell, size, least) {
    var w = width(ed, t, size);
    size = w ? Math.min(size, size * 0.86 * cell / w) : size;
    return size >= least ? +pyFixed(size, 1) : null;
  }

  // textsize.fast_width at the equation's size: the characters' advances, then the pairs' kerning.
  function fastWidth(ed, t) {
    var sc = ed.px[0] / ed.px[1], adv = 0, kern = 0, i, w = ed.adv;
    if (!w) {  // the table as a map, once
      w = ed.adv = {};
      for (i = 0; i < ed.wa[0].length; i++) w[ed.wa[0][i]] = ed.wa[1][i];
    }
    if (!t) return 0;
    for (i = 0; i < t.length; i++) adv += w[t[i]] * sc;
    for (i = 1; i < t.length; i++) {
      var a = w[t[i - 1]], b = w[t[i]];
      kern += (a + b + (ed.wk[t[i - 1] + t[i]] || 0)) * sc - a * sc - b * sc;
    }
    return (adv + kern) * 1.005 + 2;
  }

  // frames/base.shorten: the longest join(terms) that fits, middle terms elided.
  function shorten(ed, terms, join) {
    var full = join(terms);
    function fits(c) { return fastWidth(ed, c) <= ed.room; }
    function kept(keep) { return join(terms.slice(0, keep - 1).concat(["\u2026", terms[terms.length - 1]])); }
    if (terms.length <= 3 || fits(full)) return full;
    var lo = 3, hi = terms.length - 2, best = 2;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (fits(kept(mid))) { best = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return kept(best);
  }
  function paren(t) { return t.charAt(0) === MINUS ? "(" + t + ")" : t; }

  // A view's own editing rules (ed.js names them): its script, shipped only with its players
  // (templates/pool.js), registers them in convanimPlayer.x: model, text (of its slots), refresh.
  function ext(ed) { return ed.js && window.convanimPlayer.x[ed.js] || {}; }

  // Everything the slots read, for an image and weights: the grid, the output (summed as numpy
  // sums the window view's products: each kernel row, then the rows), formats, labels, scales.
  function model(ed, image, given, preset) {
    if (ext(ed).model) return ext(ed).model(ed, image, given);
    var w = ed.f ? given.slice().reverse() : given, p = ed.p, oh = p[0], ow = p[1], kw = p[4], off = p[5], o = ed.o;
    var grid = o ? o.map((i) => i < 0 ? 0 : image[i]) : image.slice(), out = [];
    // the taps in the order numpy adds them (steps.sum_order): each kernel row, or one run of all
    var kh = off.length / kw, runs = [[]], r, c;
    for (r = 0; r < kh; r++) {
      if (p[6] === "rows" && r) runs.push([]);
      for (c = 0; c < kw; c++) runs[runs.length - 1].push(p[6] === "cols" ? (r * kw + c) % kh * kw + Math.floor((r * kw + c) / kh) : r * kw + c);
    }
    for (var k = 0; k < oh * ow; k++) {
      var base = Math.floor(k / ow) * p[2] + (k % ow) * p[3], total = 0;
      if (ed.pd) {  // an average pool: the window's sum (numpy's) over the step's divisor
        out.push(npSum(off.map((d) => grid[base + d])) / (ed.pd[k] || ed.pd));
        continue;
      }
      runs.forEach((run) => {
        var part = 0;
        run.forEach((j) => { part += w[j] * grid[base + off[j]]; });
        total += part;
      });
      out.push(total);
    }
    var whole = grid.concat(w).every(Number.isInteger), sc = scales(ed, grid, w, out);
    return {grid: grid, out: out, w: w, g: given, image: image, preset: preset, fi: formatter(grid, 0),
      fo: formatter(out, whole ? 0 : 1), labels: planeLabels(w), exact: w.every(weightIsExact), sin: sc[0], sout: sc[1]};
  }

  // frames/slots.equation: step k written out.
  function equation(ed, m, k) {
    var p = ed.p, ow = p[1], base = Math.floor(k / ow) * p[2] + (k % ow) * p[3];
    var head = "output[" + Math.floor(k / ow) + "," + (k % ow) + "] = ";
    var value = (m.exact ? "= " : "\u2248 ") + m.fo(m.out[k]), nz = [];
    m.w.forEach((v, j) => { if (v !== 0) nz.push(j); });
    if (!nz.length) return head + "0";
    var x = (j) => m.grid[base + p[5][j]];
    if (nz.every((j) => m.w[j] === m.w[nz[0]])) {
      var w = m.labels[nz[0]], total = 0;
      nz.forEach((j) => { total += x(j); });
      var product = w.lastIndexOf("1/", 0) === 0 ? m.fi(total) + "/" + w.slice(2) : w + "\u00b7" + m.fi(total);
      return shorten(ed, nz.map((j) => m.fi(x(j))), (shown) => {
        return head + w + " \u00b7 (" + shown.join(" + ") + ") = " + product + " " + value;
      });
    }
    return shorten(ed, nz.map((j) => paren(m.labels[j]) + "\u00b7" + paren(m.fi(x(j)))),
      (shown) => head + shown.join(" + ") + " " + value);
  }

  // A slot node's text (frames/slots.text).
  // In a step's recipe (a readout), s, r, c, o and e are its number, output row and column, value
  // and equation.
  function slotText(ed, m, node, step) {
    var kind = node[0], i = node[1] ?? step, ow = ed.p[1];
    if (node.length === 1 && step != null && "srco".indexOf(kind) >= 0) {
      return kind === "o" ? m.fo(m.out[step]) : String(kind === "s" ? step + 1 : kind === "r" ? Math.floor(step / ow) : step % ow);
    }
    if (kind === "i" || kind === "g") return m.fi(m.grid[i]);
    if (kind === "o") return m.fo(m.out[i]);
    if (kind === "k") return m.labels[i];
    if (kind === "lo") return m.fo(Math.min(...m.out));
    if (kind === "hi") return m.fo(Math.max(...m.out));
    if (kind === "p") return m.preset ? " (" + m.preset.replace(/_/g, " ") + ")" : "";
    if (kind === "e") return equation(ed, m, i);
    return ext(ed).text(ed, m, node, step);
  }
  function recipeText(ed, m, recipe, step) {
    return recipe.map((part) => typeof part === "string" ? part : slotText(ed, m, part, step)).join("");
  }

  // alttext.recipe_text: the alt text's nodes for these values ("ak" the kernel with its article,
  // ["ak", 1] without, "ax" the image, "af" what the output shows, "ar" its range); a node's words
  // hold while the image is the page's.
  function altText(ed, m) {
    var x = m.image, own = x === ed.x, k = ed.k, w = m.g, labels = ed.f ? m.labels.slice().reverse() : m.labels, total = npSum(w), lv = Array.from(new Set(x)).sort((a, b) => a - b);
    var num = (v) => pyFixed(v, 2).replace(/0+$/, "").replace(/\.$/, "").replace(/^-0$/, "0").replace("-", MINUS);
    var span = (v) => {
      var lo = Math.min(...v), hi = Math.max(...v);
      return num(lo) + (lo === hi ? "" : " to " + num(hi));
    };
    var a = (t) => (t[0] === "8" || /^1[18](\d{3})?\u00d7/.test(t) ? "an " : "a ") + t;
    var sums = (n, f) => {  // every row's (or column's) sum is 0, as np.allclose sees it
      for (var i = 0; i < n; i++) {
        var t = 0;
        for (var j = 0; j < w.length / n; j++) t += w[f(i, j)];
        if (Math.abs(t) > 1e-8) return false;
      }
      return true;
    };
    var t = ed.a.map((n) => {
      if (typeof n === "string") return n;
      if (n[0] === "ak") {
        var rows = labels.map((l, i) => l + (i % k[1] < k[1] - 1 ? " " : "; ")).join("").slice(0, -2);
        return (n[1] ? String : a)(k.join("\u00d7") + " " + (m.preset ? ed.an[m.preset] : "kernel" + (w.length > 16 ? "" : " (rows " + rows + ")")));
      }
      if (n[0] === "ax") {
        if (own && n[1]) return n[1];
        var at = [], size = ed.hw.join("\u00d7");
        x.forEach((v, i) => { if (v === lv[1]) at.push([Math.floor(i / ed.hw[1]), i % ed.hw[1]]); });
        if (lv.length !== 2) return a(size) + " image (values " + span(x) + ")";
        if (at.length === 1) return a(size) + " image holding a single " + num(lv[1]) + " (on " + num(lv[0]) + ") at row " + at[0][0] + ", column " + at[0][1];
        var r = at.map((p) => p[0]), c = at.map((p) => p[1]);
        return a(size) + " image with a bright shape (" + num(lv[1]) + " on " + num(lv[0]) + ") in rows " + Math.min(...r) + "\u2013" +
          Math.max(...r) + " and columns " + Math.min(...c) + "\u2013" + Math.max(...c);
      }
      if (n[0] === "ar") return span(m.out);
      var edges = own && n[1] || (lv.length === 2 ? "the shape's edges" : "the image");
      var e = w.filter((v) => v).length === 1 && Math.abs(total - 1) < 1e-12 ? "a copy of the image"
        : w.every((v) => v >= 0) && Math.abs(total - 1) < 1e-9 ? edges + " smoothed"
        : Math.abs(total) < 1e-9 ? (sums(k[0], (i, j) => i * k[1] + j) ? "vertical edges" : sums(k[1], (i, j) => j * k[1] + i) ? "horizontal edges" : "edges") +
          " as signed responses, 0 where the image is flat"
        : Math.abs(total - 1) < 1e-9 ? "the image sharpened" : "the weighted sums";
      return e + " (values " + span(m.out) + ")";
    }).join("");
    return t[0].toUpperCase() + t.slice(1);
  }

  function start(root) {
    const pick = (sel) => root.querySelector(sel);
    var island = pick("script.convanim-data");
    var still = pick("img.convanim-still");
    if (root.hasAttribute("data-ready") || !island || !still) return;
    var data = JSON.parse(island.textContent);
    if (data.v !== VERSION) return;
    root.setAttribute("data-ready", "");
    var n = data.f.length, items = unpack(data), count = items.length, drawn = data.drawn;
    var svg = build(root, still, n, drawn);
    var nodes = [], first = [], last = [], shown = [], appear = [], gone = [];
    for (var k = 0; k <= n; k++) {
      appear.push([]);
      gone.push([]);
    }

    // The inline SVG draws frame `drawn` (the poster) with one element per item shown there, in
    // order: adopt those (copying their group's attributes onto them), create the others from the
    // JSON, and append every element to the <svg> in drawing order.
    var adopted = svg.querySelectorAll("path,text,polyline,image"), next = 0;
    Array.prototype.forEach.call(adopted, (el) => {
      var attrs = el.parentNode === svg ? [] : el.parentNode.attributes;
      for (var a = 0; a < attrs.length; a++) {
        if (!el.hasAttribute(attrs[a].name)) el.setAttribute(attrs[a].name, attrs[a].value);
      }
    });
    for (var i = 0; i < count; i++) {
      var own = typeof items[i] !== "number";
      if (!own && next >= adopted.length) throw new Error("the picture lacks elements its data expects");
      var el = own ? itemNode(data, items[i]) : adopted[next++];
      first.push(own ? items[i][1] : drawn);
      last.push(own ? items[i][2] : items[i]);
      shown.push(first[i] <= drawn && drawn <= last[i]);
      if (!shown[i]) el.setAttribute("display", "none");
      nodes.push(el);
      svg.appendChild(el);
      if (first[i] >= 0 && first[i] < n) appear[first[i]].push(i);
      if (last[i] + 1 >= 0 && last[i] + 1 < n) gone[last[i] + 1].push(i);
    }
    if (next !== adopted.length) throw new Error("the picture has elements its data does not list");
    Array.prototype.forEach.call(svg.querySelectorAll("g"), (g) => { g.remove(); });

    var byCell = {};
    data.f.forEach((f, k) => { if (f.length > 2) byCell[(f[4] || 0) + "," + f[2] + "," + f[3]] = k; });
    var bar = pick(".convanim-bar");
    var slider = pick(".convanim-slider");
    var readout = pick(".convanim-readout");
    var playButton = pick('[data-act="play"]');
    var speed = pick('[data-act="speed"]');
    var mode = pick('[data-act="mode"]');
    var frame = drawn, playing = false, dir = 1, timer = null, readouts = data.f.map((f) => f[1]);
    // auto: play when in view (set at start unless motion is reduced, and when leaving the view
    // paused a playing player); playing or pausing by hand clears it.
    var auto = !(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);

    function set(i, on) {
      if (shown[i] === on) return;
      shown[i] = on;
      if (on) nodes[i].removeAttribute("display");
      else nodes[i].setAttribute("display", "none");
    }

    // Show frame k: one step forward or back toggles only the items that change; a jump compares all.
    function show(k) {
      k = Math.max(0, Math.min(n - 1, Math.round(k)));
      var j;
      if (k === frame + 1) {
        for (j = 0; j < appear[k].length; j++) set(appear[k][j], true);
        for (j = 0; j < gone[k].length; j++) set(gone[k][j], false);
      } else if (k === frame - 1) {
        for (j = 0; j < appear[frame].length; j++) set(appear[frame][j], false);
        for (j = 0; j < gone[frame].length; j++) set(gone[frame][j], true);
      } else if (k !== frame) {
        for (j = 0; j < count; j++) set(j, first[j] <= k && k <= last[j]);
      }
      frame = k;
      var text = readouts[k];
      root.setAttribute("data-frame", String(k));
      slider.value = String(k);
      slider.setAttribute("aria-valuetext", text);
      if (readout.textContent !== text) readout.textContent = text;
    }

    function status() {
      var label = playing ? "Pause" : "Play";
      root.setAttribute("data-playing", String(playing));
      root.classList.toggle("convanim-playing", playing);
      playButton.setAttribute("aria-label", label);
      playButton.setAttribute("title", label + " (Space)");
      readout.setAttribute("aria-live", playing ? "off" : "polite");  // no announcement per tick
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(tick, (data.f[frame][0] || data.f[frame]) / parseFloat(speed.value));
    }

    function tick() {
      if (!root.isConnected) return pause();  // the output was cleared: stop for good
      var k = frame + dir;
      if (k < 0 || k >= n) {
        if (mode.value === "loop") {
          k = dir > 0 ? 0 : n - 1;
        } else if (mode.value === "reflect") {
          dir = -dir;
          k = frame + dir;
        } else {
          return pause();
        }
      }
      show(k);
      schedule();
    }

    function play() {
      auto = false;
      if (playing || n < 2) return;
      if (mode.value !== "reflect") {
        dir = 1;
        if (frame === n - 1) show(0);  // from the end, Play starts again
      }
      playing = true;
      status();
      schedule();
    }

    function stop() {
      clearTimeout(timer);
      playing = false;
      status();
    }

    function pause() {
      auto = false;
      stop();
    }

    function goTo(k) {
      pause();
      show(k);
    }

    var actions = {
      first: () => { goTo(0); },
      back: () => { goTo(frame - 1); },
      play: () => { if (playing) pause(); else play(); },
      forward: () => { goTo(frame + 1); },
      last: () => { goTo(n - 1); }
    };
    bar.addEventListener("click", (ev) => {
      var button = ev.target.closest("button[data-act]");
      if (button) actions[button.getAttribute("data-act")]();
    });
    slider.addEventListener("input", () => { goTo(parseInt(slider.value, 10)); });
    speed.addEventListener("change", () => { if (playing) schedule(); });
    mode.addEventListener("change", () => { if (mode.value !== "reflect") dir = 1; });

    root.addEventListener("keydown", (ev) => {
      var act = KEYS[ev.key], tag = ev.target.tagName;
      if (!act || ev.altKey || ev.ctrlKey || ev.metaKey || ev.defaultPrevented || tag === "SELECT") return;
      if (tag === "INPUT" && act !== "play") return;  // the slider's own keys move it (and pause)
      if (tag === "BUTTON" && act === "play") return;  // Space presses a focused button
      ev.preventDefault();
      ev.stopPropagation();
      actions[act]();
    });

    // Pointer over an output cell: jump to the step that computes it, which draws its window.
    // With several output channels each has its grid (data.gs), and a cell is keyed by channel.
    function cellFrame(ev) {
      var box = svg.getBoundingClientRect(), grids = data.gs || [data.g];
      if (!box.width) return -1;
      var x = (ev.clientX - box.left) * data.w / box.width, y = (ev.clientY - box.top) * data.h / box.height;
      for (var ch = 0; ch < grids.length; ch++) {
        var g = grids[ch];
        var col = Math.floor((x - g[0]) / g[4]), row = Math.floor((y - g[1]) / g[4]);
        if (row >= 0 && col >= 0 && row < g[2] && col < g[3]) {
          var k = byCell[ch + "," + row + "," + col];
          return k === undefined ? -1 : k;
        }
      }
      return -1;
    }
    svg.addEventListener("pointermove", (ev) => {
      if (ev.pointerType === "touch") return;
      var k = cellFrame(ev);
      root.classList.toggle("convanim-hot", k >= 0);
      if (k >= 0 && k !== frame) goTo(k);
      showField(ev);
    });
    svg.addEventListener("pointerleave", () => {
      root.classList.remove("convanim-hot");
      showField(null);
    });
    svg.addEventListener("click", (ev) => {
      var at = ed && ev.target.closest("[data-edit]");
      if (at) return open(Array.from(root.querySelectorAll('[role="button"][data-edit="' + at.getAttribute("data-edit") + '"]')).find((el) => !el.hasAttribute("display")));
      var k = cellFrame(ev);
      if (k >= 0) goTo(k);
      showField(ev);
    });

    // Pointer over a cell of any map (data.rf.m: [map, channel, x, y, rows, cols, cell] per drawn
    // channel): outline its receptive field in every earlier map. Through one stage a field is a
    // product of channels × rows × columns, so the walk takes unions of each stage's per-axis links
    // (data.rf.l: [maps it reads, rows, cols, channels, a cat's [start, stop) per map]) backwards,
    // stage m − 1 making map m; a map of a graph reached along several paths holds a union of such
    // boxes. A link is flat runs [first, count, …]; index lists are sorted sparse arrays: Object.keys
    // gives array indices in ascending order.
    var rf = data.rf, litKey = "", lit = null;
    function union(have, links) {
      var seen = [], l, k, j;
      have.forEach((i) => { for (l = links[i], k = 0; k < l.length; k += 2) for (j = l[k]; j < l[k] + l[k + 1]; j++) seen[j] = 1; });
      return Object.keys(seen).map(Number);
    }
    // Consecutive indices as [first, count] runs.
    function runs(a) {
      var out = [];
      a.forEach((v, i) => { if (i && v === a[i - 1] + 1) out[out.length - 1][1]++; else out.push([v, 1]); });
      return out;
    }
    // The field of the cell under the pointer (ev), or of a cell given as [map, channel, row, col].
    function showField(ev, cell) {
      var box = svg.getBoundingClientRect(), sets = {}, m;
      if (!rf || !box.width) return;
      var x = ev && (ev.clientX - box.left) * data.w / box.width, y = ev && (ev.clientY - box.top) * data.h / box.height;
      rf.m.forEach((p) => {
        var c = Math.floor((x - p[2]) / p[6]), r = Math.floor((y - p[3]) / p[6]);
        if (ev && !cell && r >= 0 && c >= 0 && r < p[4] && c < p[5]) cell = [p[0], p[1], r, c];
      });
      if (String(cell) === litKey) return;
      litKey = String(cell);
      if (lit) lit.remove();
      lit = null;
      root.toggleAttribute("data-field", !!cell);
      if (!cell) return;
      root.setAttribute("data-field", litKey);
      sets[cell[0]] = {};
      sets[cell[0]][litKey] = [[cell[1]], [cell[2]], [cell[3]]];
      for (m = cell[0]; m > 0; m--) {
        var st = rf.l[m - 1];
        Object.keys(sets[m] || {}).forEach((key) => {
          var b = sets[m][key], ch = union(b[0], st[3]), rows = union(b[1], st[1]), cols = union(b[2], st[2]);
          st[0].forEach((i, n) => {
            var part = st[4] ? st[4][n] : [0, Infinity], own = [];
            ch.forEach((c) => { if (c >= part[0] && c < part[1]) own.push(c - part[0]); });
            if (own.length) (sets[i] = sets[i] || {})[String([own, rows, cols])] = [own, rows, cols];
          });
        });
      }
      lit = svgNode("g", {"class": "convanim-field", "pointer-events": "none", fill: data.c[rf.hl], "fill-opacity": 0.3,
        stroke: data.c[rf.hl], "stroke-width": 2});
      rf.m.forEach((p) => {
        // the panel's cells in the field, row by row; rows alike are drawn as one band
        var k = p[6], rows = [], r, last = "";
        for (r = 0; r < p[4]; r++) rows.push([]);
        Object.keys(sets[p[0]] || {}).forEach((key) => {
          var b = sets[p[0]][key];
          if (b[0].indexOf(p[1]) >= 0) b[1].forEach((i) => { b[2].forEach((j) => { rows[i][j] = 1; }); });
        });
        rows = rows.map((row) => runs(Object.keys(row).map(Number)));
        var bands = [];
        rows.forEach((row, i) => {
          if (row.length && String(row) === last && bands[bands.length - 1][0] + bands[bands.length - 1][1] === i) bands[bands.length - 1][1]++;
          else if (row.length) bands.push([i, 1, row]);
          last = String(row);
        });
        bands.forEach((band) => {
          band[2].forEach((c) => {
            lit.appendChild(svgNode("rect", {"data-map": p[0], "data-channel": p[1], x: p[2] + c[0] * k, y: p[3] + band[0] * k,
              width: c[1] * k, height: band[1] * k, "fill-opacity": p[0] === cell[0] ? 0 : null}));
          });
        });
      });
      svg.appendChild(lit);
    }

    // ---- Editing (data.ed): every slot recomputed after an edit; the JS API on the root.
    var ed = data.ed, m = null, state = null, editor = null, byFrame = {}, cells = [];
    var stage = pick(".convanim-stage"), NAMES = {input: 0, weight: 1, bias: 2};
    function refresh() {
      m = model(ed, state.x, state.w, state.p);
      ed.s.forEach((run) => {
        for (var j = 0; j < run[4]; j++) {
          var kind = run[0], item = nodes[run[1] + j * run[2]], node = [kind, run[3] + j];
          var text = Array.isArray(kind) ? recipeText(ed, m, kind, run[3] + j) : slotText(ed, m, node);
          if (kind === "i" || kind === "o") {
            var c = colour(ed, kind === "i" ? m.sin : m.sout, (kind === "i" ? m.grid : m.out)[node[1]]);
            item.setAttribute("fill", c[0]);
            item = ed.tx && nodes[run[1] + j * run[2] + 1];
            if (item) item.setAttribute("fill", c[1]);
          }
          if (item) item.textContent = text;
        }
      });
      ed.n.forEach((slot) => { nodes[slot[0]].textContent = recipeText(ed, m, slot[1]); });
      sizes();
      ed.r.forEach((run) => {
        for (var j = 0; j < run[2]; j++) readouts[run[0] + j] = recipeText(ed, m, run[3], run[1] + j);
      });
      svg.setAttribute("aria-label", altText(ed, m));
      if (ext(ed).refresh) ext(ed).refresh(ed, m, nodes);
      show(frame);
    }
    // Font sizes as frames/base.py chooses them for these values: one for every cell value (the
    // widest fitted to a cell), and one for the weights (the longest label fitted to theirs).
    function sizes() {
      var vs = ed.vs, k = vs[4], texts = [], px = null, kernel = [];
      [m.grid, m.out].forEach((values, j) => {
        values.slice().sort((a, b) => a - b).forEach((v, i, all) => {
          if (!i || v !== all[i - 1]) texts.push((j ? m.fo : m.fi)(v));
        });
      });
      if (ed.tx) {
        var widest = texts.reduce((a, t) => width(ed, t, 10) > width(ed, a, 10) ? t : a);
        px = fit(ed, widest, vs[0], vs[1], vs[2]);
        if (px === null && vs[3]) px = vs[2];  // render.values = true: at the least size
      }
      var longest = m.labels.reduce((a, t) => t.length > a.length ? t : a);
      var kpx = fit(ed, longest, vs[5], px === null ? 12 : px / k, vs[6]);
      // where Python would draw no values (none fits), the page hides them (data-off)
      ed.s.forEach((run) => {
        for (var j = 0; j < run[4] && "iogk".indexOf(run[0]) >= 0; j++) {
          var cell = run[0] === "i" || run[0] === "o", node = (ed.tx || !cell) && nodes[run[1] + j * run[2] + (cell ? 1 : 0)];  // (no values drawn: a cell's Rect is followed by another item)
          var size = run[0] === "k" ? kpx && kpx * k : px;
          if (!node) continue;
          if (size) node.setAttribute("font-size", pyFixed(size, 1));
          node.toggleAttribute("data-off", !size);
        }
      });
    }
    function rows(flat, w) {
      var out = [];
      for (var i = 0; i < flat.length; i += w) out.push(flat.slice(i, i + w));
      return out;
    }
    function shapeOf(name) { return name === "input" ? ed.hw : ed.k; }
    function span(name) { return ed.rg[NAMES[name]].join(" \u2026 ").replace(/-/g, MINUS); }
    function where(name, i) { return ext(ed).where ? ext(ed).where(ed, name, i) : name + " [" + Math.floor(i / shapeOf(name)[1]) + "," + i % shapeOf(name)[1] + "]"; }

    // Set the input or the weights from nested arrays in Scenario's shapes (2-D, or with leading
    // axes of 1): a wrong shape or a value out of range throws, in one line.
    function edit(name, values, preset, whole) {
      if (!ed) throw new Error("this picture is not editable (only a one-channel conv2d window view is)");
      if (ext(ed).edit) return state = ext(ed).edit(ed, name, values, state, whole), refresh();  // a layer's shapes
      if (name === "bias") throw new Error("this picture has no bias to edit");
      if (name === "weight" && ed.io) throw new Error("a pool has no weights to edit: only its input");
      if (!(name in NAMES)) throw new Error('edit: name must be "input", "weight" or "bias" (got ' + JSON.stringify(name) + ")");
      var shape = shapeOf(name), range = ed.rg[NAMES[name]], v = values, flat = [];
      if (Array.isArray(v) && !Array.isArray(v[0])) v = [v];  // a conv1d's 1-D input or weights
      while (Array.isArray(v) && v.length === 1 && Array.isArray(v[0]) && Array.isArray(v[0][0])) v = v[0];
      if (!Array.isArray(v) || v.length !== shape[0] || v.some((r) => !Array.isArray(r) || r.length !== shape[1])) {
        throw new Error(name + " must be " + shape.join("\u00d7") + " nested arrays (got " + JSON.stringify(values).slice(0, 40) + ")");
      }
      v.forEach((row, r) => {
        row.forEach((x, c) => {
          if (typeof x !== "number" || !(x >= range[0] && x <= range[1])) {
            throw new Error(name + "[" + r + "][" + c + "] = " + x + " is outside " + range.join(" \u2026 ") +
              ", the range this picture is laid out for");
          }
          flat.push(x + 0);
        });
      });
      state = name === "input" ? {x: flat, w: state.w, p: state.p} : {x: state.x, w: flat, p: preset || null};
      refresh();
    }
    function reset() {
      state = {x: ed.x, w: ed.w, p: ed.pre};
      refresh();
    }
    // The readout (aria-live) says what changed and the new output value.
    function announce(what) {
      readout.textContent = what + ": " + (byFrame[frame] ? readouts[frame] : recipeText(ed, m, ["output min ", ["lo"], ", max ", ["hi"]]));
    }

    // The inline editor: a labelled text box over the cell; Enter applies, Escape restores what
    // it opened on, the arrows change the value by 1 (Shift: 0.1) at once.
    function open(cell) {
      var at = cell.getAttribute("data-edit").split(" "), name = at[0], i = +at[1], was = state;
      var box = cell.getBoundingClientRect(), home = stage.getBoundingClientRect();
      close();
      var label = hNode("label", {"class": "convanim-editor", style: "left:" + (box.left - home.left) + "px;top:" +
        (box.top - home.top) + "px"}, where(name, i) + " (" + span(name) + ")");
      var input = hNode("input", {type: "text", inputmode: "decimal", value: String((name === "input" ? state.x : state.w)[i])});
      label.appendChild(input);
      stage.appendChild(label);
      editor = {label: label, cell: cell};
      input.focus();
      input.select();
      function put(x) {
        var next = (name === "input" ? state.x : state.w).slice();
        next[i] = x;
        try {
          edit(name, rows(next, shapeOf(name)[1]), null, 1);
          input.removeAttribute("aria-invalid");
          announce(where(name, i) + " = " + x);
          return true;
        } catch (err) {
          input.setAttribute("aria-invalid", "true");
          readout.textContent = err.message;
        }
      }
      input.addEventListener("keydown", (ev) => {
        var x = Number(input.value.trim().replace(MINUS, "-")), range = ed.rg[NAMES[name]], key = ev.key;
        ev.stopPropagation();
        if (key === "Enter" || key === "Escape" || /^Arrow(Up|Down)$/.test(key)) ev.preventDefault();
        if (key === "Enter") {
          if (input.value.trim() && isFinite(x) ? put(x) : (readout.textContent = "not a number: " + input.value, false)) close(true);
        } else if (key === "Escape") {
          state = was;
          refresh();
          close(true);
        } else if (/^Arrow(Up|Down)$/.test(key)) {
          x = (isFinite(x) ? x : 0) + (ev.shiftKey ? 0.1 : 1) * (key === "ArrowUp" ? 1 : -1);
          input.value = String(Math.min(range[1], Math.max(range[0], Math.round(x * 1e9) / 1e9)));
          put(+input.value);
        }
      });
      input.addEventListener("blur", () => { if (editor && editor.label === label) close(); });
    }
    function close(refocus) {
      if (!editor) return;
      var was = editor;
      editor = null;  // first: removing the label blurs its box, whose handler calls close again
      was.label.remove();
      if (refocus) was.cell.focus();
    }

    if (ed) {
      ed.r.forEach((run) => {  // the steps' frames and cells, for the pointer and the readout
        for (var j = 0; j < run[2]; j++) {
          byFrame[run[0] + j] = 1;
          var i = run[1] + j, ow = ed.p[1], per = ed.p[0] * ow;  // (a layer's step i: map i // per)
          byCell[Math.floor(i / per) + "," + Math.floor(i % per / ow) + "," + i % ow] = run[0] + j;
        }
      });
      if (typeof ed.w === "string") ed.w = ed.ps[ed.w];
      reset();
      // every weight and every image cell is a button (the image's cells one tab stop: arrows move)
      ed.s.forEach((run) => {
        for (var j = 0; j < run[4] && (run[0] === "i" || run[0] === "k"); j++) {
          var item = run[1] + j * run[2], weight = run[0] === "k", rect = nodes[weight ? item - 1 : item];
          var name = weight ? "weight" : "input", i = weight || !ed.o ? run[3] + j : ed.o[run[3] + j];
          if (weight && ed.f) i = ed.k[0] * ed.k[1] - 1 - i;  // a turned weight is the given one at n − 1 − i
          [rect, nodes[weight ? item : ed.tx && item + 1]].forEach((el) => { if (el) el.setAttribute("data-edit", name + " " + i); });
          rect.setAttribute("tabindex", weight || !cells.length ? "0" : "-1");
          rect.setAttribute("role", "button");
          rect.setAttribute("aria-label", "edit " + where(name, i));
          rect.classList.add("convanim-cell");
          if (!weight && cells.length < ed.x.length) cells.push(rect);  // (a matrix's patches: not the image's)
        }
      });
      var editBar = hNode("div", {"class": "convanim-buttons convanim-editbar"}), label = hNode("label", {}, "kernel ");
      var select = hNode("select", {"data-act": "preset"});
      select.appendChild(hNode("option", {value: ""}, "preset\u2026"));
      Object.keys(ed.ps).forEach((p) => { select.appendChild(hNode("option", {value: p}, p.replace(/_/g, " "))); });
      label.appendChild(select);
      if (!ed.io) editBar.appendChild(label);  // a pool: no kernel
      editBar.appendChild(hNode("button", {type: "button", "data-act": "reset"}, "reset"));
      editBar.appendChild(hNode("span", {}, "click " + (ed.io ? "an" : "a weight or an") + " input cell to edit: input " +
        span("input") + (ed.io ? "" : ", weights " + span("weight"))));
      bar.appendChild(editBar);
      select.addEventListener("change", () => {
        var p = select.value;
        if (!p) return;
        edit("weight", rows(ed.ps[p], ed.k[1]), p);
        announce("kernel " + p.replace(/_/g, " "));
        select.value = "";
      });
      svg.addEventListener("keydown", (ev) => {
        var cell = ev.target.closest && ev.target.closest("[data-edit]"), k = cells.indexOf(cell), w = ed.hw[1];
        var to = {ArrowLeft: -1, ArrowRight: 1, ArrowUp: -w, ArrowDown: w}[ev.key];
        if (!cell || (ev.key !== "Enter" && ev.key !== " " && (k < 0 || !to))) return;
        ev.preventDefault();
        ev.stopPropagation();
        if (!to) return open(cell);
        if (cells[k + to]) {  // move within the image
          cell.setAttribute("tabindex", "-1");
          cells[k + to].setAttribute("tabindex", "0");
          cells[k + to].focus();
        }
      });
    }
    root.convanim = {
      frames: n,
      frame: () => frame,
      show: (k) => { goTo(k); },
      texts: () => {
        var out = [];
        for (var i = 0; i < count; i++) {
          if (shown[i] && nodes[i].tagName === "text" && !nodes[i].hasAttribute("data-off")) out.push(nodes[i].textContent.replace(/\u00a0/g, " "));
        }
        return out;
      },
      edit: (name, values) => { edit(name, values); },
      field: (cell) => { showField(0, cell); },
      output: () => m && (m.o3 || rows(m.out, ed.p[1])),
      reset: reset
    };
    actions.reset = reset;

    players.set(root, {
      frame: () => frame,
      frames: n,
      goTo: goTo,
      play: play,
      pause: pause,
      playing: () => playing
    });
    show(drawn);
    status();
    if (!window.IntersectionObserver) {
      if (auto) play();
      return;
    }
    new IntersectionObserver((entries) => {
      if (entries[entries.length - 1].isIntersecting) {
        if (auto) play();
      } else if (playing) {
        stop();
        auto = true;
      }
    }).observe(root);
  }

  function boot(script) {
    var scopes = [document];
    var home = script && script.getRootNode ? script.getRootNode() : null;
    if (home && home !== document && home.querySelectorAll) scopes.push(home);  // a shadow root
    scopes.forEach((scope) => {
      Array.prototype.forEach.call(scope.querySelectorAll(".convanim-player"), (root) => {
        try {
          start(root);
        } catch (err) {
          root.setAttribute("data-error", String(err));
          console.error("convanim player:", err);
        }
      });
    });
  }

  window.convanimPlayer = {
    version: VERSION,
    boot: boot,
    get: (root) => players.get(root) || null,
    x: {},
    lib: {formatter, scales, scaleFor, colour, shorten, npSum, pyFixed, fastWidth, width, fit, planeLabels, weightIsExact}  // for the views' scripts (ext)
  };
})();
