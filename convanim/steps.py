"""The numbers of each step, pure numpy: which cells are read, the products, the sums.

conv2d: F[a,b] = Σ_ij f[i,j]·P[a·s + i·d, b·s + j·d] over the padded input P (cross-correlation,
as torch.nn.functional.conv2d). conv_transpose2d: each input pixel adds its value × f onto the
output at (r·s + i·d − p, c·s + j·d − p) (as torch.nn.functional.conv_transpose2d); its "direct"
view is the same numbers as a convolution of the zero-inserted, padded input with f rotated 180°.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

if TYPE_CHECKING:
    from .scenario import Scenario

NUMPY_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@dataclass(frozen=True, eq=False)
class Step:
    """A window step: one output value, the grid cells it reads and how they are summed."""

    index: int  #: 0-based, row-major over the output
    out: tuple[int, int]  #: (row, col) in the output
    rows: np.ndarray  #: grid row of each kernel row, shape (kh,)
    cols: np.ndarray  #: grid column of each kernel column, shape (kw,)
    inputs: np.ndarray  #: values under the kernel taps, shape (kh, kw)
    products: np.ndarray  #: weight · input, shape (kh, kw)
    value: float  #: the sum, equal to output[out]


@dataclass(frozen=True, eq=False)
class Scatter:
    """A transposed-convolution step: one input pixel adds value × kernel onto the output."""

    index: int  #: 0-based, row-major over the input
    src: tuple[int, int]  #: the input pixel
    value: float  #: its value
    rows: np.ndarray  #: output row of each kernel row, shape (kh,); outside the output if cropped
    cols: np.ndarray  #: output column of each kernel column, shape (kw,)
    products: np.ndarray  #: value · weight, shape (kh, kw)
    totals: np.ndarray  #: running totals at the taps once added, (kh, kw); taps outside the
    #: output (cropped by padding) keep theirs too, so the whole scatter can be drawn


@dataclass(frozen=True, eq=False)
class Computation:
    """The whole result: output, the grid the steps read and where its cells come from."""

    output: np.ndarray
    weights: np.ndarray  #: the kernel the steps apply (rotated 180° in the direct view)
    grid: np.ndarray  #: values read: the input with its padding (or zero-inserted)
    origin: np.ndarray  #: (rows, cols, 2): image pixel each grid cell holds, (−1, −1) for a zero
    ghost: np.ndarray  #: grid cells that are not the image's own pixels
    steps: tuple[Step, ...] | tuple[Scatter, ...]


def _frozen(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.setflags(write=False)


def conv2d(
    image: np.ndarray,
    kernel: np.ndarray,
    stride: tuple[int, int],
    pads: tuple[int, int, int, int] = (0, 0, 0, 0),
    mode: str = "zeros",
    dilation: tuple[int, int] = (1, 1),
) -> np.ndarray:
    """Cross-correlation as torch.nn.Conv2d(padding=..., padding_mode=...) computes it, float64."""
    padded = np.pad(image, (pads[:2], pads[2:]), mode=NUMPY_MODE[mode])
    return _windows(padded, kernel.shape, stride, dilation).__mul__(kernel).sum(axis=(2, 3))


def _windows(grid: np.ndarray, shape: tuple[int, int], stride: tuple[int, int], dil: tuple[int, int]):
    """(out_rows, out_cols, kh, kw) view of the values under every placement of a dilated kernel."""
    spans = (dil[0] * (shape[0] - 1) + 1, dil[1] * (shape[1] - 1) + 1)
    return sliding_window_view(grid, spans)[:: stride[0], :: stride[1], :: dil[0], :: dil[1]]


def compute(scenario: Scenario) -> Computation:
    """Every step of the scenario's operation, with the output they add up to."""
    if scenario.operation == "conv_transpose2d":
        if scenario.transpose_view == "direct":
            return _direct(scenario)
        return _scatter(scenario)
    image, pads, mode = scenario.image.values, scenario.padding, scenario.padding_mode
    grid = np.pad(image, (pads[:2], pads[2:]), mode=NUMPY_MODE[mode])
    extra = {"constant_values": -1} if mode == "zeros" else {}
    rows = np.pad(np.arange(image.shape[0]), pads[:2], mode=NUMPY_MODE[mode], **extra)
    cols = np.pad(np.arange(image.shape[1]), pads[2:], mode=NUMPY_MODE[mode], **extra)
    origin = np.stack(np.meshgrid(rows, cols, indexing="ij"), axis=-1)
    origin[(origin[..., 0] < 0) | (origin[..., 1] < 0)] = -1
    ghost = np.ones(grid.shape, bool)
    ghost[pads[0] : pads[0] + image.shape[0], pads[2] : pads[2] + image.shape[1]] = False
    return _window_steps(grid, origin, ghost, scenario.kernel.values, scenario.stride, scenario.dilation)


def _window_steps(grid, origin, ghost, weights, stride, dil) -> Computation:
    windows = _windows(grid, weights.shape, stride, dil)
    products = windows * weights
    output = products.sum(axis=(2, 3))
    kh, kw = weights.shape
    steps = []
    for (a, b), value in np.ndenumerate(output):
        p = products[a, b]
        _frozen(p)
        steps.append(
            Step(
                index=a * output.shape[1] + b,
                out=(a, b),
                rows=a * stride[0] + np.arange(kh) * dil[0],
                cols=b * stride[1] + np.arange(kw) * dil[1],
                inputs=windows[a, b],
                products=p,
                value=float(value),
            )
        )
    _frozen(output, grid, origin, ghost)
    return Computation(output, weights, grid, origin, ghost, tuple(steps))


def conv_transpose2d(
    image: np.ndarray,
    kernel: np.ndarray,
    stride: tuple[int, int],
    pad: tuple[int, int],
    out_pad: tuple[int, int] = (0, 0),
    dilation: tuple[int, int] = (1, 1),
) -> np.ndarray:
    """Transposed convolution as torch.nn.functional.conv_transpose2d, float64."""
    return _scatter_all(image, kernel, stride, pad, out_pad, dilation)[0]


def _scatter_all(image, kernel, stride, pad, out_pad, dil):
    """Output and per-pixel scatter records, accumulating in row-major input order."""
    (h, w), (kh, kw) = image.shape, kernel.shape
    full = np.zeros(
        (
            (h - 1) * stride[0] + dil[0] * (kh - 1) + 1 + out_pad[0],
            (w - 1) * stride[1] + dil[1] * (kw - 1) + 1 + out_pad[1],
        )
    )
    out_shape = (full.shape[0] - 2 * pad[0], full.shape[1] - 2 * pad[1])
    records = []
    for (r, c), x in np.ndenumerate(image):
        fr, fc = r * stride[0] + np.arange(kh) * dil[0], c * stride[1] + np.arange(kw) * dil[1]
        full[np.ix_(fr, fc)] += x * kernel
        records.append((r, c, x, fr - pad[0], fc - pad[1], x * kernel, full[np.ix_(fr, fc)]))
    return full[pad[0] : pad[0] + out_shape[0], pad[1] : pad[1] + out_shape[1]].copy(), records


def _scatter(s: Scenario) -> Computation:
    image, kernel = s.image.values, s.kernel.values
    pad = (s.padding[0], s.padding[2])
    output, records = _scatter_all(image, kernel, s.stride, pad, s.output_padding, s.dilation)
    steps = []
    for i, (r, c, x, rows, cols, products, totals) in enumerate(records):
        _frozen(products, totals)
        steps.append(Scatter(i, (r, c), float(x), rows, cols, products, totals))
    origin = np.stack(np.indices(image.shape), axis=-1)
    ghost = np.zeros(image.shape, bool)
    _frozen(output, origin, ghost)
    return Computation(output, kernel, image, origin, ghost, tuple(steps))


def zero_insert(image: np.ndarray, stride: tuple[int, int], pads: tuple[int, int, int, int]):
    """The direct view's grid: stride − 1 zeros between pixels, then zero padding; and where each
    image pixel lands, as an origin array."""
    h, w = image.shape
    grid = np.zeros(
        ((h - 1) * stride[0] + 1 + pads[0] + pads[1], (w - 1) * stride[1] + 1 + pads[2] + pads[3])
    )
    origin = np.full((*grid.shape, 2), -1)
    rows = pads[0] + np.arange(h) * stride[0]
    cols = pads[2] + np.arange(w) * stride[1]
    grid[np.ix_(rows, cols)] = image
    origin[np.ix_(rows, cols)] = np.stack(np.indices(image.shape), axis=-1)
    return grid, origin


def _direct(s: Scenario) -> Computation:
    (kh, kw), (dr, dc) = s.kernel.values.shape, s.dilation
    qr, qc = dr * (kh - 1) - s.padding[0], dc * (kw - 1) - s.padding[2]
    opr, opc = s.output_padding
    grid, origin = zero_insert(s.image.values, s.stride, (qr, qr + opr, qc, qc + opc))
    ghost = origin[..., 0] < 0
    rotated = s.kernel.values[::-1, ::-1].copy()
    _frozen(rotated)
    return _window_steps(grid, origin, ghost, rotated, (1, 1), s.dilation)
