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


@dataclass(frozen=True, eq=False)
class Taps:
    """Where a convolution's output cells read their input map (C, H, W), axis by axis: output
    cell (k, a, b) reads, under weight (p, i, j) of ``weights[k]``, input row ``rows[a·sr + i·dr]``
    and column ``cols[b·sc + j·dc]`` of channel ``first(k) + p`` (−1: a zero, padding or a
    transposed convolution's inserted zero). The padding modes (reflect, replicate, circular)
    are index maps, so one table an axis holds them; the player reads windows with the same
    tables (``frames.network_cells``)."""

    rows: np.ndarray  #: (padded rows,) input row each grid row holds, −1 for a zero
    cols: np.ndarray
    stride: tuple[int, int]
    dilation: tuple[int, int]
    weights: np.ndarray  #: (C_out, C_in / groups, kh, kw), as slid
    groups: int

    def planes(self, k: int) -> tuple[int, ...]:
        """The input channels output channel k reads."""
        per_group, cin = self.weights.shape[0] // self.groups, self.weights.shape[1]
        g = k // per_group
        return tuple(range(g * cin, (g + 1) * cin))

    def window(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """The input rows and columns (−1: a zero) output cell (·, a, b) reads, (kh,) and (kw,)."""
        kh, kw = self.weights.shape[2:]
        rows = self.rows[a * self.stride[0] + np.arange(kh) * self.dilation[0]]
        cols = self.cols[b * self.stride[1] + np.arange(kw) * self.dilation[1]]
        return rows, cols


def taps(stage: Stage, shape: tuple[int, int]) -> Taps | None:
    """The taps of ``stage`` on an input map of ``shape`` (H, W); None for a stage that is not a
    convolution (or a transposed one whose padding its direct form cannot express)."""
    op, (h, w) = stage.operation, shape
    if op == "conv2d":
        t, bottom, left, right = stage.padding
        mode = NUMPY_MODE[stage.padding_mode]
        fill = {"constant_values": -1} if mode == "constant" else {}
        rows = np.pad(np.arange(h), (t, bottom), mode=mode, **fill)  # type: ignore[call-overload]
        cols = np.pad(np.arange(w), (left, right), mode=mode, **fill)  # type: ignore[call-overload]
        return Taps(rows, cols, stage.stride, stage.dilation, conv_weights(stage), stage.groups)
    if op == "conv_transpose2d":
        (kh, kw), (dr, dc) = stage.kernel_size, stage.dilation
        qr, qc = dr * (kh - 1) - stage.padding[0], dc * (kw - 1) - stage.padding[2]
        if qr < 0 or qc < 0:
            return None
        opr, opc = stage.output_padding
        _, origin = zero_insert(np.zeros((1, h, w)), stage.stride, (qr, qr + opr, qc, qc + opc))
        weights = direct_weights(stage.kernel.values, stage.groups)
        return Taps(origin[:, qc, 0], origin[qr, :, 1], (1, 1), stage.dilation, weights, stage.groups)
    return None


def window(stage: Stage, x: np.ndarray, cell: tuple[int, int, int]) -> Window | None:
    """The window output cell ``cell`` = (channel, row, col) of ``stage`` reads in ``x`` (C, H, W),
    the map the stage reads; None for a stage that is not a convolution (or a transposed one whose
    padding its direct form cannot express)."""
    tp = taps(stage, x.shape[1:])
    if tp is None:
        return None
    k, a, b = cell
    planes = tp.planes(k)
    rows, cols = tp.window(a, b)
    padded = np.pad(x[planes[0] : planes[-1] + 1], ((0, 0), (0, 1), (0, 1)))  # index −1: a zero
    values = padded[:, rows[:, None], cols[None, :]]
    bias = None if stage.bias is None else float(stage.bias[k])
    return Window((k, a, b), planes, np.ascontiguousarray(values), np.array(tp.weights[k]), bias)


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
