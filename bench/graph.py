"""Benchmark: graphs. Times torch.fx tracing (``from_torch``), the float64 numbers (``output()``),
the display list (``frames()``) and the GIF of the gallery's two graphs, and the tracing and numbers
of a ResNet basic block at a few sizes, each in this one process (peak memory: ru_maxrss)."""

from __future__ import annotations

import io
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import convanim  # noqa: E402
from convanim import export  # noqa: E402


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def gallery() -> None:
    print("| scenario | stages | frames | load s | numbers s | frames s | gif s | gif KB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in ("resnet_basic_block", "unet_skip_cat"):
        s, load = timed(lambda name=name: convanim.load(ROOT / "animations" / f"{name}.toml"))
        _, numbers = timed(s.output)
        frames, build = timed(s.frames)
        buf = io.BytesIO()
        _, gif = timed(
            lambda frames=frames, buf=buf, name=name: export.write_to(
                export.get("gif"), frames, buf, stem=name
            )
        )
        size = len(buf.getvalue()) / 1024
        print(
            f"| {name} | {len(s.stages)} | {s.n_frames} | {load:.2f} | {numbers:.2f} | {build:.2f} "
            f"| {gif:.2f} | {size:.0f} |"
        )


def block(channels: int, side: int) -> None:
    import torch
    from torch import nn

    class BasicBlock(nn.Module):
        def __init__(self, c: int) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(c)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(c)

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            out += x
            return self.relu(out)

    torch.manual_seed(0)
    model = BasicBlock(channels).eval()
    x = torch.rand(channels, side, side)
    limits = convanim.Limits(10**9, 10**9, 10**12)
    s, trace = timed(lambda: convanim.from_torch(model, x, limits=limits))
    out, numbers = timed(s.output)
    with torch.no_grad():
        ref = model.double()(x.double()[None])[0].numpy()
    err = abs(out - ref).max()
    print(f"| {channels}×{side}×{side} | {trace:.2f} | {numbers:.2f} | {err:.1e} |")


if __name__ == "__main__":
    gallery()
    print()
    print("| ResNet basic block | from_torch s | output() s | max |error| vs torch |")
    print("| --- | --- | --- | --- |")
    for c, side in ((8, 16), (16, 32), (64, 32)):
        block(c, side)
    print(f"\npeak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
