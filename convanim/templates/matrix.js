// convanim matrix editing: the matrix view's own rule (frames/matrix.py MatrixBuilder), shipped
// only with its players (ed.js = "mat"), before them, so that the player finds it in
// convanimPlayer.x. The view is the window view's steps drawn as a product of the patches and the
// flattened kernel: its cells are the window view's slots; only a step's patch row, its index
// from 0 (frames/slots.py text: the step node "n"), is written here.
(() => {
  "use strict";
  var P = window.convanimPlayer;
  if (!P || !P.x || P.x.mat) return;
  P.x.mat = {text: (ed, m, node, step) => String(step)};
})();
