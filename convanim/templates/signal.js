// convanim signal editing: the rules of a one-channel conv1d's signal view (frames/slots.py:
// signal_text, signal_equation, bar, zero_y; signal_alt.conv1d_recipe), shipped only with its
// players (ed.js = "sig"), before them, so that the player finds them in convanimPlayer.x. The
// player computes the output as for conv2d (a 1-row grid); these write the view's texts, size
// them as frames/signal.py does, move the bars and the zero lines, and wire the cells to edit.
// Also a max_pool1d's ("sigmax") and an avg_pool1d's ("sigmean", with templates/pool.js) and a
// conv1d's with channels or a bias ("siglayer", with templates/layer.js: a layer's numbers).
(() => {
  "use strict";
  var P = window.convanimPlayer;
  if (!P || !P.x || P.x.sig) return;
  var L = P.lib, MINUS = "\u2212";
  function paren(t) { return t.charAt(0) === MINUS ? "(" + t + ")" : t; }
  var width = L.width, fit = L.fit;  // textsize.text_width and frames/base.fit (the player's)
  // slots.value_range, zero_y and bar: a band's span taken to 0, its zero line, sample j's bar
  function span(values) {
    var f = values.filter(isFinite);
    return f.length ? [Math.min(Math.min(...f), 0), Math.max(Math.max(...f), 0)] : [0, 0];
  }
  function zeroY(values, top, height) {
    var r = span(values);
    return top + height * (r[1] > r[0] ? r[1] / (r[1] - r[0]) : 1);
  }
  function bar(j, values, top, height) {
    var r = span(values), zero = zeroY(values, top, height), per = r[1] > r[0] ? height / (r[1] - r[0]) : 0;
    var h = values[j] * per;
    return [h > 0 ? zero - h : zero, Math.abs(h)];
  }
  // slots.signal_equation
  function equation(ed, m, k) {
    var p = ed.p, base = Math.floor(k / p[1]) * p[2] + (k % p[1]) * p[3], head = "output[" + k + "] = ", nz = [];
    var value = (m.exact ? "= " : "\u2248 ") + m.fo(m.out[k]), x = (j) => m.fi(m.grid[base + p[5][j]]);
    m.w.forEach((v, j) => { if (v !== 0) nz.push(j); });
    if (!nz.length) return head + "0 " + value;
    if (nz.every((j) => m.w[j] === m.w[nz[0]])) {
      var w = m.labels[nz[0]];
      return L.shorten(ed, nz.map(x), (shown) => head + w + " \u00b7 (" + shown.join(" + ") + ") " + value);
    }
    return L.shorten(ed, nz.map((j) => paren(m.labels[j]) + "\u00b7" + paren(x(j))), (shown) => head + shown.join(" + ") + " " + value);
  }
  // signal_alt.recipe_text: "ka" the kernel, "xa" the signal, "ar" the output's range
  function alt(ed, m) {
    var num = (v) => L.pyFixed(v, 2).replace(/0+$/, "").replace(/\.$/, "").replace(/^-0$/, "0").replace("-", MINUS);
    var range = (v) => {
      var lo = Math.min(...v), hi = Math.max(...v);
      return lo === hi ? num(lo) : num(lo) + " to " + num(hi);
    };
    var t = ed.a.map((n) => {
      if (typeof n === "string") return n;
      if (n[0] === "ka") {
        var given = ed.f ? m.labels.slice().reverse() : m.labels;  // (a flip's: as given, not as they slide)
        return n[1] + "-tap " + (m.preset ? ed.an[m.preset] : "kernel" + (given.length <= 16 ? " (" + given.join(" ") + ")" : ""));
      }
      if (n[0] === "xa") return m.image === ed.x ? n[1] : n[2] + " (values " + range(m.image) + ")";
      return range(m.out);
    }).join("");
    return t[0].toUpperCase() + t.slice(1);
  }
  // Each input cell and weight a button the player's editor opens on (data-edit), once.
  function wire(ed, nodes) {
    ed.s.forEach((run) => {
      for (var j = 0; j < run[4] && (run[0] === "si" || run[0] === "sk"); j++) {
        var item = run[1] + j * run[2], weight = run[0] === "sk", rect = nodes[weight ? item - 1 : item];
        var i = weight || !ed.o ? run[3] + j : ed.o[run[3] + j], name = weight ? "weight" : "input";
        if (weight && ed.f) i = ed.k[1] - 1 - i;  // a reversed weight is the given one at n − 1 − i
        [rect, nodes[weight ? item : ed.tx && item + 1]].forEach((el) => { if (el) el.setAttribute("data-edit", name + " " + i); });
        rect.setAttribute("tabindex", "0");
        rect.setAttribute("role", "button");
        rect.setAttribute("aria-label", "edit " + name + " [" + i + "]");
        rect.classList.add("convanim-cell");
      }
    });
  }
  // A bar the poster drew (a <path>, svg.py) as the <rect> the player draws, to move it.
  function rect(nodes, i) {
    var el = nodes[i], d = el.getAttribute("d");
    if (!d) return el;
    var n = d.slice(1).split(/[ hvz]/), r = document.createElementNS(el.namespaceURI, "rect");
    Array.from(el.attributes).forEach((a) => { if (a.name !== "d") r.setAttribute(a.name, a.value); });
    r.setAttribute("x", n[0]);
    r.setAttribute("width", n[2]);
    el.replaceWith(r);
    return (nodes[i] = r);
  }
  // max_pool1d: the max pool's output and outline (templates/pool.js, shipped before this), the
  // signal view's texts and bars; its outputs keep the input's digits (frames/signal.py)
  P.x.sigmax = {
    model: (ed, image, given) => {
      var m = P.x.max.model(ed, image, given);
      m.fo = L.formatter(m.out, 0);
      return m;
    },
    text: (ed, m, node) => {
      var k = node[1], tail = ") = " + m.fo(m.out[k]), p = ed.p, base = (k % p[1]) * p[3];
      if (node[0] !== "sx") return P.x.sig.text(ed, m, node);
      return L.shorten(ed, p[5].map((d) => m.fi(m.grid[base + d])), (shown) => "output[" + k + "] = max(" + shown.join(", ") + tail);
    },
    refresh: (ed, m, nodes) => {
      P.x.sig.refresh(ed, m, nodes);
      P.x.max.refresh(ed, m, nodes);
    }
  };
  // avg_pool1d: the player's mean (its program's "pool"), the average's equation headed
  // "output[k] = " (templates/pool.js, shipped before this; frames/slots.py mean_equation)
  P.x.sigmean = {
    text: (ed, m, node) => node[0] === "sm" ? P.x.mean.equation(ed, m, node[1], "output[" + node[1] + "] = ") : P.x.sig.text(ed, m, node),
    refresh: (ed, m, nodes) => { P.x.sig.refresh(ed, m, nodes); }
  };
  P.x.sig = {
    text: (ed, m, node) => node[0] === "se" ? equation(ed, m, node[1]) : node[0] === "sk" ? m.labels[node[1]] : "",
    refresh: (ed, m, nodes) => {
      var vs = ed.vs, sb = ed.sb, k = sb[4], texts = [], px = null;
      var snap = (v) => k === 1 ? v : Math.floor(v * k + 0.5 + 1e-9);
      if (!ed.wired) wire(ed, nodes);
      ed.wired = 1;
      // frames/signal.py _value_px: the widest value fitted to a cell; kernel_row: the longest label
      [m.grid, m.out].forEach((values, j) => {
        values.slice().sort((a, b) => a - b).forEach((v, i, all) => {
          if (!i || v !== all[i - 1]) texts.push((j ? m.fo : m.fi)(v));
        });
      });
      if (ed.tx) {
        px = fit(ed, texts.reduce((a, t) => width(ed, t, 10) > width(ed, a, 10) ? t : a), vs[0], vs[1], vs[2]);
        if (px === null && vs[3]) px = vs[2];
      }
      var kpx = fit(ed, m.labels.reduce((a, t) => t.length > a.length ? t : a), vs[5], 16, vs[6]);
      ed.s.forEach((run) => {
        for (var j = 0; j < run[4]; j++) {
          var kind = run[0], item = nodes[run[1] + j * run[2]], i = run[3] + j, r;
          var values = kind[1] === "i" ? m.grid : m.out, band = kind[1] === "i" ? 0 : 2, size;
          // (with channels, bar i and zero line i of the band they stand in: ed.sy's tops)
          var c = kind[0] === "z" ? i : Math.floor(i / (band ? ed.p[0] * ed.p[1] : m.grid.length / (ed.c || 1)));
          var top = ed.sy ? ed.sy[band / 2][c] : sb[band];
          if (kind === "si" || kind === "so" || kind === "sk") {
            var t = kind === "sk" ? item : ed.tx && nodes[run[1] + j * run[2] + 1];
            if (!t) continue;
            if (kind !== "sk") t.textContent = (kind === "si" ? m.fi(m.grid[i]) : m.fo(m.out[i]));
            size = kind === "sk" ? kpx && kpx * k : px;
            if (size) t.setAttribute("font-size", String(size));
            t.toggleAttribute("data-off", !size);
          } else if (kind === "bi" || kind === "bo") {
            r = bar(i, values, top, sb[band + 1]);
            item = rect(nodes, run[1] + j * run[2]);
            item.setAttribute("y", snap(r[0]));
            item.setAttribute("height", k === 1 ? r[1] : snap(r[0] + r[1]) - snap(r[0]));
          } else if (kind === "zi" || kind === "zo") {
            var y = zeroY(values, top, sb[band + 1]) * k, xs = item.getAttribute("points").split(" ").map((q) => q.split(",")[0]);
            item.setAttribute("points", xs.map((x) => x + "," + y).join(" "));
          }
        }
      });
      if (ed.js !== "siglayer") nodes[0].parentNode.setAttribute("aria-label", alt(ed, m));
    }
  };
  // A conv1d with channels or a bias (ed.js = "siglayer"): the layer's numbers, sums, bias,
  // label sizes and alt text (templates/layer.js, shipped before this; frames/layer_slots.py),
  // the signal's equations (frames/slots.py channel_equation), bars and value sizes, and the
  // shapes Scenario takes for a signal: (C, L) input, (C_out, C_in, k) weight, 1-D bias.
  var SIG = "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089";
  function sub(name) {
    var d = /^in\[(\d+)\]$/.exec(name);
    return d ? d[1].replace(/\d/g, (c) => SIG[c]) : "(" + name + ")";
  }
  function channelEquation(ed, m, i) {
    var p = ed.p, per = p[0] * p[1], k = Math.floor(i / per), planes = p[7][k], taps = ed.k[2] * ed.k[3];
    var head = "out[" + k + "][" + i % per + "] = ", value = (m.exact[k] ? "= " : "\u2248 ") + m.fo(m.out[i]);
    var bias = m.b ? [paren(m.fo(m.b[k]))] : [], end = (shown) => head + shown.concat(bias).join(" + ") + " " + value;
    if (planes.length === 1) {  // frames/layer_slots.flat_expansion
      var at = (j) => k * ed.k[1] * taps + j, x = (j) => m.grid[planes[0] * m.cells + (i % per) * p[3] + p[5][j]], nz = [];
      for (var j = 0; j < taps; j++) if (m.w[at(j)] !== 0) nz.push(j);
      if (!nz.length) return head + ["0"].concat(bias).join(" + ") + " " + value;
      if (nz.every((n) => m.w[at(n)] === m.w[at(nz[0])])) {
        var w = m.labels[at(nz[0])];
        return L.shorten(ed, nz.map((n) => m.fi(x(n))), (shown) => end([w + " \u00b7 (" + shown.join(" + ") + ")"]));
      }
      return L.shorten(ed, nz.map((n) => paren(m.labels[at(n)]) + "\u00b7" + paren(m.fi(x(n)))), (shown) => end([shown.join(" + ")]));
    }
    var numbers = m.sums[i].map((v) => m.fo(v)), names = planes.map((c) => "\u03a3" + sub(ed.nm[c]));
    var full = head + names.concat(bias.length ? ["bias"] : []).join(" + ") + " = " + numbers.concat(bias).join(" + ") + " " + value;
    return L.fastWidth(ed, full) <= ed.room ? full : L.shorten(ed, numbers, end);
  }
  // Nested arrays of ``shape`` into ``out`` (flat), or false.
  function take(v, shape, out) {
    if (!shape.length) return out.push(v), true;
    return Array.isArray(v) && v.length === shape[0] && v.every((x) => take(x, shape.slice(1), out));
  }
  function shapes(ed) {
    var k = ed.k;
    return {input: [ed.c, ed.hw[1]], weight: [k[0], k[1], k[3]], bias: [k[0]]};
  }
  function at(shape, i) {
    var out = [];
    for (var d = shape.length - 1; d >= 0; d--) out.unshift(i % shape[d]), i = Math.floor(i / shape[d]);
    return "[" + out.join("][") + "]";
  }
  P.x.siglayer = {
    model: (ed, image, given) => {
      var m = P.x.layer.model(ed, image, given), per = ed.p[0] * ed.p[1];
      m.o3 = [];
      for (var f = 0; f < ed.k[0]; f++) m.o3.push(m.out.slice(f * per, (f + 1) * per));
      return m;
    },
    where: (ed, name, i) => {
      var n = ed.k[0] * ed.k[1] * ed.k[3];
      return name + at(shapes(ed)[name], name === "bias" ? i - n : i);
    },
    // edit(name, values): the new state, or a one-line Error (``whole``: the inline editor's
    // values, the input or the weights and the bias entire)
    edit: (ed, name, values, state, whole) => {
      var sh = shapes(ed), shape = sh[name], n = ed.k[0] * ed.k[1] * ed.k[3], flat = [];
      if (!shape) throw new Error('edit: name must be "input", "weight" or "bias" (got ' + JSON.stringify(name) + ")");
      if (name === "bias" && !ed.b) throw new Error("this picture has no bias to edit");
      var ok = [shape].concat(shape.length > 1 && shape.slice(0, -1).every((d) => d === 1) ? [shape.slice(-1)] : []);
      if (whole) flat = values.flat(9);
      else if (!ok.some((s) => take(values, s, flat = []))) {
        throw new Error(name + " must be " + ok.map((s) => s.join("\u00d7")).join(" or ") + " nested arrays (got " +
          JSON.stringify(values).slice(0, 40) + ")");
      }
      flat.forEach((x, i) => {
        var what = whole && name !== "input" ? (i < n ? "weight" : "bias") : name, range = ed.rg[{input: 0, weight: 1, bias: 2}[what]];
        if (typeof x !== "number" || !(x >= range[0] && x <= range[1])) {
          throw new Error(what + at(sh[what], whole && i >= n ? i - n : i) + " = " + x + " is outside " + range.join(" \u2026 ") +
            ", the range this picture is laid out for");
        }
      });
      flat = flat.map((x) => x + 0);
      if (name === "input") return {x: flat, w: state.w, p: null};
      var w = whole ? flat : name === "weight" ? flat.concat(state.w.slice(n)) : state.w.slice(0, n).concat(flat);
      return {x: state.x, w: w, p: null};
    },
    text: (ed, m, node, step) => node[0] === "sc" ? channelEquation(ed, m, node[1])
      : /^(si|so|bi|bo|zi|zo)$/.test(node[0]) ? "" : P.x.layer.text(ed, m, node, step),
    refresh: (ed, m, nodes) => {
      P.x.layer.refresh(ed, m, nodes);
      P.x.sig.refresh(ed, m, nodes);
    }
  };
})();
