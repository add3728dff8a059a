"""Display-list transforms for the still and sheet formats: scale, one frame alone, a storyboard.

Each returns a new ``Frames`` that the existing painters draw as they are; nothing is computed
here, shapes are only moved, scaled and captioned.
"""

from __future__ import annotations

from dataclasses import replace

from ..display import FrameInfo, Frames, Grid, Hatch, Item, Line, Picture, Rect, Shape, Text
from ..style import GRID_LINE, INK, MUTED
from ..textsize import text_width

SHEET_COLUMNS = 2
MARGIN = 24.0
GAP = 24.0
TITLE_SIZE = 20.0
CAPTION_SIZE = 16.0
LINE = 1.35  # line height / font size


def move(shape: Shape, dx: float, dy: float, s: float = 1.0) -> Shape:
    """``shape`` scaled by ``s`` about the origin, then shifted by (dx, dy)."""
    if isinstance(shape, Rect):
        return Rect(
            shape.x * s + dx,
            shape.y * s + dy,
            shape.w * s,
            shape.h * s,
            shape.fill,
            shape.stroke,
            shape.width * s,
        )
    if isinstance(shape, Hatch):
        return Hatch(
            shape.x * s + dx, shape.y * s + dy, shape.w * s, shape.h * s, shape.color, shape.spacing * s
        )
    if isinstance(shape, Picture):
        return replace(shape, x=shape.x * s + dx, y=shape.y * s + dy, w=shape.w * s, h=shape.h * s)
    if isinstance(shape, Text):
        return replace(shape, x=shape.x * s + dx, y=shape.y * s + dy, size=shape.size * s)
    if isinstance(shape, Line):
        return replace(
            shape, points=tuple((x * s + dx, y * s + dy) for x, y in shape.points), width=shape.width * s
        )
    raise TypeError(f"cannot move {type(shape).__name__}")  # pragma: no cover


def scaled(frames: Frames, s: float) -> Frames:
    """Every shape ``s`` times larger (sizes, strokes, text), the picture rounded to whole pixels."""
    if s == 1:
        return frames
    g = frames.output_grid
    return replace(
        frames,
        width=round(frames.width * s),
        height=round(frames.height * s),
        items=tuple(Item(move(it.shape, 0, 0, s), it.first, it.last) for it in frames.items),
        output_grid=Grid(g.x * s, g.y * s, g.rows, g.cols, g.cell * s),
    )


def single(frames: Frames, k: int) -> Frames:
    """Frame ``k`` alone, as a one-frame display list."""
    items = tuple(Item(it.shape, 0, 0) for it in frames.items if it.visible(k))
    return replace(frames, items=items, frames=(frames.frames[k],))


def wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` (a longer word stays whole)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_width(f"{lines[-1]} {word}", size, bold) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def storyboard(frames: Frames, picks: tuple[int, ...]) -> Frames:
    """One sheet: the title, then the picked frames in ``SHEET_COLUMNS`` columns at full size, each
    framed by a thin line and captioned with its number and readout."""
    w, h = frames.width, frames.height
    cols = min(SHEET_COLUMNS, len(picks))
    width = 2 * MARGIN + cols * w + (cols - 1) * GAP
    items: list[Item] = []
    title = wrap(frames.title, TITLE_SIZE, width - 2 * MARGIN, bold=True)
    y = MARGIN
    for line in title:
        y += TITLE_SIZE * LINE
        items.append(Item(Text(MARGIN, y - 0.3 * TITLE_SIZE, line, TITLE_SIZE, INK, "start", True), 0, 0))
    y += GAP / 2
    for row in range(0, len(picks), cols):
        captions = [_caption(frames, k, w) for k in picks[row : row + cols]]
        for col, (k, lines) in enumerate(zip(picks[row : row + cols], captions, strict=True)):
            x = MARGIN + col * (w + GAP)
            items.extend(Item(move(it.shape, x, y), 0, 0) for it in frames.items if it.visible(k))
            items.append(Item(Rect(x, y, w, h, None, GRID_LINE, 1.0), 0, 0))
            for i, line in enumerate(lines):
                base = y + h + (i + 1) * CAPTION_SIZE * LINE
                colour = MUTED if i == len(lines) - 1 else INK
                items.append(Item(Text(x, base, line, CAPTION_SIZE, colour, "start"), 0, 0))
        y += h + max(len(c) for c in captions) * CAPTION_SIZE * LINE + CAPTION_SIZE * 0.5 + GAP
    info = FrameInfo(0, None, None, "storyboard: frames " + ", ".join(str(k) for k in picks))
    return replace(
        frames,
        width=round(width),
        height=round(y - GAP + MARGIN),
        items=tuple(items),
        frames=(info,),
        output_grid=Grid(0, 0, 0, 0, 0),
    )


def _caption(frames: Frames, k: int, width: float) -> list[str]:
    """The frame's readout, wrapped to the panel's width, then 'frame k · d ms'."""
    info = frames.frames[k]
    return [*wrap(info.readout, CAPTION_SIZE, width), f"frame {k} · {info.duration_ms} ms"]
