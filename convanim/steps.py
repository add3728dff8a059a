"""The numbers of each step, pure numpy: which cells are read, the products, the sums.

conv2d: F[a,b] = Σ_ij f[i,j]·P[a·s + i·d, b·s + j·d] over the padded input P (cross-correlation,
as torch.nn.functional.conv2d). conv_transpose2d: each input pixel adds its value × f onto the
output at (r·s + i·d − p, c·s + j·d − p) (as torch.nn.functional.conv_transpose2d); its "direct"
view is the same numbers as a convolution of the zero-inserted, padded input with f rotated 180°.

A stage's output maps are computed whole, vectorised with numpy in the order the step records add
them (so a record's value is the map's, bit for bit); the records themselves (:mod:`.records`) are
built only for the steps a view draws or asks for (``Computation.steps``, ``Computation.step_at``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import elementwise, pooling
from .graph import sources
from .pooling import source as _source  # noqa: F401  (the upsampling arithmetic, tested on its own)
from .pooling import taps as _taps  # noqa: F401
from .records import Map, Pool, Records, Sample, Scatter, Step

__all__ = ["Computation", "Map", "Pool", "Sample", "Scatter", "Step", "compute", "compute_all"]

if TYPE_CHECKING:
    from .stage import Stage

NUMPY_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@dataclass(frozen=True, eq=False)
class Computation:
    """The whole result: output maps, the grid the steps read and where its cells come from.
    Every array has a channel axis first (one plane for a gray image). ``steps`` is a sequence
    whose records are built when read (see :class:`.records.Records`)."""

    output: np.ndarray  #: (C_out, H', W')
    weights: np.ndarray  #: (C_out, C_in/groups, kh, kw): the filters the steps apply (rotated
    #: 180° in the direct view); a pool's window as one plane of 1/n
    grid: np.ndarray  #: (C_in, rows, cols) values read: the input with its padding (or zero-inserted)
    origin: np.ndarray  #: (rows, cols, 2): image pixel each grid cell holds, (−1, −1) for a zero
    ghost: np.ndarray  #: (rows, cols): grid cells that are not the image's own pixels
    steps: Sequence[Any]  #: Step, Scatter, Pool, Sample records in order, or one Map
    bias: np.ndarray | None = None  #: (C_out,) or None

    def step_at(self, channel: int, row: int, col: int) -> Step | Pool | Sample | Map:
        """The record of the step that computes ``output[channel, row, col]`` (built now, alone):
        its window, products, per-plane sums and bias for a convolution, its window for a pool, its
        blend for upsampling; the one Map step of an activation, batch norm, cat or add. A
        scatter's steps are its input pixels: ask the stage's direct view (``transpose_view =
        "direct"``) for one output cell's window."""
        first = self.steps[0]
        if isinstance(first, Map):
            return first
        if isinstance(first, Scatter):
            raise ValueError(
                "a scatter's steps are input pixels; compute the stage with transpose_view='direct' "
                "for the window of one output cell"
            )
        c, h, w = self.output.shape
        if not (0 <= channel < c and 0 <= row < h and 0 <= col < w):
            raise IndexError(f"cell ({channel}, {row}, {col}) is outside the {c}×{h}×{w} output")
        return self.steps[(channel * h + row) * w + col]


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
    if op == "conv_transpose2d":
        return _direct(stage, image) if stage.transpose_view == "direct" else _scatter(stage, image)
    if op in ("max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "upsample"):
        how = {"upsample": pooling.upsample, "max_pool2d": pooling.pool, "avg_pool2d": pooling.pool}
        r = how.get(op, pooling.adaptive)(stage, image)
        return Computation(r.output, r.weights, r.grid, r.origin, r.ghost, r.steps)
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


BAND = 1 << 21  #: products computed at once, in values: bounds the memory of a big layer (16 MB)
BLAS_PRODUCTS = 1 << 24  #: a layer with more products is summed by matrix products (see _blas_output)


class _Windows:
    """A convolution's windows over ``grid``: the output maps, filter by filter, and the record
    of any step. The products of a band of output rows are summed per plane (over the taps), then
    across planes, then the bias added: numpy adds a window's products in an order that follows
    the layout it gives them (see ``sum_order``), the same for a band of two or more rows as for
    the whole map, so a record built alone has the sums the map was made of, bit for bit."""

    def __init__(self, grid, weights, stride, dil, bias, groups) -> None:
        self.grid, self.weights, self.stride, self.dil, self.groups = grid, weights, stride, dil, groups
        self.bias = None if bias is None else np.asarray(bias, dtype=np.float64)
        cout_all, _, kh, kw = weights.shape
        self.cin, self.cout = _group(groups, grid.shape[0], cout_all)
        oh = (grid.shape[1] - dil[0] * (kh - 1) - 1) // stride[0] + 1
        ow = (grid.shape[2] - dil[1] * (kw - 1) - 1) // stride[1] + 1
        self.shape = (oh, ow)
        self.bands = _bands(oh, self.cin * ow * kh * kw)
        self._band: tuple[tuple[int, int], Any] | None = None  # the last band's products, kept

    def planes(self, k: int) -> tuple[int, ...]:
        g = k // self.cout
        return tuple(range(g * self.cin, (g + 1) * self.cin))

    def band(self, k: int, band: int):
        """The windows (P, rows, ow, kh, kw), products and per-plane sums (P, rows, ow) of filter
        ``k`` over the output rows of band ``band``."""
        if self._band is not None and self._band[0] == (k, band):
            return self._band[1]
        (a0, a1), planes = self.bands[band], self.planes(k)
        kh, kw = self.weights.shape[2:]
        windows = _windows(self.grid[planes[0] : planes[-1] + 1], (kh, kw), self.stride, self.dil)[:, a0:a1]
        products = windows * self.weights[k][:, None, None]
        sums = products.sum(axis=(3, 4))
        self._band = ((k, band), (windows, products, sums))
        return windows, products, sums

    def output(self) -> np.ndarray:
        if self.weights.shape[0] * self.shape[0] * self.per_row() > BLAS_PRODUCTS:
            return self._blas_output()
        maps = []
        for k in range(self.weights.shape[0]):
            rows = [self.band(k, b)[2].sum(axis=0) for b in range(len(self.bands))]
            value = rows[0] if len(rows) == 1 else np.concatenate(rows)
            maps.append(value if self.bias is None else value + float(self.bias[k]))
        self._band = None  # the records start afresh
        return np.stack(maps)

    def per_row(self) -> int:
        """Products of one filter over one output row (its planes' taps at every column)."""
        kh, kw = self.weights.shape[2:]
        return self.cin * self.shape[1] * kh * kw

    def _blas_output(self) -> np.ndarray:
        """The maps of a big layer by matrix products, band by band and group by group (a layer of
        the network view: minutes by filter, seconds so); the sums then run in BLAS's order, so a
        record's per-plane sums may differ from the map's value in the last bit (the record's
        ``value`` is the map's)."""
        kh, kw = self.weights.shape[2:]
        out = np.empty((self.weights.shape[0], *self.shape))
        windows = _windows(self.grid, (kh, kw), self.stride, self.dil)
        for g in range(self.groups):
            planes = windows[g * self.cin : (g + 1) * self.cin]
            filters = self.weights[g * self.cout : (g + 1) * self.cout].reshape(self.cout, -1)
            for a0, a1 in self.bands:
                band = planes[:, a0:a1].transpose(1, 2, 0, 3, 4).reshape((a1 - a0) * self.shape[1], -1)
                out[g * self.cout : (g + 1) * self.cout, a0:a1] = (filters @ band.T).reshape(
                    self.cout, a1 - a0, self.shape[1]
                )
        if self.bias is not None:
            out += self.bias[:, None, None]
        return out

    def record(self, i: int, output: np.ndarray) -> Step:
        (oh, ow), (kh, kw) = self.shape, self.weights.shape[2:]
        k, rest = divmod(i, oh * ow)
        a, c = divmod(rest, ow)
        band = next(b for b, (a0, a1) in enumerate(self.bands) if a0 <= a < a1)
        windows, products, sums = self.band(k, band)
        r = a - self.bands[band][0]
        p = np.ascontiguousarray(products[:, r, c])
        p.setflags(write=False)
        return Step(
            index=i,
            out=(a, c),
            rows=a * self.stride[0] + np.arange(kh) * self.dil[0],
            cols=c * self.stride[1] + np.arange(kw) * self.dil[1],
            inputs=windows[:, r, c],
            products=p,
            value=float(output[k, a, c]),
            channel=k,
            planes=self.planes(k),
            sums=tuple(float(v) for v in sums[:, r, c]),
            bias=None if self.bias is None else float(self.bias[k]),
        )


def _bands(rows: int, per_row: int) -> list[tuple[int, int]]:
    """Output rows in bands whose products hold at most BAND values, each of two rows or more (a
    band's layout, hence its order of summation, is then the whole map's); one band for a small
    map, as before bands existed."""
    size = max(2, BAND // max(per_row, 1))
    if size >= rows:
        return [(0, rows)]
    bands = [(a, min(a + size, rows)) for a in range(0, rows, size)]
    if bands[-1][1] - bands[-1][0] == 1:  # a band of one row would be laid out otherwise
        bands[-2:] = [(bands[-2][0], rows)]
    return bands


def _window_steps(grid, origin, ghost, weights, stride, dil, bias=None, groups=1) -> Computation:
    """Filter by filter, each output position: the products in every plane of the filter's group."""
    w = _Windows(grid, weights, stride, dil, bias, groups)
    output = w.output()
    _frozen(output, grid, origin, ghost)
    steps = Records(output.size, lambda i: w.record(i, output))
    return Computation(output, weights, grid, origin, ghost, steps, bias)


class _Scatter:
    """A transposed convolution as its scatter: the input pixels, channel by channel in row-major
    order, each adding value × its weights onto the output maps of its group (the output starts at
    the bias; PyTorch adds it at the end: the same numbers up to rounding). A cell's total is the
    sum of what the pixels before it (in that order) added, which the whole map reproduces by
    adding, for each input channel, the kernel taps from the last to the first: a cell's pixels
    then come in row-major order too."""

    def __init__(self, image, kernel, stride, pad, out_pad, dil, bias, groups) -> None:
        self.image, self.kernel, self.stride, self.pad, self.dil = image, kernel, stride, pad, dil
        self.bias = bias
        (cin_all, h, w), (_, cout, kh, kw) = image.shape, kernel.shape
        self.cin, self.cout = cin_all // groups, cout
        self.full_shape = (
            cout * groups,
            (h - 1) * stride[0] + dil[0] * (kh - 1) + 1 + out_pad[0],
            (w - 1) * stride[1] + dil[1] * (kw - 1) + 1 + out_pad[1],
        )

    def targets(self, ch: int) -> tuple[int, ...]:
        return tuple(range((ch // self.cin) * self.cout, (ch // self.cin + 1) * self.cout))

    def totals(self, upto: tuple[int, int, int] | None = None) -> np.ndarray:
        """The uncropped output once every pixel (or those up to ``upto`` (ch, r, c)) has added."""
        full = np.zeros(self.full_shape)
        if self.bias is not None:
            full += np.asarray(self.bias)[:, None, None]
        (cin_all, h, w), (kh, kw) = self.image.shape, self.kernel.shape[2:]
        (sr, sc), (dr, dc) = self.stride, self.dil
        for ch in range(cin_all if upto is None else upto[0] + 1):
            t = self.targets(ch)
            mask = None
            if upto is not None and ch == upto[0]:
                mask = np.arange(h * w).reshape(h, w) <= upto[1] * w + upto[2]
            for i in reversed(range(kh)):
                for j in reversed(range(kw)):
                    dst = full[t[0] : t[-1] + 1, i * dr : i * dr + (h - 1) * sr + 1 : sr]
                    dst = dst[:, :, j * dc : j * dc + (w - 1) * sc + 1 : sc]
                    add = self.image[ch][None] * self.kernel[ch][:, i, j][:, None, None]
                    if mask is None:
                        dst += add
                    else:
                        dst[:, mask] += add[:, mask]
        return full

    def output(self) -> np.ndarray:
        full, (ph, pw) = self.totals(), self.pad
        oh, ow = self.full_shape[1] - 2 * ph, self.full_shape[2] - 2 * pw
        return full[:, ph : ph + oh, pw : pw + ow].copy()

    def _record(self, i: int, ch: int, r: int, c: int, full: np.ndarray) -> Scatter:
        (kh, kw), (sr, sc), (dr, dc) = self.kernel.shape[2:], self.stride, self.dil
        t = self.targets(ch)
        fr, fc = r * sr + np.arange(kh) * dr, c * sc + np.arange(kw) * dc
        x = self.image[ch, r, c]
        products, totals = x * self.kernel[ch], full[t[0] : t[-1] + 1][:, fr[:, None], fc[None, :]]
        _frozen(products, totals)
        return Scatter(i, (r, c), float(x), fr - self.pad[0], fc - self.pad[1], products, totals, ch, t)

    def record(self, i: int) -> Scatter:
        """Pixel i's record, its running totals replayed from the bias (the work of the layer)."""
        ch, rest = divmod(i, self.image.shape[1] * self.image.shape[2])
        r, c = divmod(rest, self.image.shape[2])
        return self._record(i, ch, r, c, self.totals((ch, r, c)))

    def run(self):
        """Every record in order, the totals added as they go (as fast as the whole map)."""
        full = np.zeros(self.full_shape)
        if self.bias is not None:
            full += np.asarray(self.bias)[:, None, None]
        (kh, kw), (sr, sc), (dr, dc) = self.kernel.shape[2:], self.stride, self.dil
        for i, ((ch, r, c), x) in enumerate(np.ndenumerate(self.image)):
            t = self.targets(ch)
            fr, fc = r * sr + np.arange(kh) * dr, c * sc + np.arange(kw) * dc
            full[t[0] : t[-1] + 1][:, fr[:, None], fc[None, :]] += x * self.kernel[ch]
            yield self._record(i, ch, r, c, full)


def _scatter(s: Stage, image: np.ndarray) -> Computation:
    kernel = s.kernel.values
    pad = (s.padding[0], s.padding[2])
    scatter = _Scatter(image, kernel, s.stride, pad, s.output_padding, s.dilation, s.bias, s.groups)
    output = scatter.output()
    origin = np.stack(np.indices(image.shape[1:]), axis=-1)
    ghost = np.zeros(image.shape[1:], bool)
    _frozen(output, origin, ghost)
    steps = Records(image.size, scatter.record, scatter.run)
    return Computation(output, kernel, image, origin, ghost, steps, s.bias)


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


def sum_order(
    grid_shape: tuple[int, int], kernel_shape: tuple[int, int], stride, dilation, pairwise: bool = False
) -> str | None:
    """How numpy adds one window's products in the window steps of a one-plane conv2d, which
    follows the memory layout numpy gives the products: "rows" (each kernel row in order, then the
    rows' sums) when a kernel row is contiguous, "flat" (every tap in row-major order) when the
    whole window is (or no row is), "cols" (column-major) when the columns lie outside; None when
    numpy adds a contiguous run of 8 or more pairwise, or with ``pairwise`` "pairwise" when that run
    is the whole window in row-major order (numpy's pairwise_sum over its taps: a one-step layer's
    window, which the layer view's player follows). A player that recomputes the output sums so."""
    products = _windows(np.zeros((1, *grid_shape)), kernel_shape, stride, dilation) * np.zeros(
        (1, 1, 1, *kernel_shape)
    )
    (kh, kw), (kh_stride, kw_stride) = kernel_shape, products.strides[3:]
    spread = [s for s, n in zip(products.strides, products.shape, strict=True) if n > 1]
    inner = min(spread, default=0)
    if kw > 1 and kw_stride == inner:  # a kernel row is the innermost run
        whole = kh == 1 or kh_stride == kw * kw_stride  # and the rows follow one another
        run = kh * kw if whole else kw
        if run >= 8:
            return "pairwise" if pairwise and whole else None
        return "flat" if whole else "rows"
    if kh > 1 and kh_stride == inner and kw == 1:
        return ("pairwise" if pairwise else None) if kh >= 8 else "flat"
    return "flat" if kh == 1 or kw == 1 or kh_stride > kw_stride else "cols"
