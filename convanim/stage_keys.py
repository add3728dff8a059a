"""A stage's keys: what each means and allows (the table that validation and the schema read),
which operation takes which, and the check of a stage's keys that needs no input."""

from __future__ import annotations

from typing import Any

from . import fields as f
from .elementwise import ACTIVATIONS, GELU_APPROXIMATIONS, JOINS, NORM_KEYS
from .errors import Collect
from .filters import NETWORK_CHANNELS, parse_kernel_plane
from .rank import ONE_D

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
        f.pos_int(1, NETWORK_CHANNELS),
        f.int_schema(1, NETWORK_CHANNELS),
        "conv2d, conv_transpose2d: the number of output channels, with weights drawn at random "
        "(seeded, PyTorch's default init rounded to 2 decimals); needs `kernel_size`.",
        None,
    ),
    "groups": f.Field(
        f.pos_int(1, NETWORK_CHANNELS),
        f.int_schema(1, NETWORK_CHANNELS),
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
