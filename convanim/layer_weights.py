"""A convolution's weights, bias and groups from its stage's keys: one plane for every filter, a
table per filter, random weights, or torch's 4-D array, each checked against the input's channels."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import fields as f
from .errors import ScenarioError
from .filters import (
    NETWORK_CHANNELS,
    Kernel,
    Shape,
    bias_array,
    parse_filter_tables,
    parse_kernel_plane,
    random_weights,
)


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
    # every filter is checked as a scenario's planes would be, but only the first one holding a
    # bad value (or filter 0) through f.planes: one by one, a 1024-channel layer took a minute
    with np.errstate(invalid="ignore", over="ignore"):
        bad = ~(np.abs(data.astype(np.float64)) <= f.MAX_MAGNITUDE)
    first = int(np.argmax(bad.reshape(len(data), -1).any(axis=1)))
    f.planes(data[first], f"{prefix}[{first}]", max_side=64, max_planes=NETWORK_CHANNELS)
    if data.shape[0] > NETWORK_CHANNELS:
        raise ScenarioError(prefix, f"has {data.shape[0]} filters; at most {NETWORK_CHANNELS}")
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
