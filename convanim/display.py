"""The display list: shapes in pixels, each visible for a span of frames. No file format here.

Both painters (raster for GIF, SVG in the HTML player) draw exactly these, in list order, so every
export shows the same picture at every step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .style import LIGHT, Theme

if TYPE_CHECKING:
    from .dependence import StageLinks
    from .frames.layer_slots import LayerSlots
    from .frames.network_cells import AnyCell
    from .frames.slots import Slots


@dataclass(frozen=True)
class Rect:
    """Axis-aligned rectangle; ``width`` is the stroke width in px, centred on the outline."""

    x: float
    y: float
    w: float
    h: float
    fill: str | None = None
    stroke: str | None = None
    width: float = 0.0


@dataclass(frozen=True)
class Hatch:
    """Diagonal lines (45°, rising to the right) every ``spacing`` px, clipped to a rectangle."""

    x: float
    y: float
    w: float
    h: float
    color: str
    spacing: float = 8.0


@dataclass(frozen=True)
class Text:
    """One line of text; ``y`` is the baseline, ``anchor`` is start, middle or end."""

    x: float
    y: float
    text: str
    size: float
    color: str
    anchor: str = "middle"
    bold: bool = False


@dataclass(frozen=True)
class Line:
    """A polyline; ``dash`` draws it dashed."""

    points: tuple[tuple[float, float], ...]
    color: str
    width: float
    dash: bool = False


@dataclass(frozen=True)
class Picture:
    """An RGB picture of ``rows × cols`` pixels stretched over the rectangle (x, y, w, h), each
    pixel a block (nearest neighbour, never smoothed): a map's plane in one shape, not a rectangle
    a cell. ``pixels`` is the (rows, cols, 3) uint8 array's bytes, so the shape stays hashable."""

    x: float
    y: float
    w: float
    h: float
    rows: int
    cols: int
    pixels: bytes

    @classmethod
    def of(cls, x: float, y: float, w: float, h: float, rgb: np.ndarray) -> Picture:
        """The picture of an (rows, cols, 3) uint8 array."""
        rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
        if rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ValueError(f"a picture is (rows, cols, 3) RGB, not {rgb.shape}")
        return cls(x, y, w, h, rgb.shape[0], rgb.shape[1], rgb.tobytes())

    def array(self) -> np.ndarray:
        """The pixels as a read-only (rows, cols, 3) uint8 array."""
        return np.frombuffer(self.pixels, np.uint8).reshape(self.rows, self.cols, 3)


Shape = Rect | Hatch | Text | Line | Picture


@dataclass(frozen=True)
class Item:
    """A shape and the frames, first to last inclusive, in which it is drawn."""

    shape: Shape
    first: int
    last: int

    def visible(self, frame: int) -> bool:
        return self.first <= frame <= self.last


@dataclass(frozen=True)
class Grid:
    """Where a grid of cells lies, so players can map a pointer to a cell."""

    x: float
    y: float
    rows: int
    cols: int
    cell: float


@dataclass(frozen=True)
class MapGrid:
    """Where one channel of one map is drawn: map 0 is the image, map i the output of stage i − 1;
    cell (0, 0) of the map is the grid's top-left cell (padding drawn around it is not part of
    it). Receptive fields are drawn, and pointed at, through these."""

    map: int
    channel: int
    grid: Grid


@dataclass(frozen=True)
class FrameInfo:
    """One frame: how long it shows, the step it shows (None: poster or final) and a readout."""

    duration_ms: int
    step: int | None
    out: tuple[int, int] | None
    readout: str
    channel: int | None = None  #: the output channel of ``out``, when the output has several


@dataclass(frozen=True, eq=False)
class CellDetail:
    """One cell's numbers, for a player to open when the cell is picked: map ``map`` (0 the image),
    its ``channel``, ``row`` and ``col``; a label and a line of text, and a picture of how it is computed
    (frame ``frame`` of ``picture``, the layer view's drawing of its one step) or None."""

    map: int
    channel: int
    row: int
    col: int
    label: str  #: the cell in a few words, e.g. "conv1 ch 3 (12, 7)"
    text: str
    picture: Frames | None = None
    frame: int = 0


@dataclass(frozen=True)
class Frames:
    """Everything an exporter needs: picture size, items in drawing order, and per-frame info."""

    title: str
    width: int
    height: int
    background: str
    items: tuple[Item, ...]
    frames: tuple[FrameInfo, ...]
    output_grid: Grid
    output_grids: tuple[Grid, ...] = ()  #: one per output channel, when there are several
    alt: str = ""  #: the text alternative of the whole animation (Scenario.alt_text)
    theme: Theme = LIGHT  #: the colours of the chrome, for an exporter's own controls
    maps: tuple[MapGrid, ...] = ()  #: where each drawn channel of each map lies
    links: tuple[StageLinks, ...] = ()  #: per stage, how its output cells depend on its inputs
    slots: Slots | None = None  #: an editable picture's value-dependent items (frames.slots)
    layer: LayerSlots | None = None  #: an editable layer's (frames.layer_slots)
    details: tuple[CellDetail, ...] = ()  #: cells whose numbers a player opens (a network's)
    detail_note: str = ""  #: which cells have details, for the player to say
    cells: AnyCell | None = None  #: a network's every cell, for the player to open any of them

    def __len__(self) -> int:
        return len(self.frames)

    def visible(self, frame: int) -> list[Shape]:
        """Shapes of one frame, in drawing order: frame ``frame`` on its own."""
        return [it.shape for it in self.items if it.visible(frame)]
