"""Operations applied value by value (activations, batch norm in eval mode) and those that join
maps (``cat``, ``add``): their PyTorch semantics in float64, their keys and a short formula for
labels. Steps record each as one whole-map step, as ReLU.

Batch norm in eval mode is the per-channel affine map PyTorch's CPU kernel applies:
``alpha = weight / sqrt(running_var + eps)``, ``beta = bias − running_mean · alpha``, ``y = x · alpha
+ beta``, which is (x − mean)/sqrt(var + eps)·weight + bias written as one scale and one shift.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import fields as f
from .errors import ScenarioError

#: operations that map each value on its own (``relu`` keeps its own step code and drawing)
ACTIVATIONS = ("leaky_relu", "sigmoid", "tanh", "gelu", "hardtanh", "identity")
ELEMENTWISE = ("relu", "batch_norm", *ACTIVATIONS)
JOINS = ("cat", "add")  #: operations of several maps
WHOLE_MAP = (*ELEMENTWISE, *JOINS)  #: one step for the whole map
GELU_APPROXIMATIONS = ("none", "tanh")
NORM_KEYS = ("running_mean", "running_var", "weight", "bias", "eps")


@dataclass(frozen=True, eq=False)
class Norm:
    """Batch norm's numbers per channel (read-only float64 arrays of shape (C,)), and the scale
    and shift they make."""

    running_mean: np.ndarray = field(repr=False)
    running_var: np.ndarray = field(repr=False)
    weight: np.ndarray = field(repr=False)
    bias: np.ndarray = field(repr=False)
    eps: float = 1e-5

    @property
    def scale(self) -> np.ndarray:
        """alpha = weight / sqrt(var + eps), as PyTorch computes it (the inverse std first)."""
        return (1.0 / np.sqrt(self.running_var + self.eps)) * self.weight

    @property
    def shift(self) -> np.ndarray:
        """beta = bias − mean · alpha."""
        return self.bias - self.running_mean * self.scale


def parse_norm(t: dict[str, Any], key: Any, channels: int) -> Norm:
    """Batch norm's keys for a map of ``channels`` channels: each a number per channel (or one
    number for all); mean 0, var 1, weight 1, bias 0 and eps 1e-5 by default, as a new
    BatchNorm2d."""
    defaults = {"running_mean": 0.0, "running_var": 1.0, "weight": 1.0, "bias": 0.0}
    arrays = {}
    for name, default in defaults.items():
        arrays[name] = _per_channel(t.get(name), key(name), channels, default)
    eps = 1e-5 if t.get("eps") is None else t["eps"]
    bad = np.flatnonzero(arrays["running_var"] + eps <= 0)
    if bad.size:
        c = int(bad[0])
        raise ScenarioError(
            key("running_var"),
            f"running_var + eps must be positive (channel {c}: {arrays['running_var'][c]:g} + {eps:g})",
        )
    return Norm(**arrays, eps=float(eps))


def _per_channel(value: Any, key: str, channels: int, default: float) -> np.ndarray:
    if value is None:
        out = np.full(channels, default)
    elif f.is_number(value):
        out = np.full(channels, float(f.number(value, key)))
    else:
        if isinstance(value, np.ndarray):
            value = value.tolist()
        if not isinstance(value, (list, tuple)) or not all(f.is_number(v) for v in value):
            raise ScenarioError(
                key, f"must be a number or a list of numbers, one per channel (got {f.show(value)})"
            )
        if len(value) != channels:
            raise ScenarioError(key, f"{len(value)} numbers, but the map has {channels} channels")
        out = np.array([f.number(v, key) for v in value], dtype=np.float64)
    out.setflags(write=False)
    return out


def apply(op: str, x: np.ndarray, *, norm: Norm | None = None, **keys: Any) -> np.ndarray:
    """``op`` applied to a (C, H, W) float64 stack, as torch.nn.functional's namesake."""
    if op == "relu":
        return np.maximum(x, 0.0)
    if op == "identity":
        return x.copy()
    if op == "leaky_relu":
        return np.where(x > 0, x, x * keys["negative_slope"])
    if op == "sigmoid":
        return 1.0 / (1.0 + np.exp(-x))
    if op == "tanh":
        return np.tanh(x)
    if op == "hardtanh":
        return np.minimum(np.maximum(x, keys["min_val"]), keys["max_val"])
    if op == "gelu":
        return _gelu(x, keys["approximate"])
    if op == "batch_norm":
        assert norm is not None
        return x * norm.scale[:, None, None] + norm.shift[:, None, None]
    raise ValueError(op)


_ERF = np.frompyfunc(math.erf, 1, 1)


def _gelu(x: np.ndarray, approximate: str) -> np.ndarray:
    """x·Φ(x) = x/2·(1 + erf(x/√2)); or the tanh approximation, as aten's GeluKernel."""
    if approximate == "tanh":
        beta = math.sqrt(2.0) * (2.0 / math.sqrt(math.pi)) * 0.5
        inner = beta * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1.0 + np.tanh(inner))
    return x * 0.5 * (1.0 + _ERF(x * (1.0 / math.sqrt(2.0))).astype(np.float64))


def join(op: str, maps: list[np.ndarray]) -> np.ndarray:
    """``cat`` (channels one after the other, torch.cat along dim 1 of a batch) or ``add`` (two
    maps of one shape)."""
    if op == "cat":
        return np.concatenate(maps, axis=0)
    return maps[0] + maps[1]


def formula(op: str, **keys: Any) -> str:
    """What the operation does to a value x, in a few characters, e.g. "max(0, x)"."""
    if op == "relu":
        return "max(0, x)"
    if op == "leaky_relu":
        return f"x or {_num(keys['negative_slope'])}\u00b7x"
    if op == "sigmoid":
        return "1/(1 + e\u207b\u02e3)"
    if op == "tanh":
        return "tanh(x)"
    if op == "gelu":
        return (
            "x\u00b7\u03a6(x)"
            if keys.get("approximate", "none") == "none"
            else "x\u00b7\u03a6(x) \u2248 tanh"
        )
    if op == "hardtanh":
        return f"clip(x, {_num(keys['min_val'])}, {_num(keys['max_val'])})"
    if op == "identity":
        return "x"
    if op == "batch_norm":
        return "a\u00b7x + b"
    if op == "cat":
        return "channels stacked"
    if op == "add":
        return "x + y"
    raise ValueError(op)


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"
