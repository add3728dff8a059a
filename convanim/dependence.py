"""Which input cells each output cell of a stage reads, and with which coefficient: the relation
behind receptive fields, convolution matrices and overlap counts (pure numpy, from the stage's
keys; no drawing).

A stage's relation is one plane relation (output position ← input position through a kernel
tap, with a spatial coefficient) shared by every pair of channels it connects, each pair with
its kernel plane. A zero weight still links; a bilinear neighbour with interpolation weight 0
does not; a reflected, replicated or wrapped padding cell links the input cell it copies (zero
padding links nothing). Maps are (C, H, W); a 1-D map is a plane of height 1.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .arithmetic import adaptive_windows
from .elementwise import WHOLE_MAP
from .errors import ConvanimError
from .graph import sources
from .steps import NUMPY_MODE, compute, conv_weights

if TYPE_CHECKING:
    from .stage import Stage

MAX_MATRIX = 50_000_000  #: entries of a dense conv_matrix (400 MB in float64) at most
KERNEL_OPS = ("conv2d", "conv_transpose2d")


@dataclass(frozen=True, eq=False)
class Links:
    """One stage's relation: entry n links output position ``out[n]`` of a plane to input
    position ``src[n]`` through kernel tap ``tap[n]`` with coefficient ``coef[n]``, in every
    channel pair (output channel, input channel) of ``pairs``, weighted by that pair's row of
    ``weights`` (its kernel plane, flattened; ones for operations without a kernel)."""

    in_shape: tuple[int, int, int]  #: (C, H, W) of the input map
    out_shape: tuple[int, int, int]  #: (C', H', W') of the output map
    out: np.ndarray  #: (n,) flat position in an output plane
    src: np.ndarray  #: (n,) flat position in an input plane
    tap: np.ndarray  #: (n,) flat kernel tap, i·kw + j (0 without a kernel)
    coef: np.ndarray  #: (n,) spatial coefficient: bilinear weight, 1 otherwise
    pairs: np.ndarray  #: (m, 2) output channel, input channel
    weights: np.ndarray  #: (m, taps) each pair's kernel plane, flattened


def links(stage: Stage) -> Links:
    """The relation of one stage (its input shape and channels are the stage's own)."""
    (h, w), (oh, ow) = stage.input_shape, stage.output_shape
    cin, cout, op = stage.in_channels, stage.out_channels, stage.operation
    if op == "upsample":
        out, src, coef = _sampled(stage)
        tap = np.zeros_like(out)
    else:
        rows, cols = _axis(stage, 0), _axis(stage, 1)
        kw = stage.kernel_size[1] if op not in WHOLE_MAP else 1
        # every (row link, column link) combination: a separable relation
        ro, rt, rs = (a[:, None] for a in rows)
        co, ct, cs = (a[None, :] for a in cols)
        out = (ro * ow + co).ravel()
        src = (rs * w + cs).ravel()
        tap = (rt * kw + ct).ravel()
        coef = np.ones(out.size)
    pairs, weights = _channel_pairs(stage)
    for a in (out, src, tap, coef, pairs, weights):
        a.setflags(write=False)
    return Links((cin, h, w), (cout, oh, ow), out, src, tap, coef, pairs, weights)


def _axis(stage: Stage, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Along one axis: (output index, tap, input index) of every link."""
    n, n_out = stage.input_shape[axis], stage.output_shape[axis]
    op = stage.operation
    if op in WHOLE_MAP:  # value by value; a cat or add reads the same cell of its maps
        idx = np.arange(n)
        return idx, np.zeros_like(idx), idx
    if op in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):  # PyTorch's windows, which may overlap
        spans = adaptive_windows(n, n_out)
        a = np.concatenate([np.full(e - s, i) for i, (s, e) in enumerate(spans)])
        i = np.concatenate([np.arange(e - s) for s, e in spans])
        return a, i, np.concatenate([np.arange(s, e) for s, e in spans])
    k, s, d = stage.kernel_size[axis], stage.stride[axis], stage.dilation[axis]
    lo, hi = stage.padding[2 * axis : 2 * axis + 2]
    taps = np.arange(k)
    if op == "conv_transpose2d":  # input r scatters tap i onto r·s + i·d − p
        r = np.repeat(np.arange(n), k)
        i = np.tile(taps, n)
        o = r * s + i * d - lo
        keep = (o >= 0) & (o < n_out)
        return o[keep], i[keep], r[keep]
    a = np.repeat(np.arange(n_out), k)
    i = np.tile(taps, n_out)
    q = a * s + i * d  # position in the padded input
    if op == "conv2d":  # a padding cell copies an input cell (or holds a zero: −1)
        mode = stage.padding_mode
        extra = {"constant_values": -1} if mode == "zeros" else {}
        origin = np.pad(np.arange(n), (lo, hi), mode=NUMPY_MODE[mode], **extra)
        src = origin[q]
    else:  # pools: padding cells (and a ceil-mode window past the input) hold no input cell
        src = np.where((q - lo >= 0) & (q - lo < n), q - lo, -1)
    keep = src >= 0
    return a[keep], i[keep], src[keep]


def _sampled(stage: Stage) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An upsampling's plane relation, read from its steps (the pixels each output blends, with
    their weights; a neighbour of weight 0 is not among them)."""
    (h, w), ow = stage.input_shape, stage.output_shape[1]
    comp = compute(stage, np.zeros((1, h, w)))
    out, src, coef = [], [], []
    for step in comp.steps:
        for (r, c), weight in zip(step.cells, step.weights, strict=True):
            out.append(step.out[0] * ow + step.out[1])
            src.append(r * w + c)
            coef.append(weight)
    return np.array(out, dtype=np.int64), np.array(src, dtype=np.int64), np.array(coef, dtype=np.float64)


def _channel_pairs(stage: Stage) -> tuple[np.ndarray, np.ndarray]:
    """(output channel, input channel) pairs a stage connects, and each pair's kernel plane."""
    op, groups = stage.operation, stage.groups
    if op == "conv2d":
        weights = conv_weights(stage)  # (C_out, C_in/g, kh, kw), rotated when flipped
        cout, cin_g = weights.shape[:2]
        per = cout // groups
        k, c = np.divmod(np.arange(cout * cin_g), cin_g)
        pairs = np.stack([k, (k // per) * cin_g + c], axis=1)
        return pairs, weights.reshape(cout * cin_g, -1).copy()
    if op == "conv_transpose2d":
        weights = stage.kernel.values  # (C_in, C_out/g, kh, kw)
        cin, per = weights.shape[:2]
        cin_g = cin // groups
        ch, j = np.divmod(np.arange(cin * per), per)
        pairs = np.stack([(ch // cin_g) * per + j, ch], axis=1)
        return pairs, weights.reshape(cin * per, -1).copy()
    c = np.arange(stage.in_channels)
    taps = 1 if op in ("upsample", *WHOLE_MAP) else stage.kernel_size[0] * stage.kernel_size[1]
    return np.stack([c, c], axis=1), np.ones((c.size, taps))


@dataclass(frozen=True)
class StageLinks:
    """One stage's relation split per axis, which every operation here allows: output cell (k, a,
    b) reads input cell (c, r, q) exactly when c ∈ ``channels[k]``, r ∈ ``rows[a]`` and q ∈
    ``cols[b]``, so a field through one stage is a product set (channels × rows × columns) and
    follows from unions of these index lists, walked backwards through ``inputs``. Input
    channel c is channel c − start of input n when start ≤ c < stop, (start, stop) = ``parts[n]``:
    a cat's channels come from one input each, an add's from both. In a graph a map read along
    two paths holds the union of two such products (which need not be one product)."""

    inputs: tuple[int, ...]  #: the maps the stage reads (0 the image, i the output of stage i − 1)
    rows: tuple[tuple[int, ...], ...]  #: per output row, the input rows it reads
    cols: tuple[tuple[int, ...], ...]  #: per output column, the input columns it reads
    channels: tuple[tuple[int, ...], ...]  #: per output channel, the input channels it reads
    parts: tuple[tuple[int, int], ...] = ()  #: per input, its channels (start, stop); () each all

    def input_channels(self, n: int, channels: set[int] | tuple[int, ...]) -> list[int]:
        """Of the (stacked) input ``channels``, those of input ``n``, numbered in that map."""
        if not self.parts:
            return sorted(channels)
        start, stop = self.parts[n]
        return [c - start for c in sorted(channels) if start <= c < stop]


def stage_links(stage: Stage, inputs: tuple[int, ...]) -> StageLinks:
    """``stage``'s relation per axis (see StageLinks); ``inputs`` are the maps it reads (a cat's
    in the order it stacks them)."""
    w, (oh, ow) = stage.input_shape[1], stage.output_shape
    if stage.operation == "upsample":  # a blend's row and column neighbours (weight 0 dropped)
        out, src, _ = _sampled(stage)
        rows = (out // ow, src // w)
        cols = (out % ow, src % w)
    else:
        rows, cols = _axis(stage, 0)[::2], _axis(stage, 1)[::2]
    pairs, _ = _channel_pairs(stage)
    parts: tuple[tuple[int, int], ...] = ()
    if stage.operation == "cat":
        starts = np.cumsum([0, *stage.input_channels]).tolist()
        parts = tuple(itertools.pairwise(starts))
    return StageLinks(
        tuple(inputs),
        _grouped(*rows, oh),
        _grouped(*cols, ow),
        _grouped(pairs[:, 0], pairs[:, 1], stage.out_channels),
        parts,
    )


def _grouped(out: np.ndarray, src: np.ndarray, n: int) -> tuple[tuple[int, ...], ...]:
    """For each of ``n`` outputs, the sorted distinct sources linked to it; equal ones are one
    tuple (each of a 512-channel convolution's outputs reads the same 512 channels: one tuple,
    not 512 copies of 512 ints, 36 MB of a U-Net's links)."""
    sets: list[set[int]] = [set() for _ in range(n)]
    for o, s in zip(out.tolist(), src.tolist(), strict=True):
        sets[o].add(s)
    shared: dict[tuple[int, ...], tuple[int, ...]] = {}
    return tuple(shared.setdefault(t, t) for t in (tuple(sorted(s)) for s in sets))


def depends(link: Links, mask: np.ndarray) -> np.ndarray:
    """The input cells (a (C, H, W) boolean mask) the output cells of ``mask`` (C', H', W') read."""
    cin, h, w = link.in_shape
    wanted = mask.reshape(mask.shape[0], -1)
    need = np.zeros((cin, wanted.shape[1]), bool)  # output positions each input channel feeds
    np.logical_or.at(need, link.pairs[:, 1], wanted[link.pairs[:, 0]])
    channel, entry = np.nonzero(need[:, link.out])
    found = np.zeros((cin, h * w), bool)
    found[channel, link.src[entry]] = True
    return found.reshape(cin, h, w)


def receptive_field(stages: tuple[Stage, ...], cell: tuple[int, int, int]) -> tuple[np.ndarray, ...]:
    """For output cell ``cell`` = (c, i, j) of the last of ``stages``: a (C, H, W) boolean mask per
    map, the input first and that output last, true on the cells it depends on. The relation is
    composed backwards along the graph: each stage's mask goes to the maps it reads (a cat's
    channels each to the map they come from, an add's to both)."""
    first = stages[0]
    masks = [np.zeros((first.in_channels if first.operation != "cat" else 0, *first.input_shape), bool)]
    masks += [np.zeros((st.out_channels, *st.output_shape), bool) for st in stages]
    masks[-1][cell] = True
    srcs = sources(stages)
    for i in range(len(stages) - 1, -1, -1):
        st, src = stages[i], srcs[i]
        needed = depends(links(st), masks[i + 1])  # over the maps it reads, a cat's stacked
        if st.operation == "cat":
            starts = np.cumsum([0, *st.input_channels])
            for j, a, b in zip(src, starts[:-1], starts[1:], strict=True):
                _merge(masks, j, needed[a:b])
        else:
            for j in src:
                _merge(masks, j, needed)
    return tuple(masks)


def _merge(masks: list[np.ndarray], j: int, needed: np.ndarray) -> None:
    """Add ``needed`` to map j's mask (map 0's channels are known once a stage reads it)."""
    if masks[j].shape != needed.shape:  # the image, first read by a cat
        masks[j] = np.zeros(needed.shape, bool)
    masks[j] |= needed


def conv_matrix(stage: Stage) -> np.ndarray:
    """The dense matrix M of a convolution, (C'·H'·W', C·H·W): M @ x.ravel() + bias repeated over
    each output plane = output.ravel(). Copies made by a padding mode add their weight to the
    cell they copy. A transposed stage's matrix is the transpose of the convolution's with the
    same kernel, stride, padding and dilation that maps its output shape back to its input's."""
    link = links(stage)
    n_out, n_in = int(np.prod(link.out_shape)), int(np.prod(link.in_shape))
    if n_out * n_in > MAX_MATRIX:
        raise ConvanimError(
            f"conv_matrix: the dense matrix would be {n_out:,} × {n_in:,} ({n_out * n_in:,} entries); "
            f"at most {MAX_MATRIX:,}: use a smaller image"
        )
    plane_out, plane_in = link.out_shape[1] * link.out_shape[2], link.in_shape[1] * link.in_shape[2]
    rows = (link.pairs[:, :1] * plane_out + link.out[None, :]).ravel()
    cols = (link.pairs[:, 1:] * plane_in + link.src[None, :]).ravel()
    values = (link.weights[:, link.tap] * link.coef[None, :]).ravel()
    # links onto one cell (a padding copy, a zero-padded edge's repeats) add up
    return np.bincount(rows * n_in + cols, weights=values, minlength=n_out * n_in).reshape(n_out, n_in)


def overlap_counts(stage: Stage) -> np.ndarray:
    """How many (input cell, kernel tap) contributions land on each cell of a transposed stage's
    output plane, (H', W') integers: conv_transpose2d of ones with a kernel of ones."""
    link = links(stage)
    (_, oh, ow) = link.out_shape
    return np.bincount(link.out, minlength=oh * ow).reshape(oh, ow)


def even_overlap(stage: Stage) -> tuple[bool, bool] | None:
    """Per axis, whether a transposed stage lands as many taps on every inner output cell: its
    kernel a multiple of its stride (else a checkerboard); None with dilation."""
    if stage.dilation != (1, 1):
        return None
    (kh, kw), (sr, sc) = stage.kernel_size, stage.stride
    return kh % sr == 0, kw % sc == 0
