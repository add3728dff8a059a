"""Real photographs as input images: PNG or JPEG through Pillow, grayscale, cropped and resized to
a teaching size. Bad files are refused in one line naming the file and the key."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import ScenarioError

FORMATS = ("PNG", "JPEG")


def photo_size(path: Path, key: str) -> tuple[int, int]:
    """(rows, cols) of a picture, from its header only (cheap), with the file checked."""
    with _open(path, key) as im:
        return im.height, im.width


def load_photo(
    path: Path,
    key: str,
    crop: tuple[int, int, int, int] | None,
    resize: tuple[int, int] | None,
    color: str = "gray",
) -> np.ndarray:
    """Values 0–255 (float64) of the picture as a (C, H, W) stack, one gray plane or the R, G and
    B planes, cropped to [top, left, height, width] and resized to [rows, cols] (Lanczos, the same
    bytes on every machine)."""
    with _open(path, key) as im:
        try:
            im.load()
        except (OSError, SyntaxError) as err:
            raise ScenarioError(key, f"{path.name} is truncated or damaged ({err})") from None
        gray = im.convert("L" if color == "gray" else "RGB")
    if crop is not None:
        top, left, height, width = crop
        gray = gray.crop((left, top, left + width, top + height))
    if resize is not None:
        gray = gray.resize((resize[1], resize[0]), Image.Resampling.LANCZOS)
    values = np.asarray(gray, dtype=np.float64)
    values = values[None] if values.ndim == 2 else np.ascontiguousarray(values.transpose(2, 0, 1))
    values.setflags(write=False)
    return values


def _open(path: Path, key: str) -> Image.Image:
    if path.is_dir():
        raise ScenarioError(key, f"{str(path)!r} is a folder; give a PNG or JPEG file")
    if path.exists() and not path.is_file():
        raise ScenarioError(
            key, f"{str(path)!r} is not a regular file (a device or a pipe); give a PNG or JPEG file"
        )
    if not path.is_file():
        raise ScenarioError(key, f"no such file {str(path)!r}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ScenarioError(
            key,
            f"{path.name} has more pixels than Pillow's decompression-bomb limit of "
            f"{Image.MAX_IMAGE_PIXELS:,}; shrink it first",
        ) from None
    except UnidentifiedImageError:
        raise ScenarioError(key, f"{path.name} is not a PNG or JPEG image") from None
    except OSError as err:
        raise ScenarioError(key, f"cannot read {path.name}: {err.strerror or err}") from None
    if im.format not in FORMATS:
        im.close()
        raise ScenarioError(key, f"{path.name} is a {im.format} image; use PNG or JPEG")
    if im.width * im.height > Image.MAX_IMAGE_PIXELS:
        im.close()
        raise ScenarioError(
            key,
            f"{path.name} has {im.width * im.height:,} pixels, more than Pillow's decompression-bomb "
            f"limit of {Image.MAX_IMAGE_PIXELS:,}",
        )
    return im
