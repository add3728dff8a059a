"""A picture with channels as data: each map's panels (one per channel drawn, a line for the
rest), and where the operation panels, the zoom and the equation go."""

from __future__ import annotations

from dataclasses import dataclass

from ..display import Grid
from ..layout import SMALL_PX

PANEL_GAP = 8
PANEL_LABEL = SMALL_PX + 4  #: room for a panel's label above it
WEIGHTS_GAP = 18  #: between a window and its weights in the zoom
ELLIPSIS = "\u2026"
SIGMA = "\u03a3"


@dataclass(frozen=True)
class Panel:
    """One plane of a map drawn as a small picture; ``channel`` None is the colour composite."""

    grid: Grid
    channel: int | None
    label: str


@dataclass(frozen=True)
class MapPanels:
    """A map's panels, and the line that summarises the channels not drawn."""

    x: float
    panels: tuple[Panel, ...]
    more: int  #: channels not drawn
    more_y: float  #: baseline of the summary line

    def of(self, channel: int) -> Panel | None:
        return next((p for p in self.panels if p.channel == channel), None)


@dataclass(frozen=True)
class LayersLayout:
    width: int
    height: int
    cell: int
    maps: tuple[MapPanels, ...]
    ops: tuple[tuple[float, float, float], ...]  #: per stage: panel left x, width, top y of its box
    label_y: float
    caption_y: float | None
    zoom_y: float  #: top of the zoom blocks
    zoom_cell: int
    zoom_shape: tuple[int, int]
    zoom_step: float  #: from one zoom block to the next
    zoom_blocks: int  #: blocks the zoom has room for
    equation_y: float

    @property
    def grids(self) -> tuple[Grid, ...]:
        """Each map's first panel (what the one-channel picture calls its map)."""
        return tuple(m.panels[0].grid for m in self.maps)
