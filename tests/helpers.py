"""Small shared fixtures-as-functions for the tests (kept out of conftest, which holds browser fixtures)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

import convanim

if TYPE_CHECKING:
    from convanim.display import Frames

ROOT = Path(__file__).resolve().parents[1]

#: The course image: a 10×10 picture with sharp edges.
COURSE_IMAGE = np.array(
    [
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 9, 9, 9, 9, 9, 0, 0],
        [0, 0, 0, 9, 9, 9, 9, 9, 0, 0],
        [0, 9, 9, 9, 9, 9, 9, 9, 0, 0],
        [0, 9, 9, 9, 9, 9, 9, 9, 0, 0],
        [0, 0, 0, 9, 9, 9, 9, 9, 0, 0],
        [0, 0, 0, 9, 9, 9, 9, 9, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ],
    dtype=float,
)


def small(**keys) -> convanim.Scenario:
    """A 5×5 scenario with a 3×3 mean kernel (9 steps, 11 frames) unless keys say otherwise."""
    defaults = {
        "title": "small",
        "image": np.arange(25.0).reshape(5, 5),
        "kernel": {"preset": "mean"},
        "timing": {"step_ms": 100, "poster_ms": 300, "final_ms": 700},
    }
    return convanim.Scenario(**{**defaults, **keys})


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def torch_reference(s: convanim.Scenario) -> np.ndarray:
    """Each stage applied with its torch.nn.functional namesake to the maps it reads, in order: what
    the numbers must be. A signal (rank 1) goes through the 1-D functions (conv1d, max_pool1d, ...),
    not height-1 maps."""
    import torch

    from convanim.graph import sources

    x = torch.tensor(np.array(s.image.values))[None]
    signal = s.image.rank == 1
    if signal:
        x = x[:, :, 0]
    maps = [x]
    for st, src in zip(s.stages, sources(s.stages), strict=True):
        if st.operation == "cat":
            x = torch.cat([maps[j] for j in src], dim=1)
        elif st.operation == "add":
            x = maps[src[0]] + maps[src[1]]
        else:
            x = _torch_value_by_value(maps[src[0]], st)
            if x is None:
                x = (_torch_stage_1d if signal else _torch_stage_2d)(maps[src[0]], st)
        maps.append(x)
    return x[0].numpy() if s.layered else x[0, 0].numpy()


def _torch_value_by_value(x, st):
    """The operations of one value at a time (any rank), or None for another."""
    import torch
    import torch.nn.functional as F

    op = st.operation
    if op == "batch_norm":
        n = st.norm
        stats = [torch.tensor(np.array(a)) for a in (n.running_mean, n.running_var, n.weight, n.bias)]
        return F.batch_norm(x, *stats, training=False, eps=n.eps)
    if op == "leaky_relu":
        return F.leaky_relu(x, st.negative_slope)
    if op == "gelu":
        return F.gelu(x, approximate=st.approximate)
    if op == "hardtanh":
        return F.hardtanh(x, st.min_val, st.max_val)
    if op in ("sigmoid", "tanh"):
        return getattr(torch, op)(x)
    if op == "identity":
        return x
    return None


MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}


def _torch_stage_2d(x, st):
    import torch
    import torch.nn.functional as F

    op, pad = st.operation, st.padding
    if op == "conv2d":
        k, b = torch.tensor(np.array(st.kernel.values)), _bias(st)
        if st.flip:  # true convolution: PyTorch's cross-correlation with the kernel turned 180°
            k = torch.flip(k, dims=(2, 3))
        x = F.pad(x, (pad[2], pad[3], pad[0], pad[1]), mode=MODES[st.padding_mode])
        return F.conv2d(x, k, b, stride=st.stride, dilation=st.dilation, groups=st.groups)
    if op == "conv_transpose2d":
        k = torch.tensor(np.array(st.kernel.values))
        return F.conv_transpose2d(
            x,
            k,
            _bias(st),
            groups=st.groups,
            stride=st.stride,
            padding=(pad[0], pad[2]),
            output_padding=st.output_padding,
            dilation=st.dilation,
        )
    if op == "max_pool2d":
        return F.max_pool2d(
            x, st.kernel_size, st.stride, (pad[0], pad[2]), st.dilation, ceil_mode=st.ceil_mode
        )
    if op == "avg_pool2d":
        return F.avg_pool2d(
            x,
            st.kernel_size,
            st.stride,
            (pad[0], pad[2]),
            ceil_mode=st.ceil_mode,
            count_include_pad=st.count_include_pad,
        )
    if op == "upsample":
        extra = {"align_corners": st.align_corners} if st.mode == "bilinear" else {}
        size = {"size": st.size} if st.size else {"scale_factor": st.scale_factor}
        return F.interpolate(x, mode=st.mode, **size, **extra)
    if op in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
        return getattr(F, op)(x, st.output_size)
    return F.relu(x)


def _torch_stage_1d(x, st):
    """A signal's stage through torch's 1-D functions: the stage keeps (rows, cols) pairs whose
    rows are the unit height of a signal, so the 1-D arguments are their column halves."""
    import torch
    import torch.nn.functional as F

    op, pad = st.operation, st.padding
    if op == "conv2d":
        k = torch.tensor(np.array(st.kernel.values))[:, :, 0]
        if st.flip:
            k = torch.flip(k, dims=(2,))
        x = F.pad(x, (pad[2], pad[3]), mode=MODES[st.padding_mode])
        return F.conv1d(x, k, _bias(st), stride=st.stride[1], dilation=st.dilation[1], groups=st.groups)
    if op == "conv_transpose2d":
        k = torch.tensor(np.array(st.kernel.values))[:, :, 0]
        return F.conv_transpose1d(
            x,
            k,
            _bias(st),
            groups=st.groups,
            stride=st.stride[1],
            padding=pad[2],
            output_padding=st.output_padding[1],
            dilation=st.dilation[1],
        )
    if op == "max_pool2d":
        return F.max_pool1d(
            x, st.kernel_size[1], st.stride[1], pad[2], st.dilation[1], ceil_mode=st.ceil_mode
        )
    if op == "avg_pool2d":
        return F.avg_pool1d(
            x,
            st.kernel_size[1],
            st.stride[1],
            pad[2],
            ceil_mode=st.ceil_mode,
            count_include_pad=st.count_include_pad,
        )
    if op == "upsample":
        extra = {"align_corners": st.align_corners} if st.mode == "linear" else {}
        size = {"size": st.size[1]} if st.size else {"scale_factor": st.scale_factor[1]}
        return F.interpolate(x, mode=st.mode, **size, **extra)
    return F.relu(x)


def _bias(stage):
    import torch

    return None if stage.bias is None else torch.tensor(np.array(stage.bias))


#: A 3×4 picture of twelve colours (a colour scale's few: written with a palette).
PIXELS = np.array(
    [[[255 - 20 * (4 * r + c), 20 * (4 * r + c), 7 * r + 50 * c] for c in range(4)] for r in range(3)],
    np.uint8,
)


def picture_frames(pixels: np.ndarray = PIXELS) -> Frames:
    """Two frames of 80×60 px: ``pixels`` as a picture of 10-px blocks at (10, 6) from the start,
    outlined; in frame 1, two more pictures of the same pixels (stored once) and one of others."""
    from convanim.display import FrameInfo, Frames, Grid, Item, Picture, Rect

    rows, cols = pixels.shape[:2]
    other = pixels[::-1, ::-1]
    items = (
        Item(Picture.of(10, 6, 10 * cols, 10 * rows, pixels), 0, 1),
        Item(Rect(10, 6, 10 * cols, 10 * rows, stroke="#000000", width=1), 0, 1),
        Item(Picture.of(60, 6, cols, rows, pixels), 1, 1),
        Item(Picture.of(60, 20, 2 * cols, 2 * rows, pixels), 1, 1),
        Item(Picture.of(60, 40, 2 * cols, 2 * rows, other), 1, 1),
    )
    info = (FrameInfo(500, None, None, "one picture"), FrameInfo(500, None, None, "four pictures"))
    return Frames("pictures", 80, 60, "#ffffff", items, info, Grid(10, 6, rows, cols, 10), alt="pictures")
