#!/usr/bin/env python3
"""Benchmark: a layer with channels against a single-channel scenario of the same picture size.

The issue's case: an RGB 12×12 image through 3 → 5 filters of 3×3 (padding 1, a bias each), drawn
as a layer (stacked planes, Σ and bias), against a gray 12×12 image through one 3×3 filter whose
cells are sized so that its picture is as large. Both go from ``Scenario(...)`` to a GIF in memory,
one run each in this process, best of ``--repeat``. Printed: frames, picture size, seconds, ms a
step (frames built, painted and written), bytes a step, and the ratios layer / single.

Run from the repository root: ``python bench/channels.py``.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

import convanim
from convanim import export


def layer() -> convanim.Scenario:
    x = np.random.default_rng(0).integers(0, 10, size=(3, 12, 12)).astype(float)
    return convanim.Scenario(
        title="Conv2d(3 → 5) on an RGB 12×12 image",
        image={"values": x.tolist(), "names": ["R", "G", "B"]},
        out_channels=5,
        kernel_size=3,
        padding=1,
        bias=True,
        timing={"step_ms": 100},
    )


def single(width: int, height: int) -> convanim.Scenario:
    """A gray 12×12 image, one 3×3 filter, cells as large as fits the layer's picture size."""
    x = np.random.default_rng(0).integers(0, 10, size=(12, 12)).astype(float)
    best = None
    for cell in range(8, 97):
        s = convanim.Scenario(
            title="Conv2d(1 → 1) on a gray 12×12 image",
            image=x,
            kernel={"preset": "mean"},
            padding=1,
            render={"cell_px": cell},
            timing={"step_ms": 100},
        )
        f = s.frames()
        if best is None or abs(f.width * f.height - width * height) < abs(best[1] - width * height):
            best = (s, f.width * f.height)
    return best[0]


def measure(s: convanim.Scenario, repeat: int) -> dict[str, float]:
    times, size, frames = [], 0, None
    for _ in range(repeat):
        t = time.perf_counter()
        frames = s.frames()
        buf = io.BytesIO()
        export.get("gif").write(frames, buf)
        times.append(time.perf_counter() - t)
        size = len(buf.getvalue())
    steps = s.n_steps
    return {
        "frames": len(frames),
        "steps": steps,
        "px": f"{frames.width}×{frames.height}",
        "seconds": min(times),
        "ms_step": 1000 * min(times) / steps,
        "bytes": size,
        "bytes_step": size / steps,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args()
    lay = layer()
    f = lay.frames()
    one = single(f.width, f.height)
    rows = {"layer 3→5": measure(lay, args.repeat), "single 1→1": measure(one, args.repeat)}
    print(
        f"{'case':12} {'frames':>6} {'picture':>9} {'seconds':>8} {'ms/step':>8} {'bytes':>10} {'B/step':>8}"
    )
    for name, r in rows.items():
        print(
            f"{name:12} {r['frames']:6d} {r['px']:>9} {r['seconds']:8.2f} {r['ms_step']:8.2f} "
            f"{r['bytes']:10,d} {r['bytes_step']:8.0f}"
        )
    a, b = rows["layer 3→5"], rows["single 1→1"]
    print(
        f"layer / single: {a['ms_step'] / b['ms_step']:.2f}× the time a step, "
        f"{a['bytes_step'] / b['bytes_step']:.2f}× the bytes a step (target: time ≤ about 2×)"
    )


if __name__ == "__main__":
    main()
