"""One frame of a display list as inline SVG: the player's poster, shown without JavaScript too.

One element per item visible in the frame, in drawing order (document order is painter's order);
the player adopts these elements instead of creating them again (see ``playerdata``). Presentation
attributes only, no CSS, so the picture survives sanitisers that drop styles. Rectangles are short
``<path>``s, pictures ``<image>``s of a PNG ``data:`` URI drawn pixelated; runs of elements with
equal attributes share a ``<g>``, and the values of inherited attributes that save most sit on the
``<svg>``. Grids are drawn crisp (``shape-rendering``), as the GIF's are.
"""

from __future__ import annotations

import re
from collections import Counter
from html import escape

from ..display import Frames, Hatch, Line, Picture, Rect, Shape, Text
from ..paint.raster import DASH, hatch_segments
from .playerdata import num
from .png import picture_uri

FONT = "'DejaVu Sans', Verdana, sans-serif"
_RUN = re.compile(r"(?<= ) ")  # a space that follows a space
INHERITED = ("fill", "stroke-width", "font-size", "text-anchor")  # may sit on the <svg> instead


def svg_attrs(frames: Frames) -> str:
    """Attributes of the player's ``<svg>`` element (shared with the live picture)."""
    w, h = frames.width, frames.height
    return (
        f'class="convanim-svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        f'aria-label="{escape(frames.alt or frames.title)}" font-family="{FONT}" shape-rendering="crispEdges"'
    )


def frame_svg(frames: Frames, k: int) -> str:
    """Frame ``k`` as an ``<svg>`` element: background, then each visible item in drawing order."""
    elements = [_element(shape) for shape in frames.visible(k)]
    defaults: dict[str, str] = {}
    for name in INHERITED:  # the value that saves most goes on the <svg>, and elements inherit it
        values = Counter(attrs[name] for attrs, _ in elements if name in attrs)
        candidates = [None, *(v for v, _ in values.most_common(3))]
        best = min(candidates, key=lambda v: len(_body(elements, {**defaults, name: v})))
        if best is not None:
            defaults[name] = best
    w, h = frames.width, frames.height
    root = "".join(f' {name}="{value}"' for name, value in defaults.items())
    return (
        f'<svg {svg_attrs(frames)}{root}><rect width="{w}" height="{h}" fill="{_hex(frames.background)}"/>'
        f"{_body(elements, defaults)}</svg>"
    )


def _body(elements: list[tuple[dict[str, str], str]], defaults: dict[str, str | None]) -> str:
    """The elements with the attributes they do not inherit; a run of elements with the same
    attributes shares a ``<g>``."""
    own = [
        (" ".join(f'{k}="{v}"' for k, v in attrs.items() if defaults.get(k) != v), element)
        for attrs, element in elements
    ]
    out = []
    i = 0
    while i < len(own):
        j = i + 1
        while j < len(own) and own[j][0] == own[i][0]:
            j += 1
        attrs, element = own[i]
        if not attrs:
            out.extend(e for _, e in own[i:j])
        elif j - i == 1:
            tag, rest = element.split(" ", 1)
            out.append(f"{tag} {attrs} {rest}")
        else:
            out.append(f"<g {attrs}>{''.join(e for _, e in own[i:j])}</g>")
        i = j
    return "".join(out)


def _hex(colour: str) -> str:
    """``#rrggbb`` as ``#rgb`` when each channel is a doubled digit (the same colour)."""
    c = colour.lower()
    if len(c) == 7 and c[0] == "#" and c[1] == c[2] and c[3] == c[4] and c[5] == c[6]:
        return "#" + c[1] + c[3] + c[5]
    return colour


def _element(shape: Shape) -> tuple[dict[str, str], str]:
    """(presentation attributes, the element with its geometry only)."""
    attrs: dict[str, str] = {}
    if isinstance(shape, Rect):
        attrs["fill"] = _hex(shape.fill) if shape.fill else "none"
        if shape.stroke and shape.width > 0:
            attrs["stroke"] = _hex(shape.stroke)
            attrs["stroke-width"] = str(num(shape.width))
        x, y, w, h = (num(v) for v in (shape.x, shape.y, shape.w, shape.h))
        return attrs, f'<path d="M{x} {y}h{w}v{h}h{num(-w)}z"/>'
    if isinstance(shape, Hatch):
        attrs.update({"fill": "none", "stroke": _hex(shape.color), "stroke-width": "1"})
        attrs["shape-rendering"] = "auto"  # smooth diagonals, as in the GIF
        d = "".join(f"M{num(a)} {num(b)}L{num(c)} {num(e)}" for (a, b), (c, e) in hatch_segments(shape))
        return attrs, f'<path d="{d}"/>'
    if isinstance(shape, Text):
        attrs["fill"] = _hex(shape.color)
        attrs.update({"font-size": str(num(shape.size)), "text-anchor": shape.anchor})
        if shape.bold:
            attrs["font-weight"] = "bold"
        text = escape(kept_spaces(shape.text), quote=False)
        return attrs, f'<text x="{num(shape.x)}" y="{num(shape.y)}">{text}</text>'
    if isinstance(shape, Picture):
        attrs["image-rendering"] = "pixelated"  # each pixel a block, as in the GIF (a run shares a <g>)
        x, y, w, h = (num(v) for v in (shape.x, shape.y, shape.w, shape.h))
        return attrs, (
            f'<image x="{x}" y="{y}" width="{w}" height="{h}" preserveAspectRatio="none" '
            f'href="{picture_uri(shape)}"/>'
        )
    if isinstance(shape, Line):
        attrs.update({"fill": "none", "stroke": _hex(shape.color), "stroke-width": str(num(shape.width))})
        if shape.dash:
            attrs["stroke-dasharray"] = f"{DASH[0]:g} {DASH[1]:g}"
        attrs["shape-rendering"] = "auto"
        points = " ".join(f"{num(x)},{num(y)}" for x, y in shape.points)
        return attrs, f'<polyline points="{points}"/>'
    raise TypeError(f"cannot draw {type(shape).__name__}")  # pragma: no cover


def kept_spaces(text: str) -> str:
    """``text`` with every space after a space made no-break: SVG collapses runs of spaces (the
    equation's gap) and neither ``xml:space`` nor CSS reaches an SVG shown as an ``<img>``."""
    return _RUN.sub("\u00a0", text)
