"""Benchmark: real sizes (issue 17, item 2). Times ``from_torch`` and the float64 numbers
(``output()``) of three models at the sizes real courses use, each case in its own process so that
its peak memory is its own, and checks the numbers against the model run by torch in float64:

- **stem**: a ResNet stem, Conv2d(3, 64, 7, stride 2, padding 3) → BatchNorm2d → ReLU →
  MaxPool2d(3, 2, 1), on a 3×224×224 image;
- **unet**: a four-level U-Net (8, 16, 32, 64 channels at 128, 64, 32, 16 rows; two convolutions
  with BatchNorm and ReLU a level, max-pool down, ConvTranspose2d(2, stride 2) up, skip
  concatenation) on 3×128×128;
- **block**: a ResNet basic block (two 3×3 convolutions with BatchNorm, a residual add) on
  64×32×32.

Weights, statistics and inputs come from a fixed seed. ``--tree DIR`` times another checkout of the
code (e.g. main before the change), ``--only stem,unet`` picks cases. Prints a Markdown table: seconds
for ``from_torch`` and ``output()``, the process's peak resident memory and how much of it the
numbers added (peak minus the resident size before ``from_torch``), the max |error| vs torch, and
the steps the stages hold (records are built only when read since issue 17), and what the network
view would cost (``convanim.cost.network_cost``, 4 channel pictures a map) against the default
limits.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/signal.py would shadow the standard library's signal (which torch and subprocess import)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CASES = ("stem", "unet", "block")


def models(torch):
    """The three models, by case name: (model in eval mode, input (C, H, W))."""
    nn = torch.nn

    def conv_bn(cin: int, cout: int) -> list:
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    class UNet(nn.Module):
        """Four levels: 8, 16, 32, 64 channels; each decoder level concatenates the encoder's map."""

        def __init__(self) -> None:
            super().__init__()
            w = (8, 16, 32, 64)
            self.enc1 = nn.Sequential(*conv_bn(3, w[0]), *conv_bn(w[0], w[0]))
            self.enc2 = nn.Sequential(*conv_bn(w[0], w[1]), *conv_bn(w[1], w[1]))
            self.enc3 = nn.Sequential(*conv_bn(w[1], w[2]), *conv_bn(w[2], w[2]))
            self.bottom = nn.Sequential(*conv_bn(w[2], w[3]), *conv_bn(w[3], w[3]))
            self.pool = nn.MaxPool2d(2)
            self.up3 = nn.ConvTranspose2d(w[3], w[2], 2, stride=2)
            self.dec3 = nn.Sequential(*conv_bn(2 * w[2], w[2]))
            self.up2 = nn.ConvTranspose2d(w[2], w[1], 2, stride=2)
            self.dec2 = nn.Sequential(*conv_bn(2 * w[1], w[1]))
            self.up1 = nn.ConvTranspose2d(w[1], w[0], 2, stride=2)
            self.dec1 = nn.Sequential(*conv_bn(2 * w[0], w[0]))
            self.head = nn.Conv2d(w[0], 2, 1)

        def forward(self, x):
            e1 = self.enc1(x)
            e2 = self.enc2(self.pool(e1))
            e3 = self.enc3(self.pool(e2))
            b = self.bottom(self.pool(e3))
            d3 = self.dec3(torch.cat([self.up3(b), e3], dim=1))
            d2 = self.dec2(torch.cat([self.up2(d3), e2], dim=1))
            d1 = self.dec1(torch.cat([self.up1(d2), e1], dim=1))
            return self.head(d1)

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

    def settle(model):
        """Running statistics that are not the identity, so batch norm changes the numbers."""
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.data.uniform_(0.5, 1.5)
                m.bias.data.uniform_(-0.1, 0.1)
        return model.eval()

    torch.manual_seed(0)
    stem = nn.Sequential(
        nn.Conv2d(3, 64, 7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)
    )
    return {
        "stem": lambda: (settle(stem), torch.rand(3, 224, 224)),
        "unet": lambda: (settle(UNet()), torch.rand(3, 128, 128)),
        "block": lambda: (settle(BasicBlock(64)), torch.rand(64, 32, 32)),
    }


def rss_mb() -> float:
    """The process's resident memory now, in MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_case(name: str) -> dict:
    """One case in this process: its figures as a dict."""
    import torch

    import convanim

    model, x = models(torch)[name]()
    before = rss_mb()
    limits = convanim.Limits(10**9, 10**9, 10**12)  # the numbers only: no view is drawn here
    t = time.perf_counter()
    s = convanim.from_torch(model, x, limits=limits)
    traced = time.perf_counter() - t
    t = time.perf_counter()
    out = s.output()
    numbers = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with torch.no_grad():
        ref = model.double()(x.double()[None])[0].numpy()
    return {
        **network(convanim, tuple(x.shape), s.stages),
        "case": name,
        "stages": len(s.stages),
        "steps": sum(st.n_steps for st in s.stages),
        "from_torch": traced,
        "output": numbers,
        "peak": peak,
        "added": peak - before,
        "error": float(abs(out - ref).max()),
    }


def network(convanim, image: tuple[int, int, int], stages) -> dict:
    """What the network view would draw (4 channel pictures a map) and whether the default limits
    accept it; "" for a tree without convanim.cost."""
    try:
        from convanim import cost
    except ImportError:
        return {"pixels": "", "work": "", "fits": ""}
    c = cost.network_cost(image, stages, len(stages) + 2, panels=4)
    try:
        cost.check(c, convanim.Limits(), "")
    except convanim.ScenarioError:
        return {"pixels": f"{c.pixels:,}", "work": f"{c.work:,}", "fits": "no"}
    return {"pixels": f"{c.pixels:,}", "work": f"{c.work:,}", "fits": "yes"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose convanim is timed")
    ap.add_argument("--only", default=",".join(CASES), help="cases, comma-separated: " + ", ".join(CASES))
    ap.add_argument("--case", help=argparse.SUPPRESS)  # one case, in a child process
    args = ap.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case)))
        return
    print(f"tree: {args.tree.resolve()}")
    print(
        "| case | stages | steps | from_torch s | output() s | peak MB | numbers MB | max error "
        "| network pixels | network work | fits the default limits |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name in args.only.split(","):
        env = {**os.environ, "PYTHONPATH": str(args.tree.resolve())}
        proc = subprocess.run(
            [sys.executable, __file__, "--case", name], env=env, capture_output=True, text=True, check=False
        )
        if proc.returncode:
            print(f"| {name} | failed: {proc.stderr.strip().splitlines()[-1:]} |")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"| {r['case']} | {r['stages']} | {r['steps']:,} | {r['from_torch']:.2f} | {r['output']:.2f} "
            f"| {r['peak']:.0f} | {r['added']:.0f} | {r['error']:.1e} "
            f"| {r['pixels']} | {r['work']} | {r['fits']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
