"""The scenario of a PyTorch model: ``from_torch(model, x)`` reads a module's weights and settings
into scenario keys, so that ``.output()`` equals ``model(x[None])[0]`` (x of shape (C, H, W)). A
layer on its own is one stage; any other module (an ``nn.Sequential``, a ResNet block, a U-Net) is
traced with torch.fx into a graph of stages (see :mod:`.trace`).

torch stays optional: it is imported only when ``from_torch`` is called. The modules are read,
never run; the scenario computes every number again (float64) and checks every key as a scenario
file's would, so a layer beyond the limits gets the usual one-line errors.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import fields as f
from .errors import ScenarioError
from .filters import NETWORK_CHANNELS
from .scenario import MAX_SIDE, Scenario
from .stage import STAGE_FIELDS, parse_stage

SUPPORTED = (
    "Conv2d",
    "ConvTranspose2d",
    "MaxPool2d",
    "AvgPool2d",
    "Conv1d",
    "ConvTranspose1d",
    "MaxPool1d",
    "AvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool2d",
    "Upsample",
    "ReLU",
    "LeakyReLU",
    "Sigmoid",
    "Tanh",
    "GELU",
    "Hardtanh",
    "ReLU6",
    "Identity",
    "Dropout",
    "BatchNorm2d",
)
UPSAMPLE_MODES = ("nearest", "bilinear", "linear")
#: Scenario keys the caller may still set: how a layer is drawn, not what it computes.
DRAWING_KEYS = {"transpose_view", "view"}


def from_torch(layer: Any, x: Any, **scenario_keys: Any) -> Scenario:
    """The Scenario computing ``layer(x)``: ``layer`` one of the SUPPORTED modules, or any module
    torch.fx can trace whose nodes are these modules, their functional forms, ``torch.cat`` along
    channels and ``+`` of two maps (stages named as the fx nodes); ``x`` a tensor (or array) of
    shape (C, H, W) or (1, C, H, W), or (C, L) or (1, C, L) when a node is 1-D (Conv1d, …). Other
    keywords (title, caption, render, timing, name, limits, transpose_view, view) go to the
    Scenario."""
    import torch

    if isinstance(layer, torch.nn.Sequential) and len(layer) == 0:
        raise ScenarioError("from_torch", "the Sequential is empty; give it at least one layer")
    single = _is_layer(layer, torch)
    if single:
        gm, rank = None, 1 if _one_d(layer, torch) else 2
    else:
        from . import trace  # torch.fx loads only for a model

        gm = trace.trace(layer, torch)
        rank = trace.traced_rank(gm, lambda m: _one_d(m, torch), torch)
    image = _input(x, torch, rank)
    shape = (1, image.shape[1]) if rank == 1 else image.shape[1:]
    fixed = [
        k for k in scenario_keys if k in ("image", "stages") or (k in STAGE_FIELDS and k not in DRAWING_KEYS)
    ]
    if fixed:
        raise ScenarioError(
            "from_torch", f"`{fixed[0]}` comes from the layer and its input; it cannot be given too"
        )
    drawing = {k: scenario_keys.pop(k) for k in DRAWING_KEYS & set(scenario_keys)}
    table_of = module_table if rank == 2 else lambda *a: _signal_keys(module_table(*a))
    if gm is None:
        tables = [table_of(layer, "", shape, image.shape[0], torch)]
        # with the checks and messages the Scenario gives
        parse_stage(tables[0], "", shape, image.shape[0], rank)
    else:
        tables = trace.graph_tables(gm, shape, image.shape[0], rank, table_of, SUPPORTED, torch)
    for table in tables:
        if table["operation"] == "conv_transpose2d":
            table.update(drawing)
    if drawing and not any(t["operation"] == "conv_transpose2d" for t in tables):
        raise ScenarioError(min(drawing), "only applies to a layer with a ConvTranspose2d")
    if gm is None:
        return Scenario(image=image, **tables[0], **scenario_keys)
    return Scenario(image=image, stages=tables, **scenario_keys)


def _is_layer(module: Any, torch: Any) -> bool:
    """A module of torch.nn that is not a container: read on its own, as one stage (what fx
    would keep as one call_module node)."""
    return type(module).__module__.startswith("torch.nn") and not isinstance(
        module, (torch.nn.Sequential, torch.nn.ModuleList, torch.nn.ModuleDict)
    )


def _one_d(module: Any, torch: Any) -> bool:
    """A 1-D module: the input is then a signal (C, L)."""
    nn = torch.nn
    one_d = (nn.Conv1d, nn.ConvTranspose1d, nn.MaxPool1d, nn.AvgPool1d)
    return isinstance(module, one_d) or (isinstance(module, nn.Upsample) and module.mode == "linear")


def _signal_keys(table: dict[str, Any]) -> dict[str, Any]:
    """A 1-D module's keys as a 1-D scenario spells them: one integer per key, (k,) weights as
    torch's (C_out, C_in/groups, k)."""
    out = {}
    for name, value in table.items():
        if isinstance(value, list) and len(value) == 2 and name != "bias":
            value = value[1]
        out[name] = value
    return out


def _input(x: Any, torch: Any, rank: int = 2) -> np.ndarray:
    """x as a float64 (C, H, W) array, or (C, L) for a 1-D layer; a batch of one loses its batch
    axis."""
    if isinstance(x, torch.Tensor):
        if x.is_complex():
            raise ScenarioError("from_torch", f"x must hold real numbers (got dtype {x.dtype})")
        x = x.detach().cpu().to(torch.float64).numpy()
    else:
        x = np.asarray(x)
        if x.dtype.kind not in "iuf":
            raise ScenarioError("from_torch", f"x must hold real numbers (got dtype {x.dtype})")
    if rank == 1:
        if x.ndim == 3 and x.shape[0] == 1:
            x = x[0]
        if x.ndim != 2:
            raise ScenarioError(
                "from_torch", f"x must have shape (C, L) or (1, C, L) for a 1-D layer (got {tuple(x.shape)})"
            )
        return np.array(x, dtype=np.float64)
    if x.ndim == 4 and x.shape[0] != 1:
        raise ScenarioError(
            "from_torch",
            f"x is a batch of {x.shape[0]} (shape {tuple(x.shape)}); give one sample, "
            "(C, H, W) or (1, C, H, W)",
        )
    if x.ndim not in (3, 4):
        raise ScenarioError(
            "from_torch", f"x must have shape (C, H, W) or (1, C, H, W) (got {tuple(x.shape)})"
        )
    return f.planes(x[0] if x.ndim == 4 else x, "image", max_side=MAX_SIDE, max_planes=NETWORK_CHANNELS)


def _refuse(module: Any, where: str, message: str) -> ScenarioError:
    """``where``: how the module is named (an fx node), or "" for the module given on its own."""
    return ScenarioError("from_torch", f"{where or type(module).__name__} {message}")


def module_table(
    module: Any, where: str, shape: tuple[int, int], channels: int, torch: Any
) -> dict[str, Any]:
    """The stage table of one module reading a map of ``channels`` × ``shape``, as a scenario
    file would write it; ``where`` names the module in messages."""
    nn = torch.nn
    table = _activation(module, where, channels, torch)
    if table is not None:
        return table
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Conv1d, nn.ConvTranspose1d)):
        keys = _conv(module, where, channels, isinstance(module, (nn.ConvTranspose2d, nn.ConvTranspose1d)))
        if isinstance(module, (nn.Conv1d, nn.ConvTranspose1d)):
            keys["operation"] = keys["operation"].replace("2d", "1d")
        return keys
    if isinstance(module, (nn.MaxPool1d, nn.AvgPool1d)):
        return _pool1d(module, where, nn)
    if isinstance(module, nn.MaxPool2d):
        if module.return_indices:
            raise _refuse(
                module, where, "with return_indices=True cannot be drawn; the indices are not a picture"
            )
        keys = {"operation": "max_pool2d", "dilation": _pair(module.dilation)}
        return keys | _pool(module)
    if isinstance(module, nn.AvgPool2d):
        if module.divisor_override is not None:
            raise _refuse(
                module,
                where,
                f"with divisor_override={module.divisor_override} cannot be drawn; the mean divides by "
                "the window (count_include_pad chooses whether padding counts)",
            )
        keys = {"operation": "avg_pool2d", "count_include_pad": bool(module.count_include_pad)}
        return keys | _pool(module)
    if isinstance(module, nn.Upsample):
        return _upsample(module, where, shape)
    if isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        if getattr(module, "return_indices", False):
            raise _refuse(
                module, where, "with return_indices=True cannot be drawn; the indices are not a picture"
            )
        size = module.output_size
        sizes = list(size) if isinstance(size, (tuple, list)) else [size, size]
        # None keeps the input's size along that axis, as PyTorch
        out = [n if m is None else int(m) for m, n in zip(sizes, shape, strict=True)]
        op = "adaptive_avg_pool2d" if isinstance(module, nn.AdaptiveAvgPool2d) else "adaptive_max_pool2d"
        return {"operation": op, "output_size": out}
    raise _refuse(module, where, f"cannot be drawn; supported: {', '.join(SUPPORTED)}")


def _activation(module: Any, where: str, channels: int, torch: Any) -> dict[str, Any] | None:
    """The table of a module applied value by value (an activation, Dropout and BatchNorm2d in
    eval mode), or None for another module."""
    nn = torch.nn
    if isinstance(module, nn.ReLU):
        return {"operation": "relu"}
    if isinstance(module, nn.ReLU6):  # a Hardtanh from 0 to 6
        return {"operation": "hardtanh", "min_val": 0.0, "max_val": 6.0}
    if isinstance(module, nn.Hardtanh):
        return {"operation": "hardtanh", "min_val": float(module.min_val), "max_val": float(module.max_val)}
    if isinstance(module, nn.LeakyReLU):
        return {"operation": "leaky_relu", "negative_slope": float(module.negative_slope)}
    if isinstance(module, nn.GELU):
        return {"operation": "gelu", "approximate": module.approximate}
    if isinstance(module, nn.Sigmoid):
        return {"operation": "sigmoid"}
    if isinstance(module, nn.Tanh):
        return {"operation": "tanh"}
    if isinstance(module, nn.Identity):
        return {"operation": "identity"}
    if isinstance(module, (nn.Dropout, nn.Dropout2d)):
        if module.training and module.p > 0:
            raise _refuse(module, where, "in training mode drops values at random; call model.eval() first")
        return {"operation": "identity"}
    if isinstance(module, nn.BatchNorm2d):
        return _batch_norm(module, where, channels)
    return None


def _batch_norm(module: Any, where: str, channels: int) -> dict[str, Any]:
    """BatchNorm2d in eval mode: its running statistics, weight and bias."""
    if module.training:
        raise _refuse(
            module,
            where,
            "in training mode normalises by the batch's statistics; call model.eval() first",
        )
    if module.running_mean is None:
        raise _refuse(
            module,
            where,
            "with track_running_stats=False normalises by the batch's statistics, even in eval mode",
        )
    if module.num_features != channels:
        raise _refuse(module, where, f"takes {module.num_features} channels, but its input has {channels}")
    keys: dict[str, Any] = {
        "operation": "batch_norm",
        "running_mean": _array(module.running_mean),
        "running_var": _array(module.running_var),
        "eps": float(module.eps),
    }
    if module.weight is not None:
        keys["weight"] = _array(module.weight)
    if module.bias is not None:
        keys["bias"] = _array(module.bias)
    return keys


def _conv(module: Any, where: str, channels: int, transposed: bool) -> dict[str, Any]:
    if module.in_channels == 0:  # a lazy module learns its channels from its first input
        raise _refuse(module, where, "is not initialised yet; run it once on an input first")
    if module.in_channels != channels:
        raise _refuse(
            module, where, f"takes {module.in_channels} input channels, but its input has {channels}"
        )
    keys: dict[str, Any] = {
        "operation": "conv_transpose2d" if transposed else "conv2d",
        "kernel": _array(module.weight),
        "stride": _pair(module.stride),
        "padding": module.padding if isinstance(module.padding, str) else _pair(module.padding),
        "dilation": _pair(module.dilation),
        "groups": module.groups,
    }
    if module.bias is not None:
        keys["bias"] = _array(module.bias)
    if transposed:
        keys["output_padding"] = _pair(module.output_padding)
    else:
        keys["padding_mode"] = module.padding_mode
    return keys


def _pool1d(module: Any, where: str, nn: Any) -> dict[str, Any]:
    if isinstance(module, nn.MaxPool1d):
        if module.return_indices:
            raise _refuse(
                module, where, "with return_indices=True cannot be drawn; the indices are not a picture"
            )
        keys = {"operation": "max_pool1d", "dilation": _pair(module.dilation)}
    else:
        keys = {"operation": "avg_pool1d", "count_include_pad": bool(module.count_include_pad)}
    return keys | _pool(module)


def _pool(module: Any) -> dict[str, Any]:
    """Keys MaxPool2d and AvgPool2d share (their stride defaults to the window, as here)."""
    stride = module.stride if module.stride is not None else module.kernel_size
    return {
        "kernel_size": _pair(module.kernel_size),
        "stride": _pair(stride),
        "padding": _pair(module.padding),
        "ceil_mode": bool(module.ceil_mode),
    }


def _upsample(module: Any, where: str, shape: tuple[int, int]) -> dict[str, Any]:
    if module.mode not in UPSAMPLE_MODES:
        raise _refuse(
            module,
            where,
            f"with mode {module.mode!r} cannot be drawn; supported: nearest, bilinear (linear on a signal)",
        )
    if module.size is None and module.scale_factor is None:
        raise _refuse(module, where, "has neither size nor scale_factor; give one, as torch needs")
    keys: dict[str, Any] = {"operation": "upsample", "mode": module.mode}
    if module.align_corners is not None and (module.mode in ("bilinear", "linear") or module.align_corners):
        keys["align_corners"] = bool(module.align_corners)
    if module.size is not None:
        keys["size"] = _pair(module.size)
    elif module.recompute_scale_factor:  # torch samples as for the size the factor gives
        factors = _floats(module.scale_factor)
        keys["size"] = [int(np.floor(n * k)) for n, k in zip(shape, factors, strict=True)]
    else:
        keys["scale_factor"] = _floats(module.scale_factor)
    return keys


def _array(tensor: Any) -> np.ndarray:
    return np.array(tensor.detach().cpu().double().numpy(), dtype=np.float64)


def _pair(value: Any) -> list[int]:
    """An int or a 1- or 2-tuple as [rows, cols] (torch repeats a single value)."""
    items = [int(v) for v in value] if isinstance(value, (tuple, list)) else [int(value)]
    return items * 2 if len(items) == 1 else items


def _floats(value: Any) -> list[float]:
    items = [float(v) for v in value] if isinstance(value, (tuple, list)) else [float(value)]
    return items * 2 if len(items) == 1 else items
