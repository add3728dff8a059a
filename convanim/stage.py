"""One operation of a scenario (a stage): its keys, checked against PyTorch's rules, and the sizes
that follow from them. A scenario is one stage, or a chain of stages listed under ``stages``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import fields as f
from .arithmetic import (
    adaptive_windows,
    conv_out,
    pool_out,
    same_pads,
    span,
    transpose_out,
    transpose_out_formula,
)
from .elementwise import ACTIVATIONS, GELU_APPROXIMATIONS, JOINS, NORM_KEYS, WHOLE_MAP, Norm, parse_norm
from .errors import Collect, ScenarioError
from .filters import (
    MAX_CHANNELS,
    Kernel,
    Shape,
    bias_array,
    parse_filter_tables,
    parse_kernel_plane,
    random_weights,
)
from .rank import ONE_D, one_d_stage, samples

OPERATIONS = (
    "conv2d",
    "conv_transpose2d",
    "max_pool2d",
    "avg_pool2d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "upsample",
    "relu",
    *ACTIVATIONS,
    "batch_norm",
    *JOINS,
    *ONE_D,
)
ADAPTIVE = ("adaptive_avg_pool2d", "adaptive_max_pool2d")
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
TRANSPOSE_VIEWS = ("scatter", "direct")
UPSAMPLE_MODES = ("nearest", "bilinear", "linear")
VIEWS = ("matrix", "overlap")
MATRIX_ROWS, MATRIX_COLS = 49, 25  #: the matrix view's patch matrix at most: output values × taps
TRANSPOSED_ROWS, TRANSPOSED_COLS = 25, 9  #: a transposed stage's Cᵀ at most: outputs × inputs

STAGE_FIELDS = {
    "operation": f.Field(
        f.choice(OPERATIONS),
        f.choice_schema(OPERATIONS),
        "What is animated; each has the semantics of its torch.nn.functional namesake.",
        "conv2d",
    ),
    "kernel": f.Field(
        lambda v, k: v, {}, "conv2d, conv_transpose2d: the kernel, `values` or a `preset`.", None
    ),
    "filters": f.Field(
        lambda v, k: v,
        {},
        "conv2d, conv_transpose2d: the layer's filters, a list of tables, each with one plane per "
        "input channel it reads (`values`, `preset` or `presets`) and a `bias`.",
        None,
    ),
    "out_channels": f.Field(
        f.pos_int(1, MAX_CHANNELS),
        f.int_schema(1, MAX_CHANNELS),
        "conv2d, conv_transpose2d: the number of output channels, with weights drawn at random "
        "(seeded, PyTorch's default init rounded to 2 decimals); needs `kernel_size`.",
        None,
    ),
    "groups": f.Field(
        f.pos_int(1, MAX_CHANNELS),
        f.int_schema(1, MAX_CHANNELS),
        "conv2d, conv_transpose2d: split the channels into this many groups (depthwise when it "
        "equals the input channels); default 1.",
        None,
    ),
    "bias": f.Field(
        lambda v, k: v,
        {"oneOf": [{"type": "boolean"}, f.NUMBER_SCHEMA, {"type": "array", "items": f.NUMBER_SCHEMA}]},
        "conv2d, conv_transpose2d: one number per output channel (a number for one), or with "
        "`out_channels` true for a random bias; default none. batch_norm: the shift per channel "
        "(default 0).",
        None,
    ),
    "seed": f.Field(
        f.pos_int(0, 2**32 - 1),
        f.int_schema(0, 2**32 - 1),
        "Seed of the random weights of `out_channels` (same seed, same weights); default 0.",
        None,
    ),
    "kernel_size": f.Field(
        f.int_pair(1, 16),
        f.pair_schema(1, 16),
        "Pools: the window, integer or [rows, cols]; convolutions with `out_channels`: the kernel.",
        None,
    ),
    "stride": f.Field(
        f.int_pair(1, 64),
        f.pair_schema(1, 64),
        "Step of the window: integer or [rows, cols]; default 1, pools: the kernel_size.",
        None,
    ),
    "padding": f.Field(
        f.padding,
        f.PADDING_SCHEMA,
        'Padding: an integer, [rows, cols], [top, bottom, left, right], or "valid", "same", "full".',
        None,
    ),
    "padding_mode": f.Field(
        f.choice(PADDING_MODES),
        f.choice_schema(PADDING_MODES),
        "conv2d: what padding cells hold, as Conv2d(padding_mode=...).",
        None,
    ),
    "dilation": f.Field(
        f.int_pair(1, 16), f.pair_schema(1, 16), "Spacing of the kernel taps: integer or [rows, cols].", None
    ),
    "output_padding": f.Field(
        f.int_pair(0, 16),
        f.pair_schema(0, 16),
        "conv_transpose2d: extra output rows/columns at the bottom/right.",
        None,
    ),
    "flip": f.Field(
        f.boolean,
        f.BOOL_SCHEMA,
        "conv2d: true convolution, F[a,b] = Σ f[i,j]·I[a−i, b−j]: the kernel rotated 180° before it "
        "slides (default false: cross-correlation, as PyTorch).",
        None,
    ),
    "transpose_view": f.Field(
        f.choice(TRANSPOSE_VIEWS),
        f.choice_schema(TRANSPOSE_VIEWS),
        'conv_transpose2d: "scatter" (each input pixel adds value × kernel to the output) or '
        '"direct" (the equivalent convolution of the zero-inserted input with the kernel rotated 180°).',
        None,
    ),
    "view": f.Field(
        f.choice(VIEWS),
        f.choice_schema(VIEWS),
        '"matrix": the same numbers as a matrix product (conv2d: the input unrolled into patches, '
        "im2col, times the flattened kernel; conv_transpose2d: Cᵀ beside C, column by column); "
        '"overlap" (conv_transpose2d): beside the scatter, a heat map of how many kernel taps land on '
        "each output cell (uneven when the kernel is not a multiple of the stride: checkerboards).",
        None,
    ),
    "ceil_mode": f.Field(f.boolean, f.BOOL_SCHEMA, "Pools: round the output size up, as PyTorch.", None),
    "count_include_pad": f.Field(
        f.boolean,
        f.BOOL_SCHEMA,
        "avg_pool2d: padding cells count in the mean's divisor (default true).",
        None,
    ),
    "mode": f.Field(
        f.choice(UPSAMPLE_MODES),
        f.choice_schema(UPSAMPLE_MODES),
        "upsample: nearest or bilinear (a signal: nearest or linear).",
        None,
    ),
    "scale_factor": f.Field(
        f.scale_pair,
        f.SCALE_SCHEMA,
        "upsample: output size = ⌊input size × factor⌋; a number or [rows, cols].",
        None,
    ),
    "size": f.Field(f.int_pair(1, 4096), f.pair_schema(1, 4096), "upsample: the output size instead.", None),
    "align_corners": f.Field(
        f.boolean,
        f.BOOL_SCHEMA,
        "upsample, bilinear: align the corner pixels' centres (default false).",
        None,
    ),
    "output_size": f.Field(
        f.int_pair(1, 4096),
        f.pair_schema(1, 4096),
        "adaptive_avg_pool2d, adaptive_max_pool2d: the output's [rows, cols] (an integer for a "
        "square); output row i pools input rows ⌊i·H/h⌋ to ⌈(i + 1)·H/h⌉ − 1, as PyTorch.",
        None,
    ),
    "negative_slope": f.Field(
        f.number, f.NUMBER_SCHEMA, "leaky_relu: the factor of negative values (default 0.01).", None
    ),
    "approximate": f.Field(
        f.choice(GELU_APPROXIMATIONS),
        f.choice_schema(GELU_APPROXIMATIONS),
        'gelu: "none" (x·Φ(x) with erf, default) or "tanh" (the tanh approximation).',
        None,
    ),
    "min_val": f.Field(f.number, f.NUMBER_SCHEMA, "hardtanh: the lower bound (default −1).", None),
    "max_val": f.Field(
        f.number, f.NUMBER_SCHEMA, "hardtanh: the upper bound (default 1; ReLU6 is 0 to 6).", None
    ),
    "running_mean": f.Field(
        lambda v, k: v,
        {"oneOf": [f.NUMBER_SCHEMA, {"type": "array", "items": f.NUMBER_SCHEMA}]},
        "batch_norm: the mean per channel (a number for all; default 0).",
        None,
    ),
    "running_var": f.Field(
        lambda v, k: v,
        {"oneOf": [f.NUMBER_SCHEMA, {"type": "array", "items": f.NUMBER_SCHEMA}]},
        "batch_norm: the variance per channel (default 1).",
        None,
    ),
    "weight": f.Field(
        lambda v, k: v,
        {"oneOf": [f.NUMBER_SCHEMA, {"type": "array", "items": f.NUMBER_SCHEMA}]},
        "batch_norm: the scale per channel (default 1); y = (x − mean)/√(var + eps)·weight + bias.",
        None,
    ),
    "eps": f.Field(
        f.number_at_least(0),
        {"type": "number", "minimum": 0},
        "batch_norm: added to the variance (default 1e-5).",
        None,
    ),
}

DRAWN_PLANES = 5  #: input planes a step draws at most (the layer view 3, the chain's zoom 5)
LAYER_KEYS = ("filters", "out_channels", "groups", "bias", "seed", "kernel_size")
ALLOWED = {
    "conv2d": {"kernel", "stride", "padding", "padding_mode", "dilation", "flip", "view", *LAYER_KEYS},
    "conv_transpose2d": {
        "kernel",
        "stride",
        "padding",
        "dilation",
        "output_padding",
        "transpose_view",
        "view",
        *LAYER_KEYS,
    },
    "max_pool2d": {"kernel_size", "stride", "padding", "dilation", "ceil_mode"},
    "avg_pool2d": {"kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"},
    "upsample": {"mode", "scale_factor", "size", "align_corners"},
    "relu": set(),
    "adaptive_avg_pool2d": {"output_size"},
    "adaptive_max_pool2d": {"output_size"},
    "leaky_relu": {"negative_slope"},
    "sigmoid": set(),
    "tanh": set(),
    "gelu": {"approximate"},
    "hardtanh": {"min_val", "max_val"},
    "identity": set(),
    "batch_norm": set(NORM_KEYS),
    "cat": set(),
    "add": set(),
}
ALLOWED.update({one: ALLOWED[two] for one, two in ONE_D.items()})
REQUIRED = {
    "max_pool2d": "kernel_size",
    "avg_pool2d": "kernel_size",
    "adaptive_avg_pool2d": "output_size",
    "adaptive_max_pool2d": "output_size",
    "max_pool1d": "kernel_size",
    "avg_pool1d": "kernel_size",
}


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
        given["padding"] = _resolve_padding(op, pad, given, key)
    for name in ("filters", "out_channels", "seed"):  # read by parse_layer, not kept
        given.pop(name, None)
    stage = Stage(input_shape=input_shape, in_channels=in_channels, **given)
    _check(stage, key)
    return stage


def check_keys(data: Any, prefix: str) -> dict[str, Any]:
    """What can be checked of a stage without its input, every mistake reported: its keys and
    values, the keys its operation takes and needs, a `kernel` table. Returns the checked table."""
    errors = Collect()
    t = f.parse_table(data, STAGE_FIELDS, prefix, errors)
    op = t["operation"]  # None when it is misspelt: the keys it takes are unknown then
    for name, value in t.items():
        if op and name != "operation" and value is not None and name not in ALLOWED[op]:
            errors.add(f.join(prefix, name), f"does not apply to operation {op!r}")
    if op in REQUIRED and t[REQUIRED[op]] is None:
        errors.add(f.join(prefix, REQUIRED[op]), f"is required by operation {op!r}")
    if isinstance(t["kernel"], dict) and (op is None or "kernel" in ALLOWED[op]) and op not in ONE_D:
        with errors:
            parse_kernel_plane(t["kernel"], f.join(prefix, "kernel"))
    errors.done()
    return t


def parse_layer(t: dict[str, Any], key: Any, in_channels: int) -> dict[str, Any]:
    """A convolution's weights, bias and groups from exactly one of `kernel` (one plane, the same
    for every filter), `filters` (a table per filter), `out_channels` (random), or arrays."""
    op, groups = t["operation"], t["groups"] or 1
    transposed = op == "conv_transpose2d"
    sources = [k for k in ("kernel", "filters", "out_channels") if t[k] is not None]
    if not sources:
        raise ScenarioError(
            key("kernel"), f"is required by operation {op!r} (or give `filters` or `out_channels`)"
        )
    if len(sources) > 1:
        raise ScenarioError(
            key(sources[1]),
            f"give only one of `kernel`, `filters` or `out_channels` (got `{sources[0]}` and `{sources[1]}`)",
        )
    if in_channels % groups:
        raise ScenarioError(
            key("groups"), f"must divide the input's {in_channels} channels (got groups = {groups})"
        )
    if t["seed"] is not None and sources[0] != "out_channels":
        raise ScenarioError(key("seed"), "only applies to random weights (`out_channels`)")
    if t["kernel_size"] is not None and sources[0] != "out_channels":
        raise ScenarioError(
            key("kernel_size"), f"does not apply to operation {op!r} unless `out_channels` is given"
        )
    array = isinstance(t["kernel"], np.ndarray) and t["kernel"].ndim == 4
    layered = sources[0] != "kernel" or array or t["groups"] is not None or t["bias"] is not None
    bias = None
    if sources[0] == "out_channels":
        kernel, bias = _random_layer(t, key, in_channels, groups, transposed)
    elif sources[0] == "filters":
        # a transposed layer's planes per filter (its C_out/groups) follow from the first table
        planes = _first_planes(t["filters"]) if transposed else in_channels // groups
        shape = Shape(0, planes, transposed, in_channels, groups)
        kernel, bias = parse_filter_tables(t["filters"], key("filters"), shape)
    else:
        kernel = _one_plane_layer(t["kernel"], key("kernel"), in_channels, groups, transposed)
    if t["bias"] is not None:
        if sources[0] == "filters" and bias is not None:
            raise ScenarioError(key("bias"), "is given in each filter table already")
        if isinstance(t["bias"], bool):
            if sources[0] != "out_channels":
                raise ScenarioError(
                    key("bias"), "true/false only applies to random weights; give the numbers"
                )
        else:
            channels = kernel.values.shape[1] * groups if transposed else kernel.values.shape[0]
            bias = bias_array(t["bias"], key("bias"), channels)
    if not transposed and kernel.values.shape[0] % groups:
        raise ScenarioError(
            key("groups"),
            f"must divide the {kernel.values.shape[0]} filters (got groups = {groups})",
        )
    if sources[0] == "kernel":
        source = "kernel.size" if kernel.preset else "kernel.values"
    else:
        source = "filters" if sources[0] == "filters" else "kernel_size"
    return {"kernel": kernel, "bias": bias, "groups": groups, "layered": layered, "kernel_key": source}


def _first_planes(filters: Any) -> int:
    """Planes per filter of a transposed layer: as many as the first table declares."""
    if isinstance(filters, (list, tuple)) and filters and isinstance(filters[0], dict):
        first = filters[0]
        if first.get("presets") is not None and isinstance(first["presets"], (list, tuple)):
            return len(first["presets"])
        values = first.get("values")
        if isinstance(values, (list, tuple)) and values and isinstance(values[0], (list, tuple)):
            return len(values) if values[0] and isinstance(values[0][0], (list, tuple)) else 1
    return 1


def _random_layer(t, key, in_channels: int, groups: int, transposed: bool) -> tuple[Kernel, Any]:
    out = t["out_channels"]
    if t["kernel_size"] is None:
        raise ScenarioError(key("kernel_size"), "is required with `out_channels` (the filters' size)")
    if out % groups:
        raise ScenarioError(key("out_channels"), f"must be a multiple of groups = {groups} (got {out})")
    kh, kw = t["kernel_size"]
    shape = (in_channels, out // groups, kh, kw) if transposed else (out, in_channels // groups, kh, kw)
    bias = t["bias"] if isinstance(t["bias"], bool) else False
    weights, b = random_weights(shape, t["seed"] or 0, bias, out)
    return Kernel(weights), b


def _one_plane_layer(data: Any, prefix: str, in_channels: int, groups: int, transposed: bool) -> Kernel:
    """`kernel`: one plane used by every filter (a gray image, or depthwise with groups = C_in);
    from Python also a 2-D or a 4-D array (torch's weight shape)."""
    if isinstance(data, np.ndarray) and data.ndim == 4:
        return _weights_array(data, prefix, in_channels, groups, transposed)
    if isinstance(data, np.ndarray):
        plane, preset = f.matrix(data, prefix, max_side=64), None
    else:
        plane, preset = parse_kernel_plane(data, prefix)
    if transposed:  # each input channel scatters the plane onto the one output map of its group
        values = np.broadcast_to(plane, (in_channels, 1, *plane.shape)).copy()
        values.setflags(write=False)
        return Kernel(values, preset)
    if in_channels // groups != 1:
        raise ScenarioError(
            prefix,
            f"one plane, but {Shape(0, in_channels // groups, False, in_channels, groups).why()}; "
            "give `filters` with one plane per input channel",
        )
    values = np.broadcast_to(plane, (groups, 1, *plane.shape)).copy()
    values.setflags(write=False)
    return Kernel(values, preset)


def _weights_array(data: np.ndarray, prefix: str, in_channels: int, groups: int, transposed: bool) -> Kernel:
    """A 4-D weight array as torch holds it, checked against the input's channels."""
    if data.dtype.kind not in "iuf" or 0 in data.shape:
        raise ScenarioError(prefix, f"must be a non-empty array of numbers (got {f.show(data)})")
    for i, filt in enumerate(data):
        f.planes(filt, f"{prefix}[{i}]", max_side=64, max_planes=MAX_CHANNELS)
    if data.shape[0] > MAX_CHANNELS:
        raise ScenarioError(prefix, f"has {data.shape[0]} filters; at most {MAX_CHANNELS}")
    if transposed and data.shape[0] != in_channels:
        raise ScenarioError(
            prefix,
            f"has {data.shape[0]} filters, but the input has {in_channels} channels (a transposed "
            "convolution's weights are (C_in, C_out/groups, kh, kw))",
        )
    if not transposed and data.shape[1] != in_channels // groups:
        why = Shape(0, in_channels // groups, False, in_channels, groups).why()
        raise ScenarioError(prefix, f"{data.shape[1]} planes per filter, but {why}")
    values = np.ascontiguousarray(data, dtype=np.float64)
    values.setflags(write=False)
    return Kernel(values)


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


def _resolve_padding(op: str, pad: Any, given: dict[str, Any], key: Any) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) from an integer, a list or a name, as PyTorch places them."""
    (kh, kw), (dr, dc) = given["kernel_size"], given.get("dilation", (1, 1))
    if op != "conv2d" and (isinstance(pad, str) or pad[0] != pad[1] or pad[2] != pad[3]):
        if given["rank"] == 1:
            raise ScenarioError(key("padding"), f"{data_name(op, 1)} takes an integer, as in PyTorch")
        raise ScenarioError(key("padding"), f"{op} takes an integer or [rows, cols], as in PyTorch")
    if pad == "valid":
        return (0, 0, 0, 0)
    if pad == "same":
        stride = given.get("stride", (1, 1))
        if stride != (1, 1):
            raise ScenarioError(
                key("padding"),
                f"'same' needs stride 1, as in PyTorch (got stride {axes_text(stride, given['rank'])})",
            )
        return (*same_pads(kh, dr), *same_pads(kw, dc))
    if pad == "full":
        return (dr * (kh - 1),) * 2 + (dc * (kw - 1),) * 2
    return pad


def _check(s: Stage, key: Any) -> None:
    """Combinations PyTorch refuses, or that leave no output."""
    op, (h, w) = s.operation, s.input_shape
    if op in ("max_pool2d", "avg_pool2d"):
        _check_pool(s, key)
    elif op == "conv_transpose2d":
        _check_transpose(s, key)
    elif op == "conv2d":
        _check_conv(s, key)
    out = s.output_shape
    if min(out) < 1 and s.rank == 1:
        raise ScenarioError(key("operation"), f"{s.op_name} leaves no output from a {w}-sample signal")
    if min(out) < 1:
        raise ScenarioError(
            key("operation"), f"{op} leaves no output ({out[0]}×{out[1]}) from a {h}×{w} input"
        )


def _check_conv(s: Stage, key: Any) -> None:
    if s.view == "overlap":
        raise ScenarioError(key("view"), "'overlap' applies to conv_transpose2d; conv2d has 'matrix'")
    if s.view == "matrix":
        (oh, ow), (kh, kw) = _output_shape(s), s.kernel_size
        rows, cols = oh * ow, kh * kw
        if rows > MATRIX_ROWS or cols > MATRIX_COLS:
            raise ScenarioError(
                key("view"),
                f"'matrix' draws one row per output value and one column per kernel tap: at most "
                f"{MATRIX_ROWS} × {MATRIX_COLS} (this one is {rows} × {cols}); use a smaller image or kernel",
            )
    (h, w), (kh, kw), pad, mode, dil = s.input_shape, s.kernel_size, s.padding, s.padding_mode, s.dilation
    if s.rank == 1:
        return _check_signal_conv(s, key, span(kw, dil[1]), w + pad[2] + pad[3])
    sides = (("top", h), ("bottom", h), ("left", w), ("right", w))
    for p, (side, n) in zip(pad, sides, strict=True):
        axis = "rows" if side in ("top", "bottom") else "columns"
        if mode == "reflect" and p >= n:
            raise ScenarioError(
                key("padding"), f"reflect padding must be smaller than the image ({side} {p} with {n} {axis})"
            )
        if mode == "circular" and p > n:
            raise ScenarioError(
                key("padding"), f"circular padding must not exceed the image ({side} {p} with {n} {axis})"
            )
    eff = (span(kh, dil[0]), span(kw, dil[1]))
    padded = (h + pad[0] + pad[1], w + pad[2] + pad[3])
    if eff[0] > padded[0] or eff[1] > padded[1]:
        name = key(s.kernel_key)
        spans = f" (spanning {eff[0]}×{eff[1]} with dilation {pair_text(dil)})" if dil != (1, 1) else ""
        what = "padded image" if any(pad) else "image"
        limit = {"reflect": (h - 1, w - 1), "circular": (h, w)}.get(mode)  # as the checks above
        fits = _fitting_padding(eff, (h, w), limit)
        hint = f"; padding = {fits} would make it fit" if fits is not None else ""
        raise ScenarioError(
            name, f"the {kh}×{kw} kernel{spans} is larger than the {padded[0]}×{padded[1]} {what}{hint}"
        )


def _fitting_padding(
    window: tuple[int, int], size: tuple[int, int], limit: tuple[int, int] | None = None
) -> int | None:
    """The smallest padding, the same on every side, that makes ``window`` fit in ``size``; None
    when it would exceed ``limit`` (what the padding mode or the pool allows) or 64."""
    need = max(-(-(k - n) // 2) for k, n in zip(window, size, strict=True))
    if need > 64 or (limit is not None and any(need > m for m in limit)):
        return None
    return need


def _check_signal_conv(s: Stage, key: Any, eff: int, padded: int) -> None:
    """conv1d's words: "the 7-tap kernel is larger than the 5-sample signal"."""
    w, k, d, pad = s.input_shape[1], s.kernel_size[1], s.dilation[1], s.padding
    for side, p in (("left", pad[2]), ("right", pad[3])):
        if s.padding_mode == "reflect" and p >= w:
            raise ScenarioError(
                key("padding"),
                f"reflect padding must be smaller than the signal ({side} {p} with {samples((w,))})",
            )
        if s.padding_mode == "circular" and p > w:
            raise ScenarioError(
                key("padding"),
                f"circular padding must not exceed the signal ({side} {p} with {samples((w,))})",
            )
    if eff > padded:
        spans = f" (spanning {eff} samples with dilation {d})" if d != 1 else ""
        what = f"{padded}-sample padded signal" if any(pad) else f"{w}-sample signal"
        raise ScenarioError(key(s.kernel_key), f"the {k}-tap kernel{spans} is larger than the {what}")


def _check_transpose(s: Stage, key: Any) -> None:
    stride, dil, op, pad = s.stride, s.dilation, s.output_padding, s.padding
    if s.view is not None and s.transpose_view == "direct":
        raise ScenarioError(
            key("view"), f"'{s.view}' is drawn over the scatter; use transpose_view 'scatter'"
        )
    if s.view == "matrix":
        n_in, (oh, ow) = s.input_shape[0] * s.input_shape[1], _output_shape(s)
        if oh * ow > TRANSPOSED_ROWS or n_in > TRANSPOSED_COLS:
            raise ScenarioError(
                key("view"),
                f"'matrix' draws Cᵀ with one row per output value and one column per input pixel, and C: "
                f"at most {TRANSPOSED_ROWS} × {TRANSPOSED_COLS} (this one is {oh * ow} × {n_in}); use a "
                "smaller image",
            )
    for axis in (0, 1):
        if op[axis] >= max(stride[axis], dil[axis]):
            raise ScenarioError(
                key("output_padding"),
                f"must be smaller than the stride or the dilation, as in PyTorch (got "
                f"{axes_text(op, s.rank)} with stride {axes_text(stride, s.rank)}, dilation "
                f"{axes_text(dil, s.rank)})",
            )
    for axis, (n, k) in enumerate(zip(s.input_shape, s.kernel_size, strict=True)):
        size = transpose_out(n, k, stride[axis], pad[2 * axis], op[axis], dil[axis])
        if size < 1:
            formula = transpose_out_formula(n, k, stride[axis], pad[2 * axis], op[axis], dil[axis])
            what = "samples" if s.rank == 1 else ("rows", "columns")[axis]
            raise ScenarioError(key("padding"), f"leaves no output {what}: {formula}")
    if s.transpose_view == "direct":
        for axis, k in enumerate(s.kernel_size):
            if pad[2 * axis] > dil[axis] * (k - 1):
                raise ScenarioError(
                    key("transpose_view"),
                    f"'direct' needs padding ≤ dilation·(kernel − 1) = {dil[axis] * (k - 1)} "
                    f"(got {pad[2 * axis]}); use 'scatter'",
                )


def _check_pool(s: Stage, key: Any) -> None:
    (kh, kw), pad = s.kernel_size, s.padding
    for axis, k in enumerate((kh, kw)):
        limit = k // 2  # PyTorch's rule is on the undilated window, even with dilation
        if pad[2 * axis] > limit:
            raise ScenarioError(
                key("padding"),
                f"must be at most half the window, as in PyTorch ({pad[2 * axis]} > {limit} for a "
                f"{(kh, kw)[axis]}-wide window)",
            )
    (h, w), out = s.input_shape, _output_shape(s)
    if min(out) < 1 and s.rank == 1:
        what = f"{w}-sample signal"
        raise ScenarioError(key("kernel_size"), f"the {kw}-sample window is larger than the {what}")
    if min(out) < 1:  # with ceil_mode PyTorch accepts a window larger than the input
        window = (span(kh, s.dilation[0]), span(kw, s.dilation[1]))
        fits = _fitting_padding(window, (h, w), (kh // 2, kw // 2))
        hint = f"; padding = {fits} would make it fit" if fits is not None and fits > pad[0] else ""
        raise ScenarioError(
            key("kernel_size"), f"the {kh}×{kw} window is larger than the {h}×{w} input{hint}"
        )


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


def axes_text(pair: tuple[Any, Any], rank: int) -> str:
    """A key's value as the scenario spells it: 2 (or 2×3) in 2-D, the one axis's in 1-D."""
    return str(pair[1]) if rank == 1 else pair_text(pair)


def data_name(op: str, rank: int) -> str:
    """The operation's name at a rank: conv1d for conv2d in 1-D."""
    return {v: k for k, v in ONE_D.items()}.get(op, op) if rank == 1 else op


def pair_text(pair: tuple[Any, Any]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"
