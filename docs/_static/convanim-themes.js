// convanim's site: each player is on the page twice, light and dark (docs/_ext/themed_players.py),
// and CSS shows the one matching <html data-theme>. When the reader switches the theme, the player
// that appears takes the frame and the play state of the one that disappears, through the
// player's own hook, convanimPlayer.get(root): {frame(), goTo(k), play(), playing()}.
(function () {
  "use strict";
  var html = document.documentElement;
  var shown = html.getAttribute("data-theme") === "dark" ? "dark" : "light";

  function api(pair, theme) {
    var root = pair.querySelector(".convanim-when-" + theme + " .convanim-player");
    return root && window.convanimPlayer ? window.convanimPlayer.get(root) : null;
  }

  new MutationObserver(function () {
    var now = html.getAttribute("data-theme") === "dark" ? "dark" : "light";
    if (now === shown) return;
    document.querySelectorAll(".convanim-follow").forEach(function (pair) {
      var before = api(pair, shown), after = api(pair, now);
      if (!before || !after) return;
      var k = before.frame(), playing = before.playing();
      if (!playing && k === after.frame()) return;  // untouched (e.g. not yet in view): keep autoplay
      after.goTo(k);
      if (playing) after.play();
    });
    shown = now;
  }).observe(html, {attributes: true, attributeFilter: ["data-theme"]});
})();
