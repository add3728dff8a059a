"""Benchmark: the network view. For each case, in its own spawned process: the float64 numbers,
the display list (with the sampled cells' details), the GIF and the HTML page, their bytes, and the
process's peak memory (ru_maxrss). Cases: the gallery's four networks, a ResNet stem
(Conv2d(3, 64, 7, stride 2, padding 3), BN, ReLU, max pool) and a U-Net of two levels, at
medium sizes (3×64×64, 3×96×96) and the issue's real sizes (3×224×224, 3×128×128), from_torch with
seeded PyTorch weights; and real_sizes.py's three models (the stem, the four-level U-Net of 43
stages, a basic block on 64×32×32); and real widths: a torchvision-like ResNet18 up to layer2 or
layer3 (128, 256 channels) on 3×224×224 and the original four-level U-Net (64-128-256-512, a bottom
of 512 or 1024 channels) on 3×128×128. A case the limits refuse prints the one-line reason.

    python bench/network.py             # every case
    python bench/network.py stem_64     # one case by name
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/signal.py would shadow the standard library's signal (which multiprocessing imports)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import io  # noqa: E402
import multiprocessing as mp  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GALLERY = ("network_rgb_photo", "network_resnet_block", "network_unet", "network_autoencoder")
SIDES = {"stem_64": 64, "stem_96": 96, "stem_224": 224, "unet_64": 64, "unet_128": 128}
REAL = ("real_stem", "real_unet", "real_block")  #: real_sizes.py's models (BatchNorm settled)
BIG = (
    "resnet18_layer2",
    "resnet18_layer3",
    "unet4_512",
    "unet4_1024",
)  #: real widths: over 64 channels (issue 17)


def big_model(torch, name: str):
    """torchvision-like ResNet18 up to layer2 or layer3 on 3×224×224 (BatchNorm settled), or the
    original four-level U-Net (two 3×3 convolutions and ReLU a level, no BatchNorm) with
    64-128-256-512 channels and a bottom of 512 or 1024 on 3×128×128; seeded weights, float64."""
    nn = torch.nn
    torch.manual_seed(0)

    class Block(nn.Module):
        def __init__(self, cin: int, cout: int, stride: int) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.downsample = None
            if stride != 1 or cin != cout:
                self.downsample = nn.Sequential(
                    nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout)
                )

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            identity = x if self.downsample is None else self.downsample(x)
            return self.relu(out + identity)

    def resnet(levels: int):
        layers = [
            nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(3, stride=2, padding=1),
        ]
        cin = 64
        for i in range(levels):
            cout = 64 * 2**i
            layers += [Block(cin, cout, 1 if i == 0 else 2), Block(cout, cout, 1)]
            cin = cout
        model = nn.Sequential(*layers)
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.data.uniform_(0.5, 1.5)
                m.bias.data.uniform_(-0.1, 0.1)
        return model

    def double(cin: int, cout: int):
        return nn.Sequential(
            nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(), nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU()
        )

    class UNet(nn.Module):
        def __init__(self, bottom: int) -> None:
            super().__init__()
            w = (64, 128, 256, 512)
            self.downs = nn.ModuleList(double(a, b) for a, b in zip((3, *w[:-1]), w, strict=True))
            self.pool = nn.MaxPool2d(2)
            self.bottom = double(w[-1], bottom)
            ins = (bottom, *w[:0:-1])
            self.ups = nn.ModuleList(
                nn.ConvTranspose2d(a, b, 2, stride=2) for a, b in zip(ins, w[::-1], strict=True)
            )
            self.decs = nn.ModuleList(double(2 * b, b) for b in w[::-1])
            self.head = nn.Conv2d(w[0], 2, 1)

        def forward(self, x):
            skips = []
            for down in self.downs:
                x = down(x)
                skips.append(x)
                x = self.pool(x)
            x = self.bottom(x)
            for up, dec, skip in zip(self.ups, self.decs, skips[::-1], strict=True):
                x = dec(torch.cat([skip, up(x)], 1))
            return self.head(x)

    if name.startswith("resnet"):
        model, x = resnet(int(name[-1])), torch.rand(3, 224, 224)
    else:
        model, x = UNet(int(name.split("_")[1])), torch.rand(3, 128, 128)
    return model.double().eval(), x.double()


def scenario(name: str):
    import convanim

    if name in GALLERY:
        return convanim.load(ROOT / "animations" / f"{name}.toml")
    import torch
    from torch import nn

    if name in BIG:
        model, x = big_model(torch, name)
        return convanim.from_torch(model, x, render={"view": "network"})
    if name in REAL:
        import importlib.util

        spec = importlib.util.spec_from_file_location("real_sizes", ROOT / "bench" / "real_sizes.py")
        real = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(real)
        model, x = real.models(torch)[name[5:]]()
        return convanim.from_torch(model, x, render={"view": "network"})

    torch.manual_seed(0)
    side = SIDES[name]
    x = torch.rand(3, side, side, dtype=torch.float64) * 255
    if name.startswith("stem"):
        model = nn.Sequential(
            nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.MaxPool2d(3, stride=2, padding=1),
        )
    else:

        class UNet(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.enc1 = nn.Conv2d(3, 8, 3, padding=1)
                self.enc2 = nn.Conv2d(8, 16, 3, padding=1)
                self.up = nn.ConvTranspose2d(16, 8, 2, stride=2)
                self.dec = nn.Conv2d(16, 8, 3, padding=1)
                self.head = nn.Conv2d(8, 1, 1)

            def forward(self, x):
                e1 = torch.relu(self.enc1(x))
                e2 = torch.relu(self.enc2(nn.functional.max_pool2d(e1, 2)))
                d = torch.relu(self.dec(torch.cat([e1, self.up(e2)], 1)))
                return torch.sigmoid(self.head(d))

        model = UNet()
    model = model.double().eval()
    return convanim.from_torch(model, x, render={"view": "network"})


def run(name: str, out: mp.Queue) -> None:
    from convanim import export
    from convanim.errors import ConvanimError

    t0 = time.perf_counter()
    try:
        s = scenario(name)
        s.output()
    except ConvanimError as err:
        out.put((name, str(err)))
        return
    t1 = time.perf_counter()
    frames = s.frames()
    t2 = time.perf_counter()
    gif = io.BytesIO()
    export.write_to(export.get("gif"), frames, gif, stem=name)
    t3 = time.perf_counter()
    html = io.BytesIO()
    export.write_to(export.get("html"), frames, html, stem=name)
    t4 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put(
        (
            name,
            f"| {name} | {len(frames)} | {frames.width}×{frames.height} | {len(frames.items):,} | "
            f"{len(frames.details)} | {t1 - t0:.1f} | {t2 - t1:.1f} | {t3 - t2:.1f} | "
            f"{len(gif.getvalue()):,} | {t4 - t3:.1f} | {len(html.getvalue()):,} | {t4 - t0:.1f} | "
            f"{peak:.0f} |",
        )
    )


def main(names: list[str]) -> None:
    print(
        "| case | frames | picture | items | details | numbers s | frames s | gif s | gif B | html s "
        "| html B | total s | peak MB |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    ctx = mp.get_context("spawn")
    for name in names:
        q = ctx.Queue()
        p = ctx.Process(target=run, args=(name, q))
        p.start()
        p.join()
        print(q.get()[1] if not q.empty() else f"| {name} | failed (exit {p.exitcode}) |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or [*GALLERY, *SIDES, *REAL, *BIG])
