"""One operation of a scenario (a stage): its keys, checked against PyTorch's rules, and the sizes
that follow from them. A scenario is one stage, or a chain of stages listed under ``stages``.

The keys' table is :mod:`.stage_keys`'s, a layer's weights :mod:`.layer_weights`'s and PyTorch's
rules :mod:`.stage_checks`'s; this module resolves a stage from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import fields as f
from .arithmetic import adaptive_windows, conv_out, pool_out, span, transpose_out
from .elementwise import NORM_KEYS, WHOLE_MAP, Norm, parse_norm
from .errors import ScenarioError
from .filters import Kernel
from .layer_weights import parse_layer
from .rank import one_d_stage
from .stage_checks import (
    MATRIX_COLS,
    MATRIX_ROWS,
    TRANSPOSED_COLS,
    TRANSPOSED_ROWS,
    check_stage,
    resolve_padding,
)
from .stage_keys import (
    ADAPTIVE,
    ALLOWED,
    LAYER_KEYS,
    OPERATIONS,
    PADDING_MODES,
    REQUIRED,
    STAGE_FIELDS,
    TRANSPOSE_VIEWS,
    UPSAMPLE_MODES,
    VIEWS,
    check_keys,
)
from .stage_words import axes_text, data_name, pair_text

DRAWN_PLANES = 5  #: input planes a step draws at most (the layer view 3, the chain's zoom 5)


@dataclass(frozen=True, eq=False)
class Stage:
    """One operation with every key resolved (defaults filled in as PyTorch would). A 1-D stage
    (``rank`` 1) is the 2-D computation on maps of height 1: ``operation`` is that computation
    ("conv2d" for conv1d), ``name`` the operation as the scenario wrote it."""

    operation: str
    input_shape: tuple[int, int]
    kernel: Kernel | None = None  #: the layer's weights, 4-D as torch (see filters.Kernel)
    kernel_size: tuple[int, int] = (1, 1)  #: the window (the kernel's shape for convolutions)
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int, int, int] = (0, 0, 0, 0)  #: top, bottom, left, right
    padding_name: str | None = None  #: "valid", "same" or "full" when the file named it
    padding_mode: str = "zeros"
    dilation: tuple[int, int] = (1, 1)
    output_padding: tuple[int, int] = (0, 0)
    transpose_view: str = "scatter"
    flip: bool = False  #: conv2d: true convolution (the kernel rotated 180°)
    view: str | None = None  #: another drawing of the same numbers ("overlap")
    ceil_mode: bool = False
    count_include_pad: bool = True
    mode: str = "nearest"
    scale_factor: tuple[float, float] | None = None
    size: tuple[int, int] | None = None
    align_corners: bool = False
    in_channels: int = 1
    groups: int = 1
    bias: np.ndarray | None = field(default=None, repr=False)  #: (C_out,) or None
    layered: bool = False  #: declared with channels (filters, out_channels, groups, bias, 4-D weights)
    kernel_key: str = field(default="kernel.values", repr=False)  #: the key that set the weights
    prefix: str = field(default="", repr=False)  #: where the keys came from, for messages
    output_size: tuple[int, int] | None = None  #: adaptive pools
    negative_slope: float = 0.01  #: leaky_relu
    approximate: str = "none"  #: gelu
    min_val: float = -1.0  #: hardtanh
    max_val: float = 1.0  #: hardtanh
    norm: Norm | None = field(default=None, repr=False)  #: batch_norm's numbers
    name: str = ""  #: the map it makes, as other stages name it in `inputs` (see graph)
    inputs: tuple[str, ...] = ()  #: the maps it reads, by name ("input": the image)
    input_channels: tuple[int, ...] = ()  #: channels of each map it reads (cat stacks them)
    rank: int = 2  #: 1 for a signal: maps (C, 1, L), keys given as integers

    @property
    def op_name(self) -> str:
        """The operation as written: conv1d for a 1-D convolution, else ``operation`` (``name``
        is the map the stage makes)."""
        return data_name(self.operation, self.rank)

    @property
    def has_channels(self) -> bool:
        """Channels in or out, or a bias: drawn as a layer (planes, their sums, Σ and the bias),
        which the one-channel views have no room or term for."""
        return self.in_channels > 1 or self.out_channels > 1 or self.bias is not None

    @property
    def out_channels(self) -> int:
        """Output channels: the filters of a convolution; pools, upsampling and ReLU keep them."""
        if self.operation == "conv2d":
            return self.kernel.values.shape[0]
        if self.operation == "conv_transpose2d":
            return self.kernel.values.shape[1] * self.groups
        return self.in_channels

    @property
    def output_shape(self) -> tuple[int, int]:
        return _output_shape(self)

    @property
    def n_steps(self) -> int:
        """Steps of this stage: one per output value (per input pixel for the scatter view, one
        for ReLU, which is applied to the whole map at once)."""
        if self.operation in WHOLE_MAP:
            return 1
        if self.operation == "conv_transpose2d" and self.transpose_view == "scatter":
            return self.in_channels * self.input_shape[0] * self.input_shape[1]
        return self.out_channels * self.output_shape[0] * self.output_shape[1]

    @property
    def n_frames(self) -> int:
        """Its step frames, plus the kernel rotation frames of the direct view and of ``flip``."""
        return self.n_steps + self.turn_frames

    @property
    def turn_frames(self) -> int:
        """Frames that turn the kernel before it slides: the direct view's one (the rotated
        kernel), or ``flip``'s: as given, upside down (when it has rows and columns to turn), rotated."""
        if self.flip and self.view != "matrix":  # the matrix view shows the turned kernel flattened
            return 2 + (min(self.kernel_size) > 1)
        return int(self.operation == "conv_transpose2d" and self.transpose_view == "direct")

    @property
    def step_work(self) -> int:
        """Cost of one step in the grid view, in cells: the cells under the window (or the scatter)
        repainted, plus each tap written in the equation or outlined. Painting a frame costs about
        the cells it repaints, and the equation about its terms, so steps × this bounds the time."""
        op, (kh, kw), (dr, dc) = self.operation, self.kernel_size, self.dilation
        if self.rank == 1:  # a signal's frame also repaints the strip from the window to its output
            return self._grid_step_work(op, kh, kw, dr, dc) + 2 * (
                self.input_shape[1] + sum(self.padding[2:])
            )
        return self._grid_step_work(op, kh, kw, dr, dc)

    def _grid_step_work(self, op: str, kh: int, kw: int, dr: int, dc: int) -> int:
        if op in WHOLE_MAP:
            return self.in_channels * self.input_shape[0] * self.input_shape[1]
        if op == "upsample":
            return 8  # at most 4 pixels blended, a dot and the output cell
        # a signal's window covers its bars, its cells and the kernel row under them: 4 cells a tap
        spans = span(kh, dr) * span(kw, dc) * (4 if self.rank == 1 else 1)
        if op == "conv_transpose2d" and self.transpose_view == "scatter":  # onto each filter of its group
            fan = self.out_channels // self.groups
            return fan * (spans + 6 * kh * kw)  # each tap: a new total (a cell, colour, text), an outline
        planes = self.in_channels // self.groups if op in ("conv2d", "conv_transpose2d") else 1
        # a convolution's step sums over its group's input planes: at most DRAWN_PLANES of them are
        # drawn with their window and taps (the rest are summarised), each adds a term to the sum
        return min(planes, DRAWN_PLANES) * (spans + kh * kw) + (planes if planes > 1 else 0)

    @property
    def cells(self) -> int:
        """Cells drawn for its input (with padding or inserted zeros), output and weights."""
        (h, w), (oh, ow) = self.input_shape, self.output_shape
        cin, cout = self.in_channels, self.out_channels
        weights = 0 if self.kernel is None or not self.layered else self.kernel.values.size
        if self.operation == "conv_transpose2d":
            counts = oh * ow if self.view == "overlap" else 0  # the heat map beside the output
            if self.view == "matrix":  # C and Cᵀ, the input and output columns
                counts = 2 * oh * ow * h * w + h * w + oh * ow
            full = (oh + 2 * self.padding[0]) * (ow + 2 * self.padding[2])
            return cin * h * w + cout * full * 2 + weights + counts
        t, b, left, r = self.padding
        if self.view == "matrix":  # the patch matrix, the flattened kernel and the output column
            weights += (oh * ow + 1) * self.kernel_size[0] * self.kernel_size[1] + oh * ow
        drawn = cin * (h + t + b) * (w + left + r) + cout * oh * ow + weights
        return drawn * 2 if self.rank == 1 else drawn  # a signal: each sample a bar and a cell


def parse_stage(
    data: Any, prefix: str, input_shape: tuple[int, int], in_channels: int = 1, rank: int = 2
) -> Stage:
    """Check one stage's keys for its operation and resolve them; ``prefix`` names it in messages.
    ``rank`` 1: the input is a signal (1, L) and the keys are 1-D (see rank.one_d_stage)."""
    t = check_keys(data, prefix)
    op = t["operation"]
    key = lambda name: f"{prefix}.{name}" if prefix else name  # noqa: E731
    t = one_d_stage(data, t, key, rank)
    op = t["operation"]
    given = {name: value for name, value in t.items() if value is not None}
    given["prefix"] = prefix
    given["rank"] = rank
    if op in ("conv2d", "conv_transpose2d"):
        given.update(parse_layer(t, key, in_channels))
        given["kernel_size"] = given["kernel"].values.shape[2:]
    elif op in ("max_pool2d", "avg_pool2d"):
        given.setdefault("stride", t["kernel_size"])
    elif op == "upsample":
        _check_upsample(t, key, rank)
    elif op in ADAPTIVE:
        given["kernel_size"] = _adaptive_window(input_shape, t["output_size"])
    elif op == "batch_norm":
        given["norm"] = parse_norm(t, key, in_channels)
        for name in NORM_KEYS:  # kept in the Norm
            given.pop(name, None)
    elif op == "hardtanh" and (t["min_val"] if t["min_val"] is not None else -1.0) > (
        t["max_val"] if t["max_val"] is not None else 1.0
    ):
        raise ScenarioError(
            key("max_val"), f"must be at least min_val, as in PyTorch (got {t['min_val']} > {t['max_val']})"
        )
    if op in ("conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d"):
        pad = given.get("padding", (0, 0, 0, 0))
        given["padding_name"] = pad if isinstance(pad, str) else None
        given["padding"] = resolve_padding(op, pad, given, key)
    for name in ("filters", "out_channels", "seed"):  # read by parse_layer, not kept
        given.pop(name, None)
    stage = Stage(input_shape=input_shape, in_channels=in_channels, **given)
    check_stage(stage, key)
    return stage


def _adaptive_window(shape: tuple[int, int], out: tuple[int, int]) -> tuple[int, int]:
    """The largest window of an adaptive pool along each axis (what a step reads at most)."""
    return tuple(max(e - s for s, e in adaptive_windows(n, m)) for n, m in zip(shape, out, strict=True))


def _check_upsample(t: dict[str, Any], key: Any, rank: int) -> None:
    if (t["scale_factor"] is None) == (t["size"] is None):
        given = [k for k in ("scale_factor", "size") if t[k] is not None]
        raise ScenarioError(
            key("scale_factor"), f"give exactly one of `scale_factor` or `size` for upsample {f.got(given)}"
        )
    if t["align_corners"] is not None and t["mode"] not in ("bilinear", "linear"):
        blend = "linear" if rank == 1 else "bilinear"  # the one interpolating mode of each rank
        raise ScenarioError(key("align_corners"), f"only applies to mode '{blend}', as in PyTorch")


def _output_shape(s: Stage) -> tuple[int, int]:
    (h, w), (kh, kw), pad = s.input_shape, s.kernel_size, s.padding
    (sr, sc), (dr, dc) = s.stride, s.dilation
    if s.operation == "conv2d":
        return conv_out(h, kh, sr, pad[:2], dr), conv_out(w, kw, sc, pad[2:], dc)
    if s.operation == "conv_transpose2d":
        (opr, opc) = s.output_padding
        return transpose_out(h, kh, sr, pad[0], opr, dr), transpose_out(w, kw, sc, pad[2], opc, dc)
    if s.operation in ("max_pool2d", "avg_pool2d"):
        return pool_out(h, kh, sr, pad[0], dr, s.ceil_mode), pool_out(w, kw, sc, pad[2], dc, s.ceil_mode)
    if s.operation in ADAPTIVE:
        return s.output_size
    if s.operation == "upsample":
        if s.size is not None:
            return s.size
        return int(np.floor(h * s.scale_factor[0])), int(np.floor(w * s.scale_factor[1]))
    return h, w


__all__ = [
    "ADAPTIVE",
    "ALLOWED",
    "DRAWN_PLANES",
    "LAYER_KEYS",
    "MATRIX_COLS",
    "MATRIX_ROWS",
    "OPERATIONS",
    "PADDING_MODES",
    "REQUIRED",
    "STAGE_FIELDS",
    "TRANSPOSED_COLS",
    "TRANSPOSED_ROWS",
    "TRANSPOSE_VIEWS",
    "UPSAMPLE_MODES",
    "VIEWS",
    "Stage",
    "axes_text",
    "check_keys",
    "data_name",
    "pair_text",
    "parse_layer",
    "parse_stage",
]
