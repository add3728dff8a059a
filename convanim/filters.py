"""The weights of a convolution layer: its filters, one plane per input channel of their group,
and a bias per filter; from one kernel, a list of filter tables, an array, or a seeded random
init (so a 3 → 5 → 2 chain needs no hand-typed weights).

Shapes follow torch.nn.functional: conv2d weights are (C_out, C_in/groups, kh, kw);
conv_transpose2d weights are (C_in, C_out/groups, kh, kw), one "filter" per input channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import fields as f
from .errors import ScenarioError
from .kernels import PRESETS, SIZED, common_decimals, fractions_read_best, make_kernel, weight_label

MAX_CHANNELS = 64  #: channels of a map the layer, chain and photo views draw (every plane, in numbers)
NETWORK_CHANNELS = 1024  #: channels of a map in a network (its view draws a few; the numbers bound the rest)
MAX_KERNEL = 64  #: side of a kernel plane

KERNEL_FIELDS = {
    "values": f.Field(
        lambda v, k: f.matrix(v, k, max_side=MAX_KERNEL),
        f.MATRIX_SCHEMA,
        "Inline weights, a list of equally long rows (or give `preset`).",
        None,
    ),
    "preset": f.Field(f.choice(PRESETS), f.choice_schema(PRESETS), "A named kernel.", None),
    "size": f.Field(
        f.int_pair(1, MAX_KERNEL),
        f.pair_schema(1, MAX_KERNEL),
        "Size of a mean, gaussian or identity preset: integer or [rows, cols]; default 3.",
        None,
    ),
    "sigma": f.Field(
        f.number_at_least(0.1),
        {"type": "number", "minimum": 0.1},
        "Standard deviation of the gaussian preset, in pixels; default 1.",
        None,
    ),
}

FILTER_FIELDS = {
    "values": f.Field(
        lambda v, k: f.planes(v, k, max_side=MAX_KERNEL, max_planes=NETWORK_CHANNELS),
        f.PLANES_SCHEMA,
        "Inline weights: one plane (a list of rows) per input channel the filter reads; a single "
        "plane may be written as a plain list of rows.",
        None,
    ),
    "preset": f.Field(
        f.choice(PRESETS), f.choice_schema(PRESETS), "A named kernel, used for every plane.", None
    ),
    "presets": f.Field(
        f.choices(PRESETS, NETWORK_CHANNELS),
        {"type": "array", "minItems": 1, "items": f.choice_schema(PRESETS)},
        "A named kernel per plane (one per input channel the filter reads).",
        None,
    ),
    "size": KERNEL_FIELDS["size"],
    "sigma": KERNEL_FIELDS["sigma"],
    "bias": f.Field(f.number, f.NUMBER_SCHEMA, "The filter's bias, added to every output value.", None),
}


@dataclass(frozen=True, eq=False)
class Kernel:
    """A layer's weights (read-only float64, 4-D as torch) and the preset name, if every plane
    is that one preset."""

    values: np.ndarray  #: conv2d (C_out, C_in/g, kh, kw); conv_transpose2d (C_in, C_out/g, kh, kw)
    preset: str | None = None
    names: tuple[str | None, ...] = ()  #: each filter's preset (or presets, joined), when named

    @property
    def plane(self) -> np.ndarray:
        """The single plane of a one-filter, one-channel kernel (the 2-D kernel of a gray image)."""
        return self.values[0, 0]

    @property
    def labels(self) -> tuple[tuple[str, ...], ...]:
        """Each weight of the first plane as drawn: "1/9", "−2", "0.125"."""
        return plane_labels(self.values[0, 0], self.values)


def plane_labels(
    plane: np.ndarray, within: np.ndarray | None = None, fractions: bool | None = None
) -> tuple[tuple[str, ...], ...]:
    """Each weight of a plane as drawn; fractions or decimals as suit the whole set ``within``
    (the layer's weights: one style for all its planes), by default the plane itself; or as
    ``fractions`` says, when the caller has decided it for the set once (a layer of many planes)."""
    if fractions is None:
        fractions = fractions_read_best(plane if within is None else within)
    decimals = None if fractions else common_decimals(plane)  # one format per grid drawn
    return tuple(tuple(weight_label(v, fractions, decimals) for v in row) for row in plane.tolist())


def _frozen(values: np.ndarray) -> np.ndarray:
    values = np.ascontiguousarray(values, dtype=np.float64)
    values.setflags(write=False)
    return values


def parse_kernel_plane(data: Any, prefix: str) -> tuple[np.ndarray, str | None]:
    """One 2-D kernel from a `kernel` table: inline `values` or a `preset`."""
    t = f.parse_table(data, KERNEL_FIELDS, prefix)
    if (t["values"] is None) == (t["preset"] is None):
        given = [k for k in ("values", "preset") if t[k] is not None]
        raise ScenarioError(prefix, f"give exactly one of `values` or `preset` {f.got(given)}")
    if t["values"] is not None:
        _no_preset_options(t, prefix)
        return t["values"], None
    return _preset(t["preset"], t["size"], t["sigma"], prefix), t["preset"]


def _no_preset_options(t: dict[str, Any], prefix: str) -> None:
    for name in ("size", "sigma"):
        if t[name] is not None:
            raise ScenarioError(f"{prefix}.{name}", "only applies to a `preset`; `values` set the kernel")


def _preset(preset: str, size: tuple[int, int] | None, sigma: float | None, prefix: str) -> np.ndarray:
    if sigma is not None and preset != "gaussian":
        raise ScenarioError(f"{prefix}.sigma", f"only applies to preset 'gaussian' (got preset {preset!r})")
    if preset not in SIZED and size not in (None, (3, 3)):
        raise ScenarioError(f"{prefix}.size", f"preset {preset!r} is 3×3 only (got {size[0]}×{size[1]})")
    if preset == "identity" and size is not None and (size[0] % 2 == 0 or size[1] % 2 == 0):
        raise ScenarioError(f"{prefix}.size", f"preset 'identity' needs odd sides (got {size[0]}×{size[1]})")
    return make_kernel(preset, size or (3, 3), sigma or 1.0)


@dataclass(frozen=True)
class Shape:
    """What a layer's weights must look like: planes per filter and how many filters."""

    filters: int  #: tables in `filters`: C_out (conv2d) or C_in (conv_transpose2d)
    planes: int  #: planes per filter: C_in/groups (conv2d) or C_out/groups (conv_transpose2d)
    transposed: bool
    in_channels: int
    groups: int

    def why(self) -> str:
        """The rule in words, for messages."""
        if self.transposed:
            return f"the layer has {self.planes * self.groups} output channels (groups = {self.groups})"
        if self.groups == 1:
            return f"the input has {self.in_channels} channels (groups = 1)"
        return (
            f"each group reads {self.planes} of the input's {self.in_channels} channels "
            f"(groups = {self.groups})"
        )


def parse_filter_tables(data: Any, prefix: str, shape: Shape) -> tuple[Kernel, np.ndarray | None]:
    """`filters`: a list of tables, one per filter, each with a plane per channel it reads."""
    if not isinstance(data, (list, tuple)) or not data:
        raise ScenarioError(prefix, f"must be a non-empty list of tables (got {f.show(data)})")
    if len(data) > NETWORK_CHANNELS:
        raise ScenarioError(prefix, f"at most {NETWORK_CHANNELS} filters (got {len(data)})")
    planes, biases, presets, names = [], [], set(), []
    for i, table in enumerate(data):
        key = f"{prefix}[{i}]"
        t = f.parse_table(table, FILTER_FIELDS, key)
        given = [k for k in ("values", "preset", "presets") if t[k] is not None]
        if len(given) != 1:
            raise ScenarioError(key, f"give exactly one of `values`, `preset` or `presets` {f.got(given)}")
        if t["values"] is not None:
            _no_preset_options(t, key)
            stack = t["values"]
            if len(stack) != shape.planes:
                raise ScenarioError(f"{key}.values", f"{_planes(len(stack))}, but {shape.why()}")
            presets.add(None)
            names.append(None)
        elif t["preset"] is not None:
            stack = np.stack([_preset(t["preset"], t["size"], t["sigma"], key)] * shape.planes)
            presets.add(t["preset"])
            names.append(t["preset"])
        else:
            if len(t["presets"]) != shape.planes:
                raise ScenarioError(f"{key}.presets", f"{_planes(len(t['presets']))}, but {shape.why()}")
            stack = np.stack([_preset(p, t["size"], t["sigma"], key) for p in t["presets"]])
            presets.update(t["presets"])
            names.append(", ".join(t["presets"]))
        if planes and stack.shape[1:] != planes[0].shape[1:]:
            kh, kw = planes[0].shape[1:]
            raise ScenarioError(
                key,
                f"is {stack.shape[1]}×{stack.shape[2]}, but {prefix}[0] is {kh}×{kw}; "
                "every filter has one size",
            )
        planes.append(stack)
        biases.append(t["bias"])
    _check_count(len(planes), prefix, shape)
    bias = _biases(biases, prefix)
    preset = presets.pop() if len(presets) == 1 else None
    return Kernel(_frozen(np.stack(planes)), preset, tuple(names)), bias


def _planes(n: int) -> str:
    return f"{n} plane{'s' * (n != 1)}"


def _check_count(n: int, prefix: str, shape: Shape) -> None:
    if shape.transposed and n != shape.in_channels:
        raise ScenarioError(
            prefix,
            f"{n} filters, but a transposed convolution has one per input channel ({shape.in_channels})",
        )
    if not shape.transposed and n % shape.groups:
        raise ScenarioError(
            prefix, f"{n} filters, but groups = {shape.groups} needs a multiple of {shape.groups}"
        )


def _biases(biases: list[float | None], prefix: str) -> np.ndarray | None:
    if all(b is None for b in biases):
        return None
    missing = [i for i, b in enumerate(biases) if b is None]
    if missing:
        raise ScenarioError(f"{prefix}[{missing[0]}].bias", "is missing; give every filter a bias, or none")
    return _frozen(np.array(biases, dtype=float))


def random_weights(
    shape: tuple[int, int, int, int], seed: int, bias: bool, out_channels: int | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Weights (and bias) drawn as PyTorch's default init does, uniform in ±1/√fan_in, rounded to
    two decimals so that every drawn weight is the weight used. ``shape`` is torch's weight
    shape; fan_in is its planes × kh × kw. The bias has one value per output channel:
    ``out_channels`` (a transposed layer's), by default shape[0] (a convolution's)."""
    rng = np.random.default_rng(seed)
    bound = 1.0 / np.sqrt(shape[1] * shape[2] * shape[3])
    weights = np.round(rng.uniform(-bound, bound, size=shape), 2)
    n = (shape[0] if out_channels is None else out_channels) if bias else 0
    b = np.round(rng.uniform(-bound, bound, size=n), 2) if bias else None
    return _frozen(weights + 0.0), None if b is None else _frozen(b + 0.0)  # + 0.0: no −0


def bias_array(value: Any, key: str, channels: int) -> np.ndarray:
    """A stage's `bias` given as numbers: one per output channel (a number for one channel)."""
    items = value if isinstance(value, (list, tuple, np.ndarray)) else [value]
    items = [
        f.number(v, f"{key}[{i}]" if isinstance(value, (list, tuple, np.ndarray)) else key)
        for i, v in enumerate(items)
    ]
    if len(items) != channels:
        raise ScenarioError(key, f"{len(items)} values, but the layer has {channels} output channels")
    return _frozen(np.array(items, dtype=float))
