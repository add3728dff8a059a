"""The gallery page, output/index.html: a grid of cards, one per illustration, with its still
picture, title and links to its GIF, player page and scenario file.

The page stays small (about 0.5 kB a card): a card shows the still (``NAME.png``, the last frame)
and, once it comes near the view, loads its player page (``NAME.html``) in an ``<iframe>`` over it,
one at a time so that the first cards show soon, whatever the others weigh.
Each player plays while it is in view and pauses when it leaves (the player's own
IntersectionObserver, which sees the top-level view from inside a frame too). A player page tells
the gallery its height (``postMessage``), so each frame fits its player. Without JavaScript the
cards are stills with links.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import quote

from ..display import Frames
from . import write_file

INDEX = "index.html"
HEADING = "convanim gallery"
LOAD_MARGIN = "300px"  # a player page starts loading this far below (or above) the view
LOADING = 1  #: player pages loading at once (same-origin frames share one thread): the first shows soonest

_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
script-src 'unsafe-inline'; img-src 'self'; frame-src 'self'">
<title>{title}</title>
<style>
html {{ color-scheme: light dark; }}
body {{ margin: 0; background: Canvas; color: CanvasText; \
font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }}
main {{ box-sizing: border-box; max-width: 1500px; margin: 0 auto; padding: 16px; }}
h1 {{ font-size: 1.5em; margin: 0.5em 0 0.8em; }}
.cards {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 440px), 1fr)); gap: 20px; \
margin: 0; padding: 0; list-style: none; }}
.card {{ display: flex; flex-direction: column; box-sizing: border-box; min-width: 0; padding: 12px; \
border: 1px solid rgba(128, 128, 128, 0.45); border-radius: 6px; }}
.card h2 {{ order: 2; font-size: 1em; margin: 8px 0 4px; overflow-wrap: anywhere; }}
.card p {{ order: 3; margin: 0; font-size: 0.9em; }}
.view {{ order: 1; position: relative; }}
.view img {{ display: block; width: 100%; height: auto; }}
.view iframe {{ display: block; width: 100%; height: 0; border: 0; }}
.view.live img {{ display: none; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<ul class="cards">
"""

# Loads a card's player page when the card nears the view, at most LOADING at a time, in the
# order the cards come (a card named in sessionStorage "convanim-first", which ``convanim watch``
# sets to the players it just rebuilt, goes first); sizes each frame from the height its page
# posts (templates/page.html), then shows it in place of the still.
_SCRIPT = """<script>
(function () {
  "use strict";
  var cards = document.querySelectorAll(".card[data-player]");
  var waiting = [], busy = 0, first = [];
  try {
    first = JSON.parse(sessionStorage.getItem("convanim-first") || "[]");
    sessionStorage.removeItem("convanim-first");
  } catch (e) { first = []; }
  function start(card) {
    var view = card.querySelector(".view");
    var frame = document.createElement("iframe"), done = false;
    function finish() {
      if (done) return;
      done = true;
      busy -= 1;
      next();
    }
    busy += 1;
    frame.addEventListener("load", finish);
    setTimeout(finish, 4000);  // a slow page does not hold the others back for long
    frame.title = card.querySelector("h2").textContent;
    frame.src = card.getAttribute("data-player");
    view.appendChild(frame);
  }
  function next() {
    while (busy < %LOADING% && waiting.length) start(waiting.shift());
  }
  function queue(card) {
    if (card.querySelector(".view iframe") || waiting.indexOf(card) >= 0) return;
    if (first.indexOf(card.id) >= 0) waiting.unshift(card); else waiting.push(card);
  }
  window.addEventListener("message", function (ev) {
    var h = ev.data && ev.data.convanimHeight;
    if (typeof h !== "number") return;
    Array.prototype.forEach.call(document.querySelectorAll(".view iframe"), function (frame) {
      if (frame.contentWindow !== ev.source) return;
      frame.style.height = Math.ceil(h) + "px";
      frame.parentNode.classList.add("live");
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".view img"), function (img) {
    img.addEventListener("error", function () { img.hidden = true; });
  });
  if (!window.IntersectionObserver) return;
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      if (e.isIntersecting) {
        queue(e.target);
        observer.unobserve(e.target);
      }
    });
    next();
  }, {rootMargin: "%MARGIN% 0px"});
  Array.prototype.forEach.call(cards, function (card) { observer.observe(card); });
})();
</script>
""".replace("%MARGIN%", LOAD_MARGIN).replace("%LOADING%", str(LOADING))

_TAIL = "</ul>\n</main>\n" + _SCRIPT + "</body>\n</html>\n"
_CARD = re.compile(r'<li class="card" .*?</li>\n', re.S)  # a card holds no other list item


@dataclass(frozen=True)
class Entry:
    """One illustration: its name (the output files' stem), its frames and its scenario file."""

    name: str
    frames: Frames
    source: Path | None = None


def _card(entry: Entry, out_dir: Path) -> str:
    stem, title = quote(entry.name), escape(entry.frames.title)
    alt = escape(entry.frames.alt or entry.frames.title)  # Scenario.alt_text
    links = [f'<a href="{stem}.gif">GIF</a>', f'<a href="{stem}.html">player page</a>']
    if entry.source is not None:
        rel = Path(os.path.relpath(Path(entry.source).resolve(), Path(out_dir).resolve())).as_posix()
        links.append(f'<a href="{escape(quote(rel))}">scenario</a>')
    links.append(f"<code>{escape(entry.name)}</code>")
    return (
        f'<li class="card" id="{escape(entry.name)}" data-player="{stem}.html">\n'
        f"<h2>{title}</h2>\n"
        f'<div class="view"><img src="{stem}.png" alt="{alt}" width="{entry.frames.width}" '
        f'height="{entry.frames.height}" loading="lazy"></div>\n'
        f"<p>{' · '.join(links)}</p>\n</li>\n"
    )


def index_html(entries: Sequence[Entry | str], out_dir: Path = Path("output")) -> str:
    """The gallery page: a card per entry, in the order given; scenario links are relative to
    ``out_dir``, where the page is written. An entry may be a card as ``cards`` read it from the
    page on disk: an unchanged illustration's card is kept, not made again from its frames."""
    cards = "".join(e if isinstance(e, str) else _card(e, out_dir) for e in entries)
    return _HEAD.format(title=HEADING) + cards + _TAIL


def cards(page: str) -> list[str]:
    """The cards of a page written by ``index_html``, in order (each as ``index_html`` wrote it)."""
    return _CARD.findall(page)


def write_index(out_dir: Path, entries: Sequence[Entry | str]) -> int:
    """Write ``out_dir/index.html`` atomically; returns its size."""
    data = index_html(entries, out_dir).encode("utf-8")
    return write_file(out_dir / INDEX, lambda fh: fh.write(data))
