"""What an illustration is, as data: the image, the stages, how it looks and how long each frame
shows, and the numbers the stages compute. Every module below the scenario (alt text, frames)
reads an ``Illustration``; ``Scenario`` is the one built from a file or keywords, validated.

Keeping this data apart from the validation is what makes the flow one-way: ``scenario`` imports
``frames`` and ``export`` to offer its convenience methods, and neither imports it back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from . import alttext, style
from .stage import Stage
from .steps import Computation, compute_all
from .timeline import plan

STAGE_ATTRIBUTES = {f.name for f in dataclasses.fields(Stage)} | {"output_shape"}


@dataclass(frozen=True, eq=False)
class Image:
    """Input pixel values (read-only float64, (C, H, W): one plane for a gray image) and where
    they came from."""

    values: np.ndarray
    source: str | None = None  #: the pattern's name or "file NAME"; None for inline values
    names: tuple[str, ...] | None = None  #: the channels' names, when given (or R, G, B)
    layered: bool = False  #: given with a channel axis (several planes, rgb, a 3-D array)
    rank: int = 2  #: 1 for a signal: values (C, 1, L), given as (L,) or (C, L)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols) of each plane."""
        return self.values.shape[1], self.values.shape[2]

    @property
    def channels(self) -> int:
        return self.values.shape[0]

    @property
    def photo(self) -> bool:
        """Read from a photograph (drawn as a picture, not as numbers)."""
        return (self.source or "").startswith("file ")


@dataclass(frozen=True)
class Render:
    """How frames look; ``None`` means "auto"."""

    values: bool | None = None
    equation: bool = True
    number_format: str | None = None
    colormap: str = "gray"
    output_colormap: str | None = None
    cell_px: int | None = None
    theme: str = "light"
    scale: float = 1
    highlight: str | None = None  #: None: the theme's
    kernel_fill: str | None = None
    background: str | None = None
    view: str | None = None  #: "chain" or "network"; None: the network view when the chain's is too big

    @property
    def palette(self) -> style.Theme:
        """The theme's colours, with those the scenario sets itself."""
        return style.theme(self.theme, self.highlight, self.kernel_fill, self.background)


@dataclass(frozen=True)
class Timing:
    """Frame durations in milliseconds."""

    step_ms: int = 500
    poster_ms: int = 1500
    final_ms: int = 3000
    detail_steps: int | None = None


GRID_OPERATIONS = ("conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "upsample", "relu")


@dataclass(frozen=True)
class Cone:
    """The receptive field to animate: output cell ``cell`` = (channel, row, col) of stage
    ``stage`` (an index from 0), traced back map by map to the image."""

    cell: tuple[int, int, int]
    stage: int
    #: in a graph, the earlier maps the cell is computed from, latest first (None: a chain's every one)
    path: tuple[int, ...] | None = None

    @property
    def maps(self) -> tuple[int, ...]:
        """The maps between the cell's own and the image that its field is traced through, in
        the order the frames show them (from the cell back)."""
        return tuple(range(self.stage, 0, -1)) if self.path is None else self.path

    @property
    def frames(self) -> int:
        """Frames it adds before the final one: the cell alone, then each map back to the first
        stage's output (the final frame adds the image)."""
        return 1 + len(self.maps)


def drawn_as_picture(stages: tuple[Stage, ...], photo: bool) -> bool:
    """A photo, a chain or graph, a per-channel pool, upsampling or ReLU of several channels (its
    maps side by side), or an operation the grid views have no drawing for (the other activations,
    batch norm, adaptive pools, cat, add) is drawn as pictures; one layer or one map as grids of
    numbers."""
    first = stages[0]
    per_channel = first.in_channels > 1 and first.operation not in ("conv2d", "conv_transpose2d")
    per_channel = per_channel and first.rank == 2  # a signal's planes stack in its own view
    return len(stages) > 1 or photo or per_channel or first.operation not in GRID_OPERATIONS


NETWORK_WORK = 100_000  #: a graph whose chain view costs more (cells and steps): the network view


def network_view(stages: tuple[Stage, ...], view: str | None) -> bool:
    """Whether the graph is drawn as a network (frames/network.py): asked for, or by default a
    graph of 2-D maps too big for the chain view (whose cells and steps, each drawn with its
    numbers, would cost more than the default limit of work)."""
    if view is not None or stages[0].rank != 2 or len(stages) < 2:
        return view == "network"
    return sum(st.cells + st.n_steps for st in stages) > NETWORK_WORK


NETWORK_PANELS = 4  #: channels of a map the network view draws as pictures (the rest are counted)


DETAIL_PLANES = 4  #: input planes a cell's detail (the layer view's step) draws at most (layer.MAX_IN)


def network_details(stages: tuple[Stage, ...]) -> int:
    """Numbers the network view writes for the cells whose detail its page carries: two cells of
    each drawn channel of every map, each with its window, weights and sums in the planes the
    layer view draws (a convolution's) or its value."""
    total = 0
    for st in stages:
        cells = 2 * min(st.out_channels, NETWORK_PANELS + 1)
        per = 1
        if st.operation in ("conv2d", "conv_transpose2d"):
            planes = min(st.in_channels // st.groups, DETAIL_PLANES)  # the layer view's, at most
            per = planes * (2 * st.kernel_size[0] * st.kernel_size[1] + 1) + 2
        total += cells * per
    return total


def frame_count(
    stages: tuple[Stage, ...],
    picture: bool,
    detail_steps: int | None,
    cone: Cone | None = None,
    network: bool = False,
) -> int:
    """Poster, each stage's frames, the receptive field's, final frame (a network: one frame
    per stage)."""
    extra = cone.frames if cone else 0
    if network:
        return len(stages) + 2 + extra
    if picture:
        return len(plan(stages, detail_steps)) + 2 + extra
    return sum(st.n_frames for st in stages) + 2 + extra


@dataclass(frozen=True, eq=False)
class Illustration:
    """One illustration's parts; a single-stage one also answers for its stage's keys
    (``ill.kernel``, ``ill.padding``, …). The numbers are computed on first use."""

    title: str
    caption: str | None
    image: Image
    stages: tuple[Stage, ...]
    render: Render
    timing: Timing
    name: str
    cone: Cone | None = None  #: the receptive field animated after the fill, if any

    def __getattr__(self, name: str) -> Any:
        if name in STAGE_ATTRIBUTES and "stages" in self.__dict__:
            if len(self.stages) == 1:
                return getattr(self.stages[0], name)
            raise AttributeError(f"a chain of {len(self.stages)} stages has no single {name!r}; see .stages")
        raise AttributeError(name)

    @cached_property
    def computations(self) -> tuple[Computation, ...]:
        """Every stage's steps and output, each stage reading the maps it names (in a chain, the
        previous one's output)."""
        return compute_all(self.stages, self.image.values)

    @cached_property
    def alt_text(self) -> str:
        """A text alternative of the animation (operation, sizes, what it shows), derived from the
        parts and their numbers: the ``alt`` of its images and the player picture's name."""
        return alttext.alt_text(self)

    @property
    def operations(self) -> str:
        """ "conv2d", or a chain such as "conv1d → relu → max_pool1d" (as the scenario names each
        operation); in a graph a stage that reads several maps names them: "… → cat(enc1, up1) → …"."""
        return " \u2192 ".join(
            f"{st.op_name}({', '.join(st.inputs)})" if len(st.inputs) > 1 else st.op_name
            for st in self.stages
        )

    @property
    def operation(self) -> str:
        """The operation as the scenario names it (conv1d for a 1-D convolution)."""
        if len(self.stages) == 1:
            return self.stages[0].op_name
        raise AttributeError(f"a chain of {len(self.stages)} stages has no single 'operation'; see .stages")

    @property
    def output_shape(self) -> tuple[int, int]:
        """(rows, cols) of the (last stage's) output, derived from the arithmetic."""
        return self.stages[-1].output_shape

    @property
    def n_steps(self) -> int:
        return sum(st.n_steps for st in self.stages)

    @property
    def picture(self) -> bool:
        """Drawn as pictures with a zoomed inset (a photo, or a chain), else as grids of numbers."""
        return drawn_as_picture(self.stages, self.image.photo)

    @property
    def n_frames(self) -> int:
        """Poster, each stage's frames, final frame."""
        return frame_count(self.stages, self.picture, self.timing.detail_steps, self.cone, self.network)

    @property
    def network(self) -> bool:
        """Drawn as a network of pictures (see ``network_view``)."""
        return network_view(self.stages, self.render.view)

    @property
    def layered(self) -> bool:
        """Declared with channels (a channel axis on the image, filters, bias, groups): its
        output has a channel axis too."""
        return self.image.layered or any(st.layered for st in self.stages) or self.stages[-1].out_channels > 1
