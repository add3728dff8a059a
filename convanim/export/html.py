"""HTML exporter: a self-contained page with an SVG player of the frames (also notebook fragments).

Without JavaScript (an untrusted notebook, a preview or mail that strips scripts) a player is one
``<img>``, the poster (frame 0) as an SVG ``data:`` URI (``still.py``), which sanitisers keep;
nothing else shows: no controls, no text. With JavaScript, ``templates/player.js`` reads the SVG
back from the URI, puts it in place of the ``<img>`` and builds the controls and the readout. The
SVG has one element per item; the display list goes into a JSON data island (``playerdata``),
where the poster's items are listed by span only. The player adopts the poster's elements, creates
the others from the JSON and shows frame after frame. The
player's JS and CSS live in ``templates/`` and are inlined: once per page, or in every notebook
fragment, where a guard defines them once. Nothing is fetched: no CDN, no fonts, no files.
"""

from __future__ import annotations

import base64
import re
from html import escape
from importlib.resources import files
from string import Template
from typing import Any, BinaryIO

from .. import editing, layer_editing
from ..display import Frames
from ..frames import network_cells
from . import gif, register  # noqa: F401  (gif first: formats() lists gif, html whatever is imported first)
from .minify import squeeze
from .playerdata import encode, script_json
from .still import svg_data_uri

TEMPLATES = files("convanim") / "templates"  # package data: found in a checkout and in the wheel
POSTER = 0  # the picture without JavaScript, and the player's first frame
THEMED_PAD = 10  #: px around the picture of a dark or contrast player (templates/player.css)


def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _inline(text: str, tag: str) -> str:
    """``text`` ready to sit inside ``<tag>``: refuses a closing tag that would end it early."""
    if f"</{tag}" in text.lower():
        raise ValueError(f"templates: inlined {tag} must not contain '</{tag}'")
    return text


def player_js() -> str:
    """templates/player.js without comments, indentation and spaces by punctuation (``minify``)."""
    return _inline(squeeze(_template("player.js")), "script")


def player_css() -> str:
    """templates/player.css without comments and runs of white space."""
    css = re.sub(r"/\*.*?\*/", "", _template("player.css"), flags=re.S)
    css = re.sub(r"\s*([{};,>])\s*", r"\1", re.sub(r"\s+", " ", css)).strip()
    css = css.replace(": ", ":").replace(";}", "}")  # a selector's ":" has no space after it
    return _inline(css, "style")


def network_js() -> str:
    """templates/network.js, minified: the script of a network's cell details (its pages only)."""
    return _inline(squeeze(_template("network.js")), "script")


def layer_js() -> str:
    """templates/layer.js, minified: a layer's editing rules (a layer's players, and a network's
    step pictures)."""
    return _inline(squeeze(_template("layer.js")), "script")


def edit_js(frames: Frames) -> str:
    """The minified scripts of the view's own editing rules (``editing.script``: templates/pool.js
    for a pool, templates/signal.js for a signal; templates/layer.js for a layer) as ``<script>``s
    that go before the player, or "" (most players)."""
    names = layer_editing.script(frames.layer) if frames.layer else editing.script(frames.slots)
    return "".join(f"<script>{_inline(squeeze(_template(name)), 'script')}</script>\n" for name in names)


def assets() -> str:
    """The player's CSS and JS as ``<style>`` and ``<script>`` (the JS defines itself once a page)."""
    return f"<style>{player_css()}</style>\n<script>{player_js()}</script>\n"


def player(frames: Frames) -> str:
    """One player's markup: the poster as an ``<img>``, the data island, the bootstrap (the
    script builds the live picture, the controls and the readout)."""
    k = POSTER
    themed, colours, maxwidth = "", "", frames.width
    if frames.theme.name != "light":  # light controls take the page's colours, as before
        t = frames.theme
        themed = " convanim-themed"
        colours = f";--convanim-bg:{t.background};--convanim-fg:{t.ink};--convanim-accent:{t.highlight}"
        maxwidth += 2 * THEMED_PAD
    return (
        edit_js(frames)
        + Template(_template("player.html")).substitute(
            themed=themed,
            colours=colours,
            label=escape(frames.title),
            alt=escape(frames.alt or f"{frames.title}: {frames.frames[k].readout}"),  # Scenario.alt_text
            frame=k,
            frames=len(frames),
            width=frames.width,
            maxwidth=maxwidth,
            height=frames.height,
            still=svg_data_uri(frames, k),
            data=script_json(encode(frames, k) | details(frames)),
        )
        + (f"\n<script>{layer_js()}</script>" if _stepped(frames) else "")
        + (f"\n<script>{network_js()}</script>" if frames.details else "")
    )


def _stepped(frames: Frames) -> bool:
    """Whether a network's page draws any cell's step (its step pictures need the layer's rules)."""
    return bool(frames.details and frames.cells and any(frames.cells.pictures) and any(frames.cells.maps))


def step_player(frames: Frames) -> dict[str, Any]:
    """A stage's step picture as a network's page carries it (``nd.a.sp``): its poster as an SVG
    data: URI, its data island, its size and title; ``templates/network.js`` builds the player."""
    return {
        "s": svg_data_uri(frames, POSTER),
        "d": encode(frames, POSTER),
        "w": frames.width,
        "h": frames.height,
        "l": frames.title,
    }


def details(frames: Frames) -> dict[str, Any]:
    """A network's cell details for the data island (``nd``, see ``playerdata``): each sampled
    cell's words, and its layer-view picture as an SVG data: URI (an ``<img>`` shows it) unless its
    stage has a step picture; and (``a``) what any cell's text is written from
    (``frames.network_cells.island``), with every map's written values as integers, each map
    deflated, in base64 (``z``), and each stage's step picture (``sp``) and its weights' place in
    those bytes (``fw``)."""
    if not frames.details:
        return {}
    cells = [
        [
            d.map,
            d.channel,
            d.row,
            d.col,
            d.label,
            d.text,
            svg_data_uri(d.picture, d.frame) if d.picture else 0,
        ]
        for d in frames.details
    ]
    out: dict[str, Any] = {"n": frames.detail_note, "d": cells}
    if frames.cells is not None and any(frames.cells.maps):  # a format spec: no map written as integers
        table, weights, packed = network_cells.encode(frames.cells)
        steps = [0 if p is None else _step_pictures(p) for p in frames.cells.pictures]
        out["a"] = network_cells.island(frames.cells) | {
            "m": table,
            "z": base64.b64encode(packed).decode(),
            **({"fw": weights, "sp": steps} if _stepped(frames) else {}),
        }
    return {"nd": out}


def _step_pictures(p: network_cells.StepPicture) -> dict[str, Any]:
    """A stage's step picture as the page boots it: its player's data, the step's frame, and a
    grouped convolution's other groups' players ("g")."""
    out = step_player(p.frames) | {"f": p.frame}
    return out | {"g": [step_player(f) for f in p.others]} if p.others else out


def fragment(frames: Frames) -> str:
    """A player that works anywhere HTML is shown (a notebook output, a page body): assets included."""
    return assets() + player(frames)


def page(title: str, body: str) -> str:
    """A whole HTML document around ``body`` (player markup), with the assets inlined once."""
    return Template(_template("page.html")).substitute(
        title=escape(title), css=player_css(), js=player_js(), body=body
    )


@register("html", ".html", gallery=True)
def write(frames: Frames, fh: BinaryIO) -> None:
    """A standalone page showing one player."""
    fh.write(page(frames.title, player(frames)).encode("utf-8"))
