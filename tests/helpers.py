"""Small shared fixtures-as-functions for the tests (kept out of conftest, which holds browser fixtures)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import convanim

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
    the numbers must be."""
    import torch
    import torch.nn.functional as F

    from convanim.graph import sources

    maps = [torch.tensor(np.array(s.image.values))[None]]
    modes = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}
    for st, src in zip(s.stages, sources(s.stages), strict=True):
        op, pad, x = st.operation, st.padding, maps[src[0]]
        if op == "cat":
            x = torch.cat([maps[j] for j in src], dim=1)
        elif op == "add":
            x = maps[src[0]] + maps[src[1]]
        elif op == "batch_norm":
            n = st.norm
            stats = [torch.tensor(np.array(a)) for a in (n.running_mean, n.running_var, n.weight, n.bias)]
            x = F.batch_norm(x, *stats, training=False, eps=n.eps)
        elif op in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
            x = getattr(F, op)(x, st.output_size)
        elif op == "leaky_relu":
            x = F.leaky_relu(x, st.negative_slope)
        elif op == "gelu":
            x = F.gelu(x, approximate=st.approximate)
        elif op == "hardtanh":
            x = F.hardtanh(x, st.min_val, st.max_val)
        elif op in ("sigmoid", "tanh"):
            x = getattr(torch, op)(x)
        elif op == "identity":
            pass
        elif op == "conv2d":
            k, b = torch.tensor(np.array(st.kernel.values)), _bias(st)
            if st.flip:  # true convolution: PyTorch's cross-correlation with the kernel turned 180°
                k = torch.flip(k, dims=(2, 3))
            x = F.pad(x, (pad[2], pad[3], pad[0], pad[1]), mode=modes[st.padding_mode])
            x = F.conv2d(x, k, b, stride=st.stride, dilation=st.dilation, groups=st.groups)
        elif op == "conv_transpose2d":
            k = torch.tensor(np.array(st.kernel.values))
            x = F.conv_transpose2d(
                x,
                k,
                _bias(st),
                groups=st.groups,
                stride=st.stride,
                padding=(pad[0], pad[2]),
                output_padding=st.output_padding,
                dilation=st.dilation,
            )
        elif op == "max_pool2d":
            x = F.max_pool2d(
                x, st.kernel_size, st.stride, (pad[0], pad[2]), st.dilation, ceil_mode=st.ceil_mode
            )
        elif op == "avg_pool2d":
            x = F.avg_pool2d(
                x,
                st.kernel_size,
                st.stride,
                (pad[0], pad[2]),
                ceil_mode=st.ceil_mode,
                count_include_pad=st.count_include_pad,
            )
        elif op == "upsample":
            extra = {"align_corners": st.align_corners} if st.mode == "bilinear" else {}
            size = {"size": st.size} if st.size else {"scale_factor": st.scale_factor}
            x = F.interpolate(x, mode=st.mode, **size, **extra)
        else:
            x = F.relu(x)
        maps.append(x)
    return x[0].numpy() if s.layered else x[0, 0].numpy()


def _bias(stage):
    import torch

    return None if stage.bias is None else torch.tensor(np.array(stage.bias))
