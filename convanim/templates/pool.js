// convanim pool editing: the rules of a pool's window view, shipped only with its players, before
// them, so that the player finds them in convanimPlayer.x when it starts: an average pool's
// equations (ed.js = "mean": frames/slots.py mean_equation), a max pool's output, equations and
// marker ("max": frames/slots.py chosen, max_equation, Slots.marker).
(() => {
  "use strict";
  var P = window.convanimPlayer;
  if (!P || !P.x || P.x.max) return;
  var L = P.lib;
  // the grid cells step k's window reads, in row-major order
  function taps(ed, k) {
    var p = ed.p, base = Math.floor(k / p[1]) * p[2] + (k % p[1]) * p[3];
    return p[5].map((d) => base + d);
  }
  // frames/slots.chosen: the window's first maximum, as numpy's argmax (and PyTorch) picks it
  function chosen(ed, m, k) {
    var t = taps(ed, k), best = t[0];
    t.forEach((g) => { if (m.grid[g] > m.grid[best]) best = g; });
    return best;
  }
  // frames/slots.mean_equation ("m"): an average pool's step k, the image's own terms unless
  // padding counts
  // (head: a signal's "output[k] = ", else "output[r,c] = ")
  function mean(ed, m, k, head) {
    var ow = ed.p[1], d = ed.pd[k] || ed.pd, t = taps(ed, k), x = t.map((g) => m.grid[g]);
    var tail = ")/" + d + " = " + m.fi(L.npSum(x)) + "/" + d + " = " + m.fo(m.out[k]);
    var terms = t.filter((g) => ed.ci || !ed.o || ed.o[g] >= 0).map((g) => m.fi(m.grid[g]));
    head = head || "output[" + Math.floor(k / ow) + "," + (k % ow) + "] = ";
    return L.shorten(ed, terms, (shown) => head + "(" + shown.join(" + ") + tail);
  }
  P.x.mean = {text: (ed, m, node) => mean(ed, m, node[1]), equation: mean};
  P.x.max = {
    // the grid (padding is −∞), each window's maximum, formats and scales as frames/base.py sets
    // them for a max pool: its outputs keep the input's digits; −∞ is on no scale
    model: (ed, image, given) => {
      var grid = ed.o ? ed.o.map((i) => i < 0 ? -Infinity : image[i]) : image.slice(), out = [];
      var m = {grid: grid, image: image, w: given, g: given, preset: null, labels: [""], exact: true};
      for (var k = 0; k < ed.p[0] * ed.p[1]; k++) out.push(grid[chosen(ed, m, k)]);
      var finite = grid.filter(isFinite), sc = L.scales(ed, finite, given, out);
      m.out = out;
      m.fi = L.formatter(grid, 0);
      m.fo = L.formatter(out, finite.every(Number.isInteger) ? 0 : 1);
      m.sin = sc[0];
      m.sout = sc[1];
      return m;
    },
    // frames/slots.max_equation ("x"); a marker ("a") has no text
    text: (ed, m, node) => {
      var k = node[0] === "x" ? node[1] : -1, ow = ed.p[1];
      if (k < 0) return "";
      var tail = ") = " + m.fo(m.out[k]), head = "output[" + Math.floor(k / ow) + "," + k % ow + "] = max(";
      return L.shorten(ed, taps(ed, k).map((g) => m.fi(m.grid[g])), (shown) => head + shown.join(", ") + tail);
    },
    // each marker to its step's maximum: Slots.marker's rule, snapped as frames/scaling does
    refresh: (ed, m, nodes) => {
      var mk = ed.mk, at = (v) => Math.round((mk[4] === 1 ? v : Math.floor(v * mk[4] + 0.5 + 1e-9)) * 10) / 10;
      ed.s.forEach((run) => {
        for (var j = 0; j < run[4] && run[0] === "a"; j++) {
          var g = chosen(ed, m, run[3] + j), cols = ed.g[1];
          nodes[run[1] + j * run[2]].setAttribute("x", at(mk[0] + (g % cols) * mk[2] + mk[3]));
          nodes[run[1] + j * run[2]].setAttribute("y", at(mk[1] + Math.floor(g / cols) * mk[2] + mk[3]));
        }
      });
    }
  };
})();
