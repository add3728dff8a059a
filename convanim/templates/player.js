// convanim player: shows the frames of a display list (its JSON data island) as SVG.
// Defined once per page as window.convanimPlayer, the only global; each player's bootstrap calls
// boot(), which starts every .convanim-player root not started yet (data-ready), so running it
// again is harmless. Script hook: convanimPlayer.get(root) -> {frame(), frames, goTo(k), play(),
// pause(), playing()}. No network, no eval: the picture is built with DOM calls.
// Without JavaScript a player is only its poster, an <img> of SVG; this script puts the same SVG
// inline in its place (to draw every frame on it) and builds the controls and the readout,
// so where scripts are stripped nothing is left that cannot work. A player plays while it is in
// view (IntersectionObserver) and pauses when it leaves; one the reader paused stays paused.
(function () {
  "use strict";
  var VERSION = 3;
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

  function htmlNode(name, attrs, text) {
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
    var bar = htmlNode("div", {"class": "convanim-bar"});
    bar.appendChild(htmlNode("input", {"class": "convanim-slider", type: "range", min: "0", max: String(n - 1),
      step: "1", value: String(k), "aria-label": "Frame"}));
    var row = htmlNode("div", {"class": "convanim-buttons"});
    BUTTONS.forEach(function (b) {
      var button = htmlNode("button", {type: "button", "data-act": b[0], "aria-label": b[1], title: b[1] + " (" + b[2] + ")"});
      if (b[0] === "play") {
        button.appendChild(icon("play", "convanim-play"));
        button.appendChild(icon("pause", "convanim-pause"));
      } else {
        button.appendChild(icon(b[0], null));
      }
      row.appendChild(button);
    });
    CHOICES.forEach(function (c) {
      var label = htmlNode("label", {}, c[1] + " ");
      var select = htmlNode("select", {"data-act": c[0]});
      c[2].forEach(function (o) {
        var option = htmlNode("option", {value: o[0]}, o[1]);
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
    var stage = htmlNode("div", {"class": "convanim-stage"});
    stage.appendChild(svg);
    var readout = htmlNode("p", {"class": "convanim-readout", "aria-live": "polite"});
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
  // indices count from the previous item of the same style; a shape's trailing zeros are left out.
  function unpack(data) {
    var n = data.f.length, firstBefore = 0, before = {};
    return data.i.map(function (item) {
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

  function start(root) {
    var island = root.querySelector("script.convanim-data");
    var still = root.querySelector("img.convanim-still");
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
    var adopted = svg.querySelectorAll("path, text, polyline"), next = 0;
    Array.prototype.forEach.call(adopted, function (el) {
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
    Array.prototype.forEach.call(svg.querySelectorAll("g"), function (g) { g.remove(); });

    var byCell = {};
    data.f.forEach(function (f, k) { if (f.length > 2) byCell[(f[4] || 0) + "," + f[2] + "," + f[3]] = k; });
    var bar = root.querySelector(".convanim-bar");
    var slider = root.querySelector(".convanim-slider");
    var readout = root.querySelector(".convanim-readout");
    var playButton = root.querySelector('[data-act="play"]');
    var speed = root.querySelector('[data-act="speed"]');
    var mode = root.querySelector('[data-act="mode"]');
    var frame = drawn, playing = false, dir = 1, timer = null;
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
      var text = data.f[k][1];
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
      timer = setTimeout(tick, data.f[frame][0] / parseFloat(speed.value));
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
      first: function () { goTo(0); },
      back: function () { goTo(frame - 1); },
      play: function () { if (playing) pause(); else play(); },
      forward: function () { goTo(frame + 1); },
      last: function () { goTo(n - 1); }
    };
    bar.addEventListener("click", function (ev) {
      var button = ev.target.closest("button[data-act]");
      if (button) actions[button.getAttribute("data-act")]();
    });
    slider.addEventListener("input", function () { goTo(parseInt(slider.value, 10)); });
    speed.addEventListener("change", function () { if (playing) schedule(); });
    mode.addEventListener("change", function () { if (mode.value !== "reflect") dir = 1; });

    root.addEventListener("keydown", function (ev) {
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
    svg.addEventListener("pointermove", function (ev) {
      if (ev.pointerType === "touch") return;
      var k = cellFrame(ev);
      root.classList.toggle("convanim-hot", k >= 0);
      if (k >= 0 && k !== frame) goTo(k);
      showField(ev);
    });
    svg.addEventListener("pointerleave", function () {
      root.classList.remove("convanim-hot");
      showField(null);
    });
    svg.addEventListener("click", function (ev) {
      var k = cellFrame(ev);
      if (k >= 0) goTo(k);
      showField(ev);
    });

    // Pointer over a cell of any map (data.rf.m: [map, channel, x, y, rows, cols, cell] per drawn
    // channel): outline its receptive field in every earlier map. Through one stage a field is a
    // product of channels × rows × columns, so the walk takes unions of each stage's per-axis links
    // (data.rf.l: [maps it reads, rows, cols, channels, a cat's [start, stop) per map]) backwards,
    // stage m − 1 making map m; a map of a graph reached along several paths holds a union of such
    // boxes. Index lists are sorted sparse arrays: Object.keys gives array indices in ascending order.
    var rf = data.rf, litKey = "", lit = null;
    function union(have, links) {
      var seen = [];
      have.forEach(function (i) { links[i].forEach(function (j) { seen[j] = 1; }); });
      return Object.keys(seen).map(Number);
    }
    // Consecutive indices as [first, count] runs.
    function runs(a) {
      var out = [];
      a.forEach(function (v, i) { if (i && v === a[i - 1] + 1) out[out.length - 1][1]++; else out.push([v, 1]); });
      return out;
    }
    function showField(ev) {
      var box = svg.getBoundingClientRect(), cell = null, sets = {}, m;
      if (!rf || !box.width) return;
      var x = ev && (ev.clientX - box.left) * data.w / box.width, y = ev && (ev.clientY - box.top) * data.h / box.height;
      rf.m.forEach(function (p) {
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
        Object.keys(sets[m] || {}).forEach(function (key) {
          var b = sets[m][key], ch = union(b[0], st[3]), rows = union(b[1], st[1]), cols = union(b[2], st[2]);
          st[0].forEach(function (i, n) {
            var part = st[4] ? st[4][n] : [0, Infinity], own = [];
            ch.forEach(function (c) { if (c >= part[0] && c < part[1]) own.push(c - part[0]); });
            if (own.length) (sets[i] = sets[i] || {})[String([own, rows, cols])] = [own, rows, cols];
          });
        });
      }
      lit = svgNode("g", {"class": "convanim-field", "pointer-events": "none", fill: data.c[rf.hl], "fill-opacity": 0.3,
        stroke: data.c[rf.hl], "stroke-width": 2});
      rf.m.forEach(function (p) {
        // the panel's cells in the field, row by row; rows alike are drawn as one band
        var k = p[6], rows = [], r, last = "";
        for (r = 0; r < p[4]; r++) rows.push([]);
        Object.keys(sets[p[0]] || {}).forEach(function (key) {
          var b = sets[p[0]][key];
          if (b[0].indexOf(p[1]) >= 0) b[1].forEach(function (i) { b[2].forEach(function (j) { rows[i][j] = 1; }); });
        });
        rows = rows.map(function (row) { return runs(Object.keys(row).map(Number)); });
        var bands = [];
        rows.forEach(function (row, i) {
          if (row.length && String(row) === last && bands[bands.length - 1][0] + bands[bands.length - 1][1] === i) bands[bands.length - 1][1]++;
          else if (row.length) bands.push([i, 1, row]);
          last = String(row);
        });
        bands.forEach(function (band) {
          band[2].forEach(function (c) {
            lit.appendChild(svgNode("rect", {"data-map": p[0], "data-channel": p[1], x: p[2] + c[0] * k, y: p[3] + band[0] * k,
              width: c[1] * k, height: band[1] * k, "fill-opacity": p[0] === cell[0] ? 0 : null}));
          });
        });
      });
      svg.appendChild(lit);
    }

    players.set(root, {
      frame: function () { return frame; },
      frames: n,
      goTo: goTo,
      play: play,
      pause: pause,
      playing: function () { return playing; }
    });
    show(drawn);
    status();
    if (!window.IntersectionObserver) {
      if (auto) play();
      return;
    }
    new IntersectionObserver(function (entries) {
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
    scopes.forEach(function (scope) {
      Array.prototype.forEach.call(scope.querySelectorAll(".convanim-player"), function (root) {
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
    get: function (root) { return players.get(root) || null; }
  };
})();
