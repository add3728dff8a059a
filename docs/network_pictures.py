"""The guide's pictures of the network view at real sizes (docs/_static/network-real-stem.png,
network-real-unet.png and network-unet-512.png): bench/real_sizes.py's ResNet stem on 3×224×224
and four-level U-Net on 3×128×128 (seeded weights, BatchNorm settled), and bench/network.py's
original U-Net (64 to 512 channels, its convolutions and ReLUs folded into one column), fed the
course's photograph (a square crop of animations/photos/grace_hopper.jpg, values 0–1): their last
frame, shrunk to 1600 px wide at most.
Run: ``python docs/network_pictures.py`` (needs torch)."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import convanim  # noqa: E402

WIDTH = 1600  #: the docs' content column is narrower; a click opens the picture at this size


def bench(name: str):
    """bench/<name>.py, loaded by path (bench/ is not a package: its signal.py would shadow the
    standard library's)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def photo(torch, side: int):
    """The course's photograph as a (3, side, side) float64 tensor of values 0–1."""
    import numpy as np

    with Image.open(ROOT / "animations" / "photos" / "grace_hopper.jpg") as im:
        short = min(im.size)
        square = im.convert("RGB").crop((0, 0, short, short))
        rgb = np.asarray(square.resize((side, side), Image.Resampling.LANCZOS), dtype=np.float64) / 255
    return torch.from_numpy(rgb.transpose(2, 0, 1).copy())


def main() -> None:
    import torch

    models = bench("real_sizes").models(torch)
    models["512"] = lambda: bench("network").big_model(torch, "unet4_512")
    for name, file in (
        ("stem", "network-real-stem"),
        ("unet", "network-real-unet"),
        ("512", "network-unet-512"),
    ):
        model, x = models[name]()
        s = convanim.from_torch(model, photo(torch, x.shape[-1]), render={"view": "network"})
        png = io.BytesIO(s.to_bytes("png", frame="last"))
        picture = Image.open(png).convert("RGB")
        if picture.width > WIDTH:
            height = round(picture.height * WIDTH / picture.width)
            picture = picture.resize((WIDTH, height), Image.Resampling.LANCZOS)
        out = ROOT / "docs" / "_static" / f"{file}.png"
        picture.save(out, optimize=True)
        print(f"{out.relative_to(ROOT)}: {picture.width}×{picture.height}, {out.stat().st_size:,} B")


if __name__ == "__main__":
    main()
