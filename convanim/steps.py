"""The numbers of each step, pure numpy: which cells are read, the products, the sums.

conv2d: F[a,b] = Σ_ij f[i,j]·P[a·s + i·d, b·s + j·d] over the padded input P (cross-correlation,
as torch.nn.functional.conv2d). conv_transpose2d: each input pixel adds its value × f onto the
output at (r·s + i·d − p, c·s + j·d − p) (as torch.nn.functional.conv_transpose2d); its "direct"
view is the same numbers as a convolution of the zero-inserted, padded input with f rotated 180°.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

if TYPE_CHECKING:
    from .stage import Stage

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


def compute(stage: Stage, image: np.ndarray) -> Computation:
    """Every step of one stage applied to ``image``, with the output they add up to."""
    op = stage.operation
    if op == "conv_transpose2d":
        return _direct(stage, image) if stage.transpose_view == "direct" else _scatter(stage, image)
    if op in ("max_pool2d", "avg_pool2d"):
        return _pool(stage, image)
    if op == "upsample":
        return _upsample(stage, image)
    if op == "relu":
        return _relu(image)
    pads, mode = stage.padding, stage.padding_mode
    grid = np.pad(image, (pads[:2], pads[2:]), mode=NUMPY_MODE[mode])
    extra = {"constant_values": -1} if mode == "zeros" else {}
    rows = np.pad(np.arange(image.shape[0]), pads[:2], mode=NUMPY_MODE[mode], **extra)
    cols = np.pad(np.arange(image.shape[1]), pads[2:], mode=NUMPY_MODE[mode], **extra)
    origin = np.stack(np.meshgrid(rows, cols, indexing="ij"), axis=-1)
    origin[(origin[..., 0] < 0) | (origin[..., 1] < 0)] = -1
    ghost = np.ones(grid.shape, bool)
    ghost[pads[0] : pads[0] + image.shape[0], pads[2] : pads[2] + image.shape[1]] = False
    return _window_steps(grid, origin, ghost, stage.kernel.values, stage.stride, stage.dilation)


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


def _scatter(s: Stage, image: np.ndarray) -> Computation:
    kernel = s.kernel.values
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


def _direct(s: Stage, image: np.ndarray) -> Computation:
    (kh, kw), (dr, dc) = s.kernel.values.shape, s.dilation
    qr, qc = dr * (kh - 1) - s.padding[0], dc * (kw - 1) - s.padding[2]
    opr, opc = s.output_padding
    grid, origin = zero_insert(image, s.stride, (qr, qr + opr, qc, qc + opc))
    ghost = origin[..., 0] < 0
    rotated = s.kernel.values[::-1, ::-1].copy()
    _frozen(rotated)
    return _window_steps(grid, origin, ghost, rotated, (1, 1), s.dilation)


@dataclass(frozen=True, eq=False)
class Pool:
    """A pooling step: the window's cells (clipped to the padded input in ceil mode) and the
    value: their maximum (the first one on ties, as PyTorch) or their sum over a divisor."""

    index: int
    out: tuple[int, int]
    rows: np.ndarray  #: grid rows of the window, shape (kh',)
    cols: np.ndarray  #: grid columns, shape (kw',)
    inputs: np.ndarray  #: values in the window (−inf for max-pool padding)
    value: float
    chosen: tuple[int, int] | None  #: max: position of the maximum within the window
    divisor: int | None  #: avg: what the sum is divided by


@dataclass(frozen=True, eq=False)
class Sample:
    """An upsampling step: where output[out] falls in the input and the pixels it blends."""

    index: int
    out: tuple[int, int]
    source: tuple[float, float]  #: the (row, col) position in input coordinates
    cells: tuple[tuple[int, int], ...]  #: input pixels read (distinct)
    weights: tuple[float, ...]  #: their weights, summing to 1
    value: float


@dataclass(frozen=True, eq=False)
class Map:
    """An elementwise step over the whole map (ReLU): which values it changes."""

    index: int
    changed: np.ndarray  #: boolean mask of the values it replaces


def _pool(s: Stage, image: np.ndarray) -> Computation:
    (h, w), (kh, kw), (sr, sc), (dr, dc) = image.shape, s.kernel_size, s.stride, s.dilation
    pr, pc = s.padding[0], s.padding[2]
    is_max = s.operation == "max_pool2d"
    grid = np.pad(image, ((pr, pr), (pc, pc)), constant_values=-np.inf if is_max else 0.0)
    ghost = np.ones(grid.shape, bool)
    ghost[pr : pr + h, pc : pc + w] = False
    origin = np.full((*grid.shape, 2), -1)
    origin[pr : pr + h, pc : pc + w] = np.stack(np.indices(image.shape), axis=-1)
    out_shape = s.output_shape
    output = np.zeros(out_shape)
    steps = []
    for a in range(out_shape[0]):
        for b in range(out_shape[1]):
            rows = a * sr + np.arange(kh) * dr
            cols = b * sc + np.arange(kw) * dc
            rows, cols = rows[rows < grid.shape[0]], cols[cols < grid.shape[1]]
            window = grid[np.ix_(rows, cols)]
            if is_max:
                flat = int(np.argmax(window))  # first maximum in row-major order
                chosen, divisor = divmod(flat, window.shape[1]), None
                value = float(window.flat[flat])
            else:
                inside = (~ghost[np.ix_(rows, cols)]).sum()
                divisor = int(window.size if s.count_include_pad else inside)
                chosen, value = None, float(window.sum() / divisor)
            output[a, b] = value
            _frozen(window)
            steps.append(Pool(a * out_shape[1] + b, (a, b), rows, cols, window, value, chosen, divisor))
    _frozen(output, grid, origin, ghost)
    mean = np.full(s.kernel_size, 1.0 / (s.kernel_size[0] * s.kernel_size[1]))  # the window as weights
    return Computation(output, mean, grid, origin, ghost, tuple(steps))


def _source(dst: int, n_in: int, n_out: int, factor: float | None, mode: str, align: bool) -> float:
    """Where output index ``dst`` samples the input, with the arithmetic of PyTorch's CPU kernels
    (aten/src/ATen/native/UpSample.h): an axis whose length does not change is copied whatever the
    factor; nearest shifts (``dst >> 1``) when the output is exactly twice the input, else floors
    ``dst · scale`` in float32; bilinear works in float64 from ``scale = 1/factor`` (or
    ``in/out`` when a size is given), ``scale · (dst + ½) − ½`` fused, or ``scale · dst`` with
    ``scale = (in − 1)/(out − 1)`` when align_corners."""
    if n_out == n_in:
        return float(dst)
    if mode == "nearest":
        if n_out == 2 * n_in:
            return float(dst >> 1)
        scale = np.float32(1.0 / factor) if factor is not None else np.float32(n_in) / np.float32(n_out)
        return float(min(int(np.floor(np.float32(dst) * scale)), n_in - 1))
    if align:
        scale = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        return scale * dst
    scale = 1.0 / factor if factor is not None else n_in / n_out
    return max(_fma(scale, dst + 0.5, -0.5), 0.0)


def _fma(a: float, b: float, c: float) -> float:
    """a·b + c rounded once, as the compiled kernel computes ``scale * (dst + 0.5) - 0.5`` (the
    compiler fuses it into one multiply-add); exact rational arithmetic, then one rounding."""
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def _taps(src: float, n: int, copy: bool = False) -> tuple[tuple[int, float], ...]:
    """The (index, weight) pairs of linear interpolation at ``src``, as PyTorch's
    ``guard_index_and_lambda``: the index is ``floorf`` of the position (rounded to float32 first),
    the weight clamped to [0, 1]; ``copy`` (an axis that keeps its length) reads one pixel."""
    if copy:
        return ((int(src), 1.0), (int(src), 0.0))
    i0 = min(int(np.floor(np.float32(src))), n - 1)
    i1 = i0 + 1 if i0 < n - 1 else i0
    frac = min(max(src - i0, 0.0), 1.0)
    return ((i0, 1.0 - frac), (i1, frac))


def _upsample(s: Stage, image: np.ndarray) -> Computation:
    (h, w), (oh, ow) = image.shape, s.output_shape
    fr, fc = s.scale_factor if s.scale_factor is not None else (None, None)
    rows = [_source(a, h, oh, fr, s.mode, s.align_corners) for a in range(oh)]
    cols = [_source(b, w, ow, fc, s.mode, s.align_corners) for b in range(ow)]
    output = np.zeros((oh, ow))
    steps = []
    for a in range(oh):
        for b in range(ow):
            if s.mode == "nearest":
                cells, weights = ((int(rows[a]), int(cols[b])),), (1.0,)
                value = float(image[cells[0]])
            else:
                blend: dict[tuple[int, int], float] = {}
                for r, wr in _taps(rows[a], h, h == oh):
                    for c, wc in _taps(cols[b], w, w == ow):
                        if wr * wc > 0:  # a pixel with no weight is not read
                            blend[(r, c)] = blend.get((r, c), 0.0) + wr * wc
                cells, weights = tuple(blend), tuple(blend.values())
                # PyTorch's order of operations: blend along columns, then along rows
                (r0, lr0), (r1, lr1) = _taps(rows[a], h, h == oh)
                (c0, lc0), (c1, lc1) = _taps(cols[b], w, w == ow)
                value = float(
                    lr0 * (lc0 * image[r0, c0] + lc1 * image[r0, c1])
                    + lr1 * (lc0 * image[r1, c0] + lc1 * image[r1, c1])
                )
            output[a, b] = value
            steps.append(Sample(a * ow + b, (a, b), (rows[a], cols[b]), cells, weights, value))
    origin = np.stack(np.indices(image.shape), axis=-1)
    ghost = np.zeros(image.shape, bool)
    _frozen(output, origin, ghost)
    return Computation(output, np.ones((1, 1)), image, origin, ghost, tuple(steps))


def _relu(image: np.ndarray) -> Computation:
    output = np.maximum(image, 0.0)
    changed = image < 0
    origin = np.stack(np.indices(image.shape), axis=-1)
    ghost = np.zeros(image.shape, bool)
    _frozen(output, changed, origin, ghost)
    return Computation(output, np.ones((1, 1)), image, origin, ghost, (Map(0, changed),))
