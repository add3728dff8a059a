"""The numbers of each step, pure numpy: which cells are read, the products, the sums.

conv2d: F[a,b] = Σ_ij f[i,j]·P[a·s + i·d, b·s + j·d] over the padded input P (cross-correlation,
as torch.nn.functional.conv2d). conv_transpose2d: each input pixel adds its value × f onto the
output at (r·s + i·d − p, c·s + j·d − p) (as torch.nn.functional.conv_transpose2d); its "direct"
view is the same numbers as a convolution of the zero-inserted, padded input with f rotated 180°.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import elementwise
from .arithmetic import adaptive_windows
from .graph import sources

if TYPE_CHECKING:
    from .stage import Stage

NUMPY_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@dataclass(frozen=True, eq=False)
class Step:
    """A window step: one output value of one output channel, the cells it reads in each input
    plane of its group, and how they are summed (per plane, then across planes, plus the bias)."""

    index: int  #: 0-based, filter by filter, row-major over each output map
    out: tuple[int, int]  #: (row, col) in the output
    rows: np.ndarray  #: grid row of each kernel row, shape (kh,)
    cols: np.ndarray  #: grid column of each kernel column, shape (kw,)
    inputs: np.ndarray  #: values under the kernel taps, shape (planes, kh, kw)
    products: np.ndarray  #: weight · input, shape (planes, kh, kw)
    value: float  #: Σ sums + bias, equal to output[channel][out]
    channel: int = 0  #: the output channel (filter) it fills
    planes: tuple[int, ...] = (0,)  #: the input channels it reads (its group's)
    sums: tuple[float, ...] = (0.0,)  #: Σ of the products in each plane
    bias: float | None = None  #: the filter's bias, None when the layer has none


@dataclass(frozen=True, eq=False)
class Scatter:
    """A transposed-convolution step: one input pixel of one input channel adds value × its
    weight planes onto the output maps of its group."""

    index: int  #: 0-based, channel by channel, row-major over each input map
    src: tuple[int, int]  #: the input pixel
    value: float  #: its value
    rows: np.ndarray  #: output row of each kernel row, shape (kh,); outside the output if cropped
    cols: np.ndarray  #: output column of each kernel column, shape (kw,)
    products: np.ndarray  #: value · weight, shape (targets, kh, kw)
    totals: np.ndarray  #: running totals at the taps once added, (targets, kh, kw); taps outside
    #: the output (cropped by padding) keep theirs too, so the whole scatter can be drawn
    channel: int = 0  #: the input channel of the pixel
    targets: tuple[int, ...] = (0,)  #: the output channels it adds onto


@dataclass(frozen=True, eq=False)
class Computation:
    """The whole result: output maps, the grid the steps read and where its cells come from.
    Every array has a channel axis first (one plane for a gray image)."""

    output: np.ndarray  #: (C_out, H', W')
    weights: np.ndarray  #: (C_out, C_in/groups, kh, kw): the filters the steps apply (rotated
    #: 180° in the direct view); a pool's window as one plane of 1/n
    grid: np.ndarray  #: (C_in, rows, cols) values read: the input with its padding (or zero-inserted)
    origin: np.ndarray  #: (rows, cols, 2): image pixel each grid cell holds, (−1, −1) for a zero
    ghost: np.ndarray  #: (rows, cols): grid cells that are not the image's own pixels
    steps: tuple[Step, ...] | tuple[Scatter, ...]
    bias: np.ndarray | None = None  #: (C_out,) or None


def _frozen(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.setflags(write=False)


def _pad(image: np.ndarray, pads: tuple[int, int, int, int], mode: str, **extra) -> np.ndarray:
    """Pad the last two axes of a (C, H, W) stack."""
    return np.pad(image, ((0, 0), pads[:2], pads[2:]), mode=NUMPY_MODE[mode], **extra)


def _group(groups: int, in_channels: int, out_channels: int) -> tuple[int, int]:
    """Input and output channels per group."""
    return in_channels // groups, out_channels // groups


def conv2d(
    image: np.ndarray,
    kernel: np.ndarray,
    stride: tuple[int, int],
    pads: tuple[int, int, int, int] = (0, 0, 0, 0),
    mode: str = "zeros",
    dilation: tuple[int, int] = (1, 1),
    bias: np.ndarray | None = None,
    groups: int = 1,
) -> np.ndarray:
    """Cross-correlation as torch.nn.functional.conv2d computes it (padding modes as
    torch.nn.Conv2d), float64; ``image`` (C_in, H, W), ``kernel`` (C_out, C_in/groups, kh, kw)."""
    padded = _pad(image, pads, mode)
    cin, cout = _group(groups, image.shape[0], kernel.shape[0])
    out = []
    for k in range(kernel.shape[0]):
        g = k // cout
        windows = _windows(padded[g * cin : (g + 1) * cin], kernel.shape[2:], stride, dilation)
        value = (windows * kernel[k][:, None, None]).sum(axis=(3, 4)).sum(axis=0)
        out.append(value if bias is None else value + bias[k])
    return np.stack(out)


def _windows(grid: np.ndarray, shape: tuple[int, int], stride: tuple[int, int], dil: tuple[int, int]):
    """(..., out_rows, out_cols, kh, kw) view of the values under every placement of a dilated
    kernel over the last two axes."""
    spans = (dil[0] * (shape[0] - 1) + 1, dil[1] * (shape[1] - 1) + 1)
    view = sliding_window_view(grid, spans, axis=(-2, -1))
    return view[..., :: stride[0], :: stride[1], :: dil[0], :: dil[1]]


def compute(stage: Stage, image: np.ndarray, *more: np.ndarray) -> Computation:
    """Every step of one stage applied to ``image`` (C, H, W), with the output they add up to;
    ``more``: the other maps a cat or add reads."""
    op = stage.operation
    if op in elementwise.JOINS:
        return _whole_map(elementwise.join(op, [image, *more]), np.concatenate([image, *more]), None)
    if op in elementwise.ELEMENTWISE and op != "relu":
        keys = {k: getattr(stage, k) for k in ("negative_slope", "approximate", "min_val", "max_val")}
        output = elementwise.apply(op, image, norm=stage.norm, **keys)
        return _whole_map(output, image, output != image)
    if op in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
        return _per_channel(_adaptive_plane, stage, image)
    if op == "conv_transpose2d":
        return _direct(stage, image) if stage.transpose_view == "direct" else _scatter(stage, image)
    if op in ("max_pool2d", "avg_pool2d"):
        return _pool(stage, image)
    if op == "upsample":
        return _upsample(stage, image)
    if op == "relu":
        return _relu(image)
    pads, mode = stage.padding, stage.padding_mode
    grid = _pad(image, pads, mode)
    extra = {"constant_values": -1} if mode == "zeros" else {}
    rows = np.pad(np.arange(image.shape[1]), pads[:2], mode=NUMPY_MODE[mode], **extra)
    cols = np.pad(np.arange(image.shape[2]), pads[2:], mode=NUMPY_MODE[mode], **extra)
    origin = np.stack(np.meshgrid(rows, cols, indexing="ij"), axis=-1)
    origin[(origin[..., 0] < 0) | (origin[..., 1] < 0)] = -1
    ghost = np.ones(grid.shape[1:], bool)
    ghost[pads[0] : pads[0] + image.shape[1], pads[2] : pads[2] + image.shape[2]] = False
    return _window_steps(
        grid, origin, ghost, conv_weights(stage), stage.stride, stage.dilation, stage.bias, stage.groups
    )


def compute_all(stages: tuple[Stage, ...], image: np.ndarray) -> tuple[Computation, ...]:
    """Every stage of the graph in order, each applied to the maps it reads (see graph.sources):
    in a chain, the previous one's output."""
    maps = [image]
    comps: list[Computation] = []
    for stage, src in zip(stages, sources(stages), strict=True):
        comps.append(compute(stage, *(maps[j] for j in src)))
        maps.append(comps[-1].output)
    return tuple(comps)


def conv_weights(stage: Stage) -> np.ndarray:
    """The filters a conv2d slides: its kernel, rotated 180° for true convolution (``flip``)."""
    if not stage.flip:
        return stage.kernel.values
    rotated = np.ascontiguousarray(stage.kernel.values[..., ::-1, ::-1])
    _frozen(rotated)
    return rotated


def _window_steps(grid, origin, ghost, weights, stride, dil, bias=None, groups=1) -> Computation:
    """Filter by filter, each output position: the products in every plane of the filter's group."""
    cout_all, _, kh, kw = weights.shape
    cin, cout = _group(groups, grid.shape[0], cout_all)
    maps, steps = [], []
    for k in range(cout_all):
        planes = tuple(range((k // cout) * cin, (k // cout + 1) * cin))
        windows = _windows(grid[planes[0] : planes[-1] + 1], (kh, kw), stride, dil)  # (P, oh, ow, kh, kw)
        products = windows * weights[k][:, None, None]
        sums = products.sum(axis=(3, 4))  # (P, oh, ow)
        output = sums.sum(axis=0)
        b = None if bias is None else float(bias[k])
        if b is not None:
            output = output + b
        maps.append(output)
        n = output.size
        for (a, c), value in np.ndenumerate(output):
            p = np.ascontiguousarray(products[:, a, c])
            _frozen(p)
            steps.append(
                Step(
                    index=k * n + a * output.shape[1] + c,
                    out=(a, c),
                    rows=a * stride[0] + np.arange(kh) * dil[0],
                    cols=c * stride[1] + np.arange(kw) * dil[1],
                    inputs=windows[:, a, c],
                    products=p,
                    value=float(value),
                    channel=k,
                    planes=planes,
                    sums=tuple(float(v) for v in sums[:, a, c]),
                    bias=b,
                )
            )
    output = np.stack(maps)
    _frozen(output, grid, origin, ghost)
    return Computation(output, weights, grid, origin, ghost, tuple(steps), bias)


def _scatter_all(image, kernel, stride, pad, out_pad, dil, bias=None, groups=1):
    """Output and per-pixel scatter records, channel by channel in row-major input order; the
    output starts at the bias (PyTorch adds it at the end: the same numbers up to rounding)."""
    (cin_all, h, w), (_, cout, kh, kw) = image.shape, kernel.shape
    cin = cin_all // groups
    full = np.zeros(
        (
            cout * groups,
            (h - 1) * stride[0] + dil[0] * (kh - 1) + 1 + out_pad[0],
            (w - 1) * stride[1] + dil[1] * (kw - 1) + 1 + out_pad[1],
        )
    )
    if bias is not None:
        full += np.asarray(bias)[:, None, None]
    out_shape = (full.shape[1] - 2 * pad[0], full.shape[2] - 2 * pad[1])
    records = []
    for (ch, r, c), x in np.ndenumerate(image):
        targets = tuple(range((ch // cin) * cout, (ch // cin + 1) * cout))
        fr, fc = r * stride[0] + np.arange(kh) * dil[0], c * stride[1] + np.arange(kw) * dil[1]
        t = slice(targets[0], targets[-1] + 1)
        full[t][:, fr[:, None], fc[None, :]] += x * kernel[ch]
        totals = full[t][:, fr[:, None], fc[None, :]]
        records.append((ch, targets, r, c, x, fr - pad[0], fc - pad[1], x * kernel[ch], totals))
    output = full[:, pad[0] : pad[0] + out_shape[0], pad[1] : pad[1] + out_shape[1]].copy()
    return output, records


def _scatter(s: Stage, image: np.ndarray) -> Computation:
    kernel = s.kernel.values
    pad = (s.padding[0], s.padding[2])
    output, records = _scatter_all(
        image, kernel, s.stride, pad, s.output_padding, s.dilation, s.bias, s.groups
    )
    steps = []
    for i, (ch, targets, r, c, x, rows, cols, products, totals) in enumerate(records):
        _frozen(products, totals)
        steps.append(Scatter(i, (r, c), float(x), rows, cols, products, totals, ch, targets))
    origin = np.stack(np.indices(image.shape[1:]), axis=-1)
    ghost = np.zeros(image.shape[1:], bool)
    _frozen(output, origin, ghost)
    return Computation(output, kernel, image, origin, ghost, tuple(steps), s.bias)


def zero_insert(image: np.ndarray, stride: tuple[int, int], pads: tuple[int, int, int, int]):
    """The direct view's grid: stride − 1 zeros between pixels, then zero padding; and where each
    image pixel lands, as an origin array."""
    c, h, w = image.shape
    grid = np.zeros(
        (c, (h - 1) * stride[0] + 1 + pads[0] + pads[1], (w - 1) * stride[1] + 1 + pads[2] + pads[3])
    )
    origin = np.full((*grid.shape[1:], 2), -1)
    rows = pads[0] + np.arange(h) * stride[0]
    cols = pads[2] + np.arange(w) * stride[1]
    grid[:, rows[:, None], cols[None, :]] = image
    origin[np.ix_(rows, cols)] = np.stack(np.indices((h, w)), axis=-1)
    return grid, origin


def direct_weights(kernel: np.ndarray, groups: int) -> np.ndarray:
    """The convolution filters equivalent to a transposed convolution's weights (C_in,
    C_out/g, kh, kw): each group's in/out axes swapped and every plane rotated 180°."""
    cin_all, cout, kh, kw = kernel.shape
    cin = cin_all // groups
    w = kernel.reshape(groups, cin, cout, kh, kw).transpose(0, 2, 1, 3, 4).reshape(groups * cout, cin, kh, kw)
    return np.ascontiguousarray(w[..., ::-1, ::-1])


def _direct(s: Stage, image: np.ndarray) -> Computation:
    (kh, kw), (dr, dc) = s.kernel_size, s.dilation
    qr, qc = dr * (kh - 1) - s.padding[0], dc * (kw - 1) - s.padding[2]
    opr, opc = s.output_padding
    grid, origin = zero_insert(image, s.stride, (qr, qr + opr, qc, qc + opc))
    ghost = origin[..., 0] < 0
    rotated = direct_weights(s.kernel.values, s.groups)
    _frozen(rotated)
    return _window_steps(grid, origin, ghost, rotated, (1, 1), s.dilation, s.bias, s.groups)


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
    channel: int = 0  #: the channel it pools (input and output alike)


@dataclass(frozen=True, eq=False)
class Sample:
    """An upsampling step: where output[out] falls in the input and the pixels it blends."""

    index: int
    out: tuple[int, int]
    source: tuple[float, float]  #: the (row, col) position in input coordinates
    cells: tuple[tuple[int, int], ...]  #: input pixels read (distinct)
    weights: tuple[float, ...]  #: their weights, summing to 1
    value: float
    channel: int = 0  #: the channel it samples (input and output alike)


@dataclass(frozen=True, eq=False)
class Map:
    """A step over the whole map (ReLU and the other activations, batch norm, cat, add): which
    output values differ from their input (none for cat and add)."""

    index: int
    changed: np.ndarray  #: boolean mask (C, H, W) of the values it replaces


def _per_channel(plane_steps, s: Stage, image: np.ndarray) -> Computation:
    """A per-channel operation (pool, upsample) on every plane of a (C, H, W) stack: channel by
    channel, each plane's steps numbered on from the previous plane's."""
    comps = [plane_steps(s, plane) for plane in image]
    steps = []
    for channel, comp in enumerate(comps):
        offset = channel * len(comp.steps)
        steps += [dataclasses.replace(st, index=st.index + offset, channel=channel) for st in comp.steps]
    output, grid = np.stack([c.output for c in comps]), np.stack([c.grid for c in comps])
    weights = comps[0].weights[None, None]
    _frozen(output, grid, weights)
    return Computation(output, weights, grid, comps[0].origin, comps[0].ghost, tuple(steps))


def _pool(s: Stage, image: np.ndarray) -> Computation:
    return _per_channel(_pool_plane, s, image)


def _pool_plane(s: Stage, image: np.ndarray) -> Computation:
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


def _source(
    dst: int, n_in: int, n_out: int, factor: float | None, mode: str, align: bool, generic: bool = False
) -> float:
    """Where output index ``dst`` samples the input, with the arithmetic of PyTorch's CPU kernels
    (aten/src/ATen/native/UpSample.h, cpu/UpSampleKernel.cpp). Nearest has two: for outputs of at
    most 128 rows + columns (``generic`` false) ``nearest_idx`` copies an axis whose length does not
    change, shifts (``dst >> 1``) when the output is exactly twice the input, else floors
    ``dst · scale`` in float32 (scale = float(1/factor), or in/out in float32); for larger outputs
    the generic kernel floors ``scale · dst`` computed in float64, rounded to float32, with no
    special case. Bilinear (one path) copies an unchanged axis, else works in float64 from
    ``scale = 1/factor`` (or ``in/out``): ``scale · (dst + ½) − ½`` fused, or ``scale · dst`` with
    ``scale = (in − 1)/(out − 1)`` when align_corners."""
    if mode == "nearest" and generic:
        scale = 1.0 / factor if factor is not None else n_in / n_out
        return float(min(int(np.floor(np.float32(scale * dst))), n_in - 1))
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
    return _per_channel(_upsample_plane, s, image)


def _upsample_plane(s: Stage, image: np.ndarray) -> Computation:
    (h, w), (oh, ow) = image.shape, s.output_shape
    fr, fc = s.scale_factor if s.scale_factor is not None else (None, None)
    generic = oh + ow > 128  # PyTorch's nearest uses another kernel above (see _source)
    generic = generic or s.rank == 1  # and always for a signal (upsample_nearest1d)
    rows = [_source(a, h, oh, fr, s.mode, s.align_corners, generic) for a in range(oh)]
    cols = [_source(b, w, ow, fc, s.mode, s.align_corners, generic) for b in range(ow)]
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


def _adaptive_plane(s: Stage, image: np.ndarray) -> Computation:
    """An adaptive pool of one plane: output (a, b) pools rows ⌊a·H/h⌋ … ⌈(a + 1)·H/h⌉ − 1 and the
    columns alike; the mean divides the sum by the rows, then by the columns, as aten's kernel."""
    (h, w), (oh, ow) = image.shape, s.output_shape
    is_max = s.operation == "adaptive_max_pool2d"
    rows_of, cols_of = adaptive_windows(h, oh), adaptive_windows(w, ow)
    output = np.zeros((oh, ow))
    steps = []
    for a, (r0, r1) in enumerate(rows_of):
        for b, (c0, c1) in enumerate(cols_of):
            rows, cols = np.arange(r0, r1), np.arange(c0, c1)
            window = image[r0:r1, c0:c1]
            if is_max:
                flat = int(np.argmax(window))  # the first maximum in row-major order, as PyTorch
                chosen, divisor = divmod(flat, window.shape[1]), None
                value = float(window.flat[flat])
            else:
                total = 0.0
                for v in window.ravel().tolist():  # summed in order, as the kernel's loop
                    total += v
                chosen, divisor = None, int(window.size)
                value = total / (r1 - r0) / (c1 - c0)
            output[a, b] = value
            _frozen(window)
            steps.append(Pool(a * ow + b, (a, b), rows, cols, window, value, chosen, divisor))
    origin = np.stack(np.indices(image.shape), axis=-1)
    ghost = np.zeros(image.shape, bool)
    _frozen(output, origin, ghost)
    kh, kw = s.kernel_size
    return Computation(output, np.full((kh, kw), 1.0 / (kh * kw)), image, origin, ghost, tuple(steps))


def _whole_map(output: np.ndarray, grid: np.ndarray, changed: np.ndarray | None) -> Computation:
    """One step over the whole map (an activation, a batch norm, a cat or an add); ``grid``: the
    values read (a cat's or add's maps stacked), ``changed``: which output values differ from
    their input (None when the output is not the input transformed in place)."""
    output = np.ascontiguousarray(output, dtype=np.float64)
    if changed is None:
        changed = np.zeros(output.shape, bool)
    origin = np.stack(np.indices(grid.shape[1:]), axis=-1)
    ghost = np.zeros(grid.shape[1:], bool)
    _frozen(output, changed, origin, ghost)
    return Computation(output, np.ones((1, 1, 1, 1)), grid, origin, ghost, (Map(0, changed),))


def _relu(image: np.ndarray) -> Computation:
    output = np.maximum(image, 0.0)
    changed = image < 0
    origin = np.stack(np.indices(image.shape[1:]), axis=-1)
    ghost = np.zeros(image.shape[1:], bool)
    _frozen(output, changed, origin, ghost)
    return Computation(output, np.ones((1, 1, 1, 1)), image, origin, ghost, (Map(0, changed),))


def sum_order(grid_shape: tuple[int, int], kernel_shape: tuple[int, int], stride, dilation) -> str | None:
    """How numpy adds one window's products in the window steps of a one-plane conv2d, which
    follows the memory layout numpy gives the products: "rows" (each kernel row in order, then the
    rows' sums) when a kernel row is contiguous, "flat" (every tap in row-major order) when the
    whole window is (or no row is), "cols" (column-major) when the columns lie outside; None when
    numpy adds a contiguous run of 8 or more pairwise. A player that recomputes the output sums so."""
    products = _windows(np.zeros((1, *grid_shape)), kernel_shape, stride, dilation) * np.zeros(
        (1, 1, 1, *kernel_shape)
    )
    (kh, kw), (kh_stride, kw_stride) = kernel_shape, products.strides[3:]
    spread = [s for s, n in zip(products.strides, products.shape, strict=True) if n > 1]
    inner = min(spread, default=0)
    if kw > 1 and kw_stride == inner:  # a kernel row is the innermost run
        whole = kh == 1 or kh_stride == kw * kw_stride  # and the rows follow one another
        run = kh * kw if whole else kw
        return None if run >= 8 else "flat" if whole else "rows"
    if kh > 1 and kh_stride == inner and kw == 1:
        return None if kh >= 8 else "flat"
    return "flat" if kh == 1 or kw == 1 or kh_stride > kw_stride else "cols"
