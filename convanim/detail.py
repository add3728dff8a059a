"""One cell's numbers, on demand: the window an output cell of a convolution reads in each input
channel, the weights it applies and its bias, and the one-step layer that computes it (which the
network view's player shows when a reader picks the cell, drawn by the layer view's builder).

Pure numpy from the stage and the map it reads: nothing here reads a computation's stored steps,
so a cell's detail costs one window however big the map is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .cost import grid_cost
from .errors import ScenarioError
from .graph import map_names, sources
from .steps import NUMPY_MODE, conv_weights, direct_weights, zero_insert

if TYPE_CHECKING:
    from .model import Illustration
    from .stage import Stage

STEPPABLE = (5000, 50_000, 100_000)  #: the default limits (frames, cells, work) of a stage view

WINDOW_OPS = ("conv2d", "conv_transpose2d")


@dataclass(frozen=True, eq=False)
class Window:
    """What output cell (k, a, b) of a convolution reads: ``values`` under its taps in each input
    channel of ``planes`` (padding cells as they are read; a transposed convolution's as its
    equivalent convolution reads them: the zero-inserted input), the ``weights`` it applies to
    them, as slid, and its ``bias``. Σ values · weights + bias is the cell's value."""

    cell: tuple[int, int, int]
    planes: tuple[int, ...]
    values: np.ndarray  #: (P, kh, kw)
    weights: np.ndarray  #: (P, kh, kw)
    bias: float | None

    @property
    def value(self) -> float:
        """The cell's value, summed as the steps sum it: per plane, then across planes, then the bias."""
        sums = (self.values * self.weights).sum(axis=(1, 2))
        total = float(sums.sum())
        return total if self.bias is None else total + self.bias


def window(stage: Stage, x: np.ndarray, cell: tuple[int, int, int]) -> Window | None:
    """The window output cell ``cell`` = (channel, row, col) of ``stage`` reads in ``x`` (C, H, W),
    the map the stage reads; None for a stage that is not a convolution (or a transposed one whose
    padding its direct form cannot express)."""
    op = stage.operation
    k, a, b = cell
    if op == "conv2d":
        t, bottom, left, right = stage.padding
        grid = np.pad(x, ((0, 0), (t, bottom), (left, right)), mode=NUMPY_MODE[stage.padding_mode])
        weights, stride = conv_weights(stage), stage.stride
    elif op == "conv_transpose2d":
        (kh, kw), (dr, dc) = stage.kernel_size, stage.dilation
        qr, qc = dr * (kh - 1) - stage.padding[0], dc * (kw - 1) - stage.padding[2]
        if qr < 0 or qc < 0:
            return None
        opr, opc = stage.output_padding
        grid, _ = zero_insert(x, stage.stride, (qr, qr + opr, qc, qc + opc))
        weights, stride = direct_weights(stage.kernel.values, stage.groups), (1, 1)
    else:
        return None
    kh, kw = weights.shape[2:]
    per_group = weights.shape[0] // stage.groups
    cin = grid.shape[0] // stage.groups
    g = k // per_group
    planes = tuple(range(g * cin, (g + 1) * cin))
    rows = a * stride[0] + np.arange(kh) * stage.dilation[0]
    cols = b * stride[1] + np.arange(kw) * stage.dilation[1]
    values = grid[planes[0] : planes[-1] + 1][:, rows[:, None], cols[None, :]]
    bias = None if stage.bias is None else float(stage.bias[k])
    return Window((k, a, b), planes, np.ascontiguousarray(values), np.array(weights[k]), bias)


def step_keys(w: Window) -> dict[str, Any]:
    """Stage keys of the one-step layer that computes the window's cell from the window: the
    cell's filter as its kernel, its bias."""
    keys: dict[str, Any] = {"operation": "conv2d", "kernel": w.weights[None]}
    if w.bias is not None:
        keys["bias"] = [w.bias]
    return keys


def stage_input(s: Illustration, name: str) -> tuple[int, Stage, np.ndarray]:
    """Stage ``name`` of ``s``: its index, the stage and the map it reads; refused in one line
    when there is no such stage or it reads several maps (a stage view draws one input)."""
    names = map_names(s.stages)
    if name not in names[1:]:
        raise ScenarioError("stage_view", f"no stage '{name}'; the stages are {', '.join(names[1:])}")
    i = names.index(name) - 1
    src = sources(s.stages)[i]
    if len(src) != 1:
        raise ScenarioError("stage_view", f"'{name}' reads {len(src)} maps; a stage is drawn alone on one")
    x = s.image.values if src[0] == 0 else s.computations[src[0] - 1].output
    return i, s.stages[i], x


def steppable(stage: Stage) -> bool:
    """Whether a convolution is small enough to step through in the layer view (its grid of
    numbers, a frame a step) within the default limits."""
    cost = grid_cost((stage,), stage.n_steps + 2)
    return all(v <= most for v, most in zip((cost.frames, cost.cells, cost.work), STEPPABLE, strict=True))
