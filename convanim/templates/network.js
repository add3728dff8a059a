// convanim network view: a cell's numbers. Shipped only with a network's player (data.nd), after
// it: pointing at a cell of any map (the player lights its receptive field, data.rf) shows the
// numbers of that cell, or of the nearest cell the page has numbers for (data.nd.d: [map, channel,
// row, col, label, text, svg or 0], sampled by the Python side, which says so in data.nd.n); the list
// picks one of them with the keyboard and lights its field as the pointer would.
(() => {
  "use strict";
  if (window.convanimNetwork) { window.convanimNetwork(); return; }
  function start(root) {
    var island = root.querySelector(".convanim-data"), svg = root.querySelector(".convanim-stage > svg");
    if (!island || !svg || root.hasAttribute("data-network")) return;
    var data = JSON.parse(island.textContent), nd = data.nd, shown = -1;
    if (!nd || !data.rf) return;
    root.setAttribute("data-network", "");
    var panel = document.createElement("div"), pick = document.createElement("select");
    var text = document.createElement("p"), img = document.createElement("img"), note = document.createElement("p");
    var label = document.createElement("label");
    panel.className = "convanim-detail";
    label.textContent = "Cell with numbers: ";
    pick.setAttribute("aria-label", "Cell whose numbers and receptive field to show");
    pick.appendChild(new Option("(point at a cell, or pick one)", "-1"));
    nd.d.forEach((d, i) => { pick.appendChild(new Option(d[4], String(i))); });
    label.appendChild(pick);
    text.className = "convanim-detail-text";
    text.setAttribute("aria-live", "polite");
    img.style.cssText = "display:none;max-width:100%;height:auto";
    note.textContent = nd.n;
    note.style.opacity = "0.85";
    [label, text, img, note].forEach((el) => { panel.appendChild(el); });
    root.appendChild(panel);
    // The cell under a point of the picture: [map, channel, row, col], or null.
    function cellAt(x, y) {
      var found = null;
      data.rf.m.forEach((p) => {
        var c = Math.floor((x - p[2]) / p[6]), r = Math.floor((y - p[3]) / p[6]);
        if (!found && r >= 0 && c >= 0 && r < p[4] && c < p[5]) found = [p[0], p[1], r, c];
      });
      return found;
    }
    // The shipped detail nearest to a cell: of its map and channel, else of its map.
    function nearest(cell) {
      var best = -1, score = Infinity;
      nd.d.forEach((d, i) => {
        if (d[0] !== cell[0]) return;
        var s = (d[1] === cell[1] ? 0 : 1e9) + Math.abs(d[2] - cell[2]) + Math.abs(d[3] - cell[3]);
        if (s < score) { score = s; best = i; }
      });
      return best;
    }
    function show(i, cell) {
      var d = nd.d[i];
      if (i < 0) {
        text.textContent = cell ? "the image, channel " + cell[1] + " (" + cell[2] + ", " + cell[3] + "): pick a cell of a later map for its numbers" : "";
        img.style.display = "none";
        root.removeAttribute("data-detail");
        shown = -1;
        return;
      }
      var exact = !cell || String(cell) === String(d.slice(0, 4));
      text.textContent = (exact ? "" : "nearest cell with numbers: ") + d[5];
      root.setAttribute("data-detail", String(d.slice(0, 4)));
      if (i === shown) return;
      shown = i;
      pick.value = String(i);
      img.style.display = d[6] ? "block" : "none";
      if (d[6]) {
        img.src = d[6];
        img.alt = d[5];
      }
    }
    function point(ev) {
      var box = svg.getBoundingClientRect();
      if (!box.width) return;
      var cell = cellAt((ev.clientX - box.left) * data.w / box.width, (ev.clientY - box.top) * data.h / box.height);
      if (cell) show(cell[0] ? nearest(cell) : -1, cell);
    }
    svg.addEventListener("pointermove", (ev) => { if (ev.pointerType !== "touch") point(ev); });
    svg.addEventListener("click", point);
    // A cell picked in the list: a click at its centre, so the player lights its field too. The
    // centre is set on the event as it is: a cell can be under a CSS pixel wide (a big map's
    // picture is drawn 1/4 px a cell), and a MouseEvent made with it would round it to a pixel.
    pick.addEventListener("change", () => {
      var d = nd.d[+pick.value], box = svg.getBoundingClientRect();
      if (!d) return show(-1, null);
      data.rf.m.forEach((p) => {
        if (p[0] !== d[0] || p[1] !== d[1]) return;
        var x = p[2] + (d[3] + 0.5) * p[6], y = p[3] + (d[2] + 0.5) * p[6];
        var ev = new MouseEvent("click", {bubbles: true});
        Object.defineProperties(ev, {clientX: {value: box.left + x * box.width / data.w},
          clientY: {value: box.top + y * box.height / data.h}});
        svg.dispatchEvent(ev);
      });
    });
  }
  window.convanimNetwork = () => {
    Array.prototype.forEach.call(document.querySelectorAll(".convanim-player"), (root) => {
      try { start(root); } catch (err) { root.setAttribute("data-error", String(err)); }
    });
  };
  window.convanimNetwork();
})();
