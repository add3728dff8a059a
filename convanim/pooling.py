"""The numbers of the per-channel resampling stages, pure numpy: max and average pools, adaptive
pools and upsampling. Each output map is computed at once over every channel, with PyTorch's
order of operations (so the values equal a record's, bit for bit); a step's record (its window,
the chosen cell or the divisor, the blended pixels) is built only when asked for."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .arithmetic import adaptive_windows
from .records import Pool, Records, Sample

if TYPE_CHECKING:
    from .stage import Stage


def _frozen(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.setflags(write=False)


class Resampled:
    """A per-channel stage's numbers: ``output`` (C, H', W'), the ``grid`` it reads (C, rows,
    cols: padded for a pool), ``origin`` and ``ghost`` of one plane, ``weights`` (the window as
    1/n), and its ``steps``: channel by channel, row-major over each output map."""

    def __init__(self, output, grid, origin, ghost, weights, record) -> None:
        _frozen(output, grid, origin, ghost, weights)
        self.output, self.grid, self.origin, self.ghost, self.weights = output, grid, origin, ghost, weights
        c, oh, ow = output.shape
        per = oh * ow

        def make(i: int):
            channel, k = divmod(i, per)
            return record(channel, *divmod(k, ow), i)

        self.steps = Records(c * per, make)


# ------------------------------------------------------------------ max and average pools


def pool(s: Stage, image: np.ndarray) -> Resampled:
    """max_pool2d / avg_pool2d of every plane of ``image`` (C, H, W). A window reads the padded
    input, clipped to it where ceil mode lets the last window hang over (as PyTorch); the max is
    the first maximum in row-major order, the mean the window's numpy sum over its divisor."""
    (c, h, w), (kh, kw), (sr, sc), (dr, dc) = image.shape, s.kernel_size, s.stride, s.dilation
    pr, pc = s.padding[0], s.padding[2]
    is_max = s.operation == "max_pool2d"
    fill = -np.inf if is_max else 0.0
    grid = np.pad(image, ((0, 0), (pr, pr), (pc, pc)), constant_values=fill)
    ghost = np.ones(grid.shape[1:], bool)
    ghost[pr : pr + h, pc : pc + w] = False
    origin = np.full((*grid.shape[1:], 2), -1)
    origin[pr : pr + h, pc : pc + w] = np.stack(np.indices((h, w)), axis=-1)
    oh, ow = s.output_shape
    rows = [_clip(a * sr + np.arange(kh) * dr, grid.shape[1]) for a in range(oh)]
    cols = [_clip(b * sc + np.arange(kw) * dc, grid.shape[2]) for b in range(ow)]
    # the windows over the grid, extended (by cells no window keeps) so every window is whole
    need = ((oh - 1) * sr + (kh - 1) * dr + 1, (ow - 1) * sc + (kw - 1) * dc + 1)
    more = ((0, 0), (0, max(0, need[0] - grid.shape[1])), (0, max(0, need[1] - grid.shape[2])))
    view = _windows(np.pad(grid, more, constant_values=fill), (kh, kw), (sr, sc), (dr, dc))[:, :oh, :ow]
    if is_max:
        output = view.max(axis=(3, 4))
    else:
        inside = _windows(np.pad(~ghost, more[1:]), (kh, kw), (sr, sc), (dr, dc))[:oh, :ow]
        output = np.zeros((c, oh, ow))
        for (a, b), (nr, nc) in _shapes([len(r) for r in rows], [len(q) for q in cols]):
            windows = np.ascontiguousarray(view[:, a][:, :, b][..., :nr, :nc]).reshape(c, len(a), len(b), -1)
            kept = inside[a][:, b][..., :nr, :nc].sum(axis=(2, 3))
            divisor = nr * nc if s.count_include_pad else kept
            # the sum of each window as numpy adds a contiguous window alone (pairwise)
            output[:, a[:, None], b[None, :]] = windows.sum(axis=-1) / divisor
    mean = np.full((kh, kw), 1.0 / (kh * kw))  # the window as weights

    def record(channel: int, a: int, b: int, index: int) -> Pool:
        window = grid[channel][np.ix_(rows[a], cols[b])]
        if is_max:
            flat = int(np.argmax(window))  # first maximum in row-major order
            chosen, divisor = divmod(flat, window.shape[1]), None
            value = float(window.flat[flat])
        else:
            inner = (~ghost[np.ix_(rows[a], cols[b])]).sum()
            divisor = int(window.size if s.count_include_pad else inner)
            chosen, value = None, float(window.sum() / divisor)
        _frozen(window)
        return Pool(index, (a, b), rows[a], cols[b], window, value, chosen, divisor, channel)

    return Resampled(output, grid, origin, ghost, mean[None, None], record)


def _clip(cells: np.ndarray, n: int) -> np.ndarray:
    return cells[cells < n]


def _shapes(rows: list[int], cols: list[int]):
    """The output rows and columns grouped by how many cells their windows keep: ((rows, cols),
    (kept rows, kept columns)) for each group (a ceil-mode edge keeps fewer)."""
    for nr in sorted(set(rows)):
        for nc in sorted(set(cols)):
            a = np.array([i for i, n in enumerate(rows) if n == nr])
            b = np.array([j for j, n in enumerate(cols) if n == nc])
            yield (a, b), (nr, nc)


def _windows(grid: np.ndarray, shape: tuple[int, int], stride: tuple[int, int], dil: tuple[int, int]):
    """(..., out_rows, out_cols, kh, kw) view of every placement of a dilated window."""
    spans = (dil[0] * (shape[0] - 1) + 1, dil[1] * (shape[1] - 1) + 1)
    view = sliding_window_view(grid, spans, axis=(-2, -1))
    return view[..., :: stride[0], :: stride[1], :: dil[0], :: dil[1]]


# ------------------------------------------------------------------ adaptive pools


def adaptive(s: Stage, image: np.ndarray) -> Resampled:
    """An adaptive pool: output (a, b) pools rows ⌊a·H/h⌋ … ⌈(a + 1)·H/h⌉ − 1 and the columns
    alike; the mean adds the window in row-major order, then divides by the rows, then by the
    columns, as aten's kernel."""
    (c, h, w), (oh, ow) = image.shape, s.output_shape
    is_max = s.operation == "adaptive_max_pool2d"
    rows_of, cols_of = adaptive_windows(h, oh), adaptive_windows(w, ow)
    output = np.zeros((c, oh, ow))
    for (a, b), (nr, nc) in _shapes([e - s0 for s0, e in rows_of], [e - s0 for s0, e in cols_of]):
        r = np.array([rows_of[i][0] for i in a])[:, None] + np.arange(nr)  # (A, nr)
        q = np.array([cols_of[j][0] for j in b])[:, None] + np.arange(nc)  # (B, nc)
        windows = image[:, r[:, None, :, None], q[None, :, None, :]]  # (C, A, B, nr, nc)
        if is_max:
            values = windows.max(axis=(3, 4))
        else:
            total = np.zeros(windows.shape[:3])
            for i in range(nr):  # summed in order, as the kernel's loop
                for j in range(nc):
                    total = total + windows[..., i, j]
            values = total / nr / nc
        output[:, a[:, None], b[None, :]] = values
    origin = np.stack(np.indices((h, w)), axis=-1)
    ghost = np.zeros((h, w), bool)
    kh, kw = s.kernel_size

    def record(channel: int, a: int, b: int, index: int) -> Pool:
        (r0, r1), (c0, c1) = rows_of[a], cols_of[b]
        window = image[channel, r0:r1, c0:c1]
        if is_max:
            flat = int(np.argmax(window))  # the first maximum in row-major order, as PyTorch
            chosen, divisor = divmod(flat, window.shape[1]), None
            value = float(window.flat[flat])
        else:
            total = 0.0
            for v in window.ravel().tolist():  # summed in order, as the kernel's loop
                total += v
            chosen, divisor, value = None, int(window.size), total / (r1 - r0) / (c1 - c0)
        _frozen(window)
        return Pool(
            index, (a, b), np.arange(r0, r1), np.arange(c0, c1), window, value, chosen, divisor, channel
        )

    mean = np.full((kh, kw), 1.0 / (kh * kw))
    return Resampled(output, image, origin, ghost, mean[None, None], record)


# ------------------------------------------------------------------ upsampling


def source(
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
    return max(fma(scale, dst + 0.5, -0.5), 0.0)


def fma(a: float, b: float, c: float) -> float:
    """a·b + c rounded once, as the compiled kernel computes ``scale * (dst + 0.5) - 0.5`` (the
    compiler fuses it into one multiply-add); exact rational arithmetic, then one rounding."""
    return float(Fraction(a) * Fraction(b) + Fraction(c))


def taps(src: float, n: int, copy: bool = False) -> tuple[tuple[int, float], ...]:
    """The (index, weight) pairs of linear interpolation at ``src``, as PyTorch's
    ``guard_index_and_lambda``: the index is ``floorf`` of the position (rounded to float32 first),
    the weight clamped to [0, 1]; ``copy`` (an axis that keeps its length) reads one pixel."""
    if copy:
        return ((int(src), 1.0), (int(src), 0.0))
    i0 = min(int(np.floor(np.float32(src))), n - 1)
    i1 = i0 + 1 if i0 < n - 1 else i0
    frac = min(max(src - i0, 0.0), 1.0)
    return ((i0, 1.0 - frac), (i1, frac))


def upsample(s: Stage, image: np.ndarray) -> Resampled:
    """Nearest or bilinear upsampling of every plane; bilinear blends along columns, then along
    rows, as PyTorch's order of operations."""
    (h, w), (oh, ow) = image.shape[1:], s.output_shape
    fr, fc = s.scale_factor if s.scale_factor is not None else (None, None)
    generic = oh + ow > 128  # PyTorch's nearest uses another kernel above (see source)
    generic = generic or s.rank == 1  # and always for a signal (upsample_nearest1d)
    rows = [source(a, h, oh, fr, s.mode, s.align_corners, generic) for a in range(oh)]
    cols = [source(b, w, ow, fc, s.mode, s.align_corners, generic) for b in range(ow)]
    if s.mode == "nearest":
        r, q = np.array(rows, dtype=int), np.array(cols, dtype=int)
        output = np.ascontiguousarray(image[:, r[:, None], q[None, :]])
    else:
        (r0, lr0), (r1, lr1) = _tap_arrays([taps(v, h, h == oh) for v in rows])
        (c0, lc0), (c1, lc1) = _tap_arrays([taps(v, w, w == ow) for v in cols])
        lr0, lr1 = lr0[:, None], lr1[:, None]

        def at(r, q):
            return image[:, r[:, None], q[None, :]]

        output = lr0 * (lc0 * at(r0, c0) + lc1 * at(r0, c1)) + lr1 * (lc0 * at(r1, c0) + lc1 * at(r1, c1))
    origin = np.stack(np.indices((h, w)), axis=-1)
    ghost = np.zeros((h, w), bool)

    def record(channel: int, a: int, b: int, index: int) -> Sample:
        if s.mode == "nearest":
            cells, weights = ((int(rows[a]), int(cols[b])),), (1.0,)
        else:
            blend: dict[tuple[int, int], float] = {}
            for r, wr in taps(rows[a], h, h == oh):
                for q, wc in taps(cols[b], w, w == ow):
                    if wr * wc > 0:  # a pixel with no weight is not read
                        blend[(r, q)] = blend.get((r, q), 0.0) + wr * wc
            cells, weights = tuple(blend), tuple(blend.values())
        if s.mode == "nearest":
            value = float(image[channel][cells[0]])
        else:  # PyTorch's order of operations: blend along columns, then along rows
            (r0, lr0), (r1, lr1) = taps(rows[a], h, h == oh)
            (c0, lc0), (c1, lc1) = taps(cols[b], w, w == ow)
            plane = image[channel]
            value = float(
                lr0 * (lc0 * plane[r0, c0] + lc1 * plane[r0, c1])
                + lr1 * (lc0 * plane[r1, c0] + lc1 * plane[r1, c1])
            )
        return Sample(index, (a, b), (rows[a], cols[b]), cells, weights, value, channel)

    return Resampled(output, image, origin, ghost, np.ones((1, 1, 1, 1)), record)


def _tap_arrays(pairs: list[tuple[tuple[int, float], ...]]):
    """Per output index, its two (index, weight) taps as arrays: ((i0, w0), (i1, w1))."""
    return tuple((np.array([p[t][0] for p in pairs]), np.array([p[t][1] for p in pairs])) for t in (0, 1))
