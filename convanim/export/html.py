"""HTML exporter: a self-contained page with an SVG player of the frames (also notebook fragments).

The poster is inline SVG (the picture without JavaScript, one element per item); the display list
goes into a JSON data island (``playerdata``), where the poster's items are listed by span only.
``templates/player.js`` adopts the poster's elements, creates the others from the JSON and shows
frame after frame. The player's JS and CSS live in ``templates/`` and are inlined: once per page,
or in every notebook fragment, where a guard defines them once. Nothing is fetched: no CDN, no
fonts, no images.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from string import Template
from typing import BinaryIO

from ..display import Frames
from . import gif, register  # noqa: F401  (gif first: formats() lists gif, html whatever is imported first)
from .playerdata import encode, script_json
from .svg import frame_svg

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
FALLBACK_FRAME = 0  # the poster: shown without JavaScript, and the player's first frame


def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _inline(text: str, tag: str) -> str:
    """``text`` ready to sit inside ``<tag>``: refuses a closing tag that would end it early."""
    if f"</{tag}" in text.lower():
        raise ValueError(f"templates: inlined {tag} must not contain '</{tag}'")
    return text


def player_js() -> str:
    """templates/player.js without indentation and whole-line ``//`` comments (same code, smaller)."""
    lines = (line.strip() for line in _template("player.js").splitlines())
    return _inline("\n".join(line for line in lines if line and not line.startswith("//")), "script")


def player_css() -> str:
    """templates/player.css without comments and runs of white space."""
    css = re.sub(r"/\*.*?\*/", "", _template("player.css"), flags=re.S)
    css = re.sub(r"\s*([{};,>])\s*", r"\1", re.sub(r"\s+", " ", css)).strip()
    return _inline(css, "style")


def assets() -> str:
    """The player's CSS and JS as ``<style>`` and ``<script>`` (the JS defines itself once a page)."""
    return f"<style>{player_css()}</style>\n<script>{player_js()}</script>\n"


def player(frames: Frames) -> str:
    """One player's markup: poster as inline SVG, hidden controls, readout, data island, bootstrap."""
    k = FALLBACK_FRAME
    return Template(_template("player.html")).substitute(
        label=escape(frames.title),
        frame=k,
        frames=len(frames),
        last=len(frames) - 1,
        width=frames.width,
        svg=frame_svg(frames, k),
        readout=escape(frames.frames[k].readout),
        data=script_json(encode(frames, k)),
    )


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
