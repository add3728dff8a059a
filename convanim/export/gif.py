"""GIF exporter: one global palette, no dithering, delta frames, streamed frame by frame.

Pillow's multi-frame GIF writer keeps every frame in memory until the end; this writer emits each
frame as soon as the next one is known (identical frames are merged, their durations added), so
memory stays flat however many steps an animation has. Pillow still does the LZW coding.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

import numpy as np
from PIL import GifImagePlugin, Image

from ..display import Frames, Hatch, Line, Picture, Rect, Text
from ..paint.raster import RasterPainter
from . import register

TRANSPARENT = 255  # palette slot kept for "unchanged since the previous frame"
COLOURS = 255


def declared_colours(frames: Frames) -> list[str]:
    """Every flat colour the display list names (a picture's pixels included), in first-use
    order: these stay exact."""
    seen: dict[str, None] = {frames.background: None}
    for item in frames.items:
        s = item.shape
        if isinstance(s, Rect):
            for c in (s.fill, s.stroke):
                if c:
                    seen.setdefault(c)
        elif isinstance(s, (Hatch, Line, Text)):
            seen.setdefault(s.color)
        elif isinstance(s, Picture):  # its colours in reading order, as its cells drawn as rectangles
            keys = colour_keys(s.array()).reshape(-1)
            uniq, first = np.unique(keys, return_index=True)
            for key in uniq[np.argsort(first)].tolist():
                seen.setdefault(f"#{key:06x}")
    return list(seen)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def build_palette(frames: Frames, painter: RasterPainter) -> np.ndarray:
    """(≤255, 3) uint8 palette: the declared colours, then anti-aliasing shades sampled from the
    poster, a middle step and the final frame, reduced by median cut if there are too many."""
    exact = [_rgb(c) for c in declared_colours(frames)][:COLOURS]
    n = len(frames)
    # each frame's colours and counts, then merged: one frame's keys at a time (a 43-stage U-Net's
    # three whole frames and their keys were half its peak memory); the same counts as at once
    found = [
        np.unique(colour_keys(f), return_counts=True) for f in painter.samples(sorted({0, n // 2, n - 1}))
    ]
    uniq, where = np.unique(np.concatenate([u for u, _ in found]), return_inverse=True)
    counts = np.bincount(where, weights=np.concatenate([c for _, c in found])).astype(np.int64)
    known = set(colour_keys(np.array(exact, np.uint8)).tolist())
    extra_mask = np.array([k not in known for k in uniq.tolist()], dtype=bool)
    extra, counts = uniq[extra_mask], counts[extra_mask]
    room = COLOURS - len(exact)
    if len(extra) > room:
        pixels = np.repeat(_unkeys(extra), np.minimum(counts, 1000), axis=0)
        img = Image.fromarray(pixels.reshape(1, -1, 3), "RGB")
        quant = img.quantize(colors=room, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        pal = np.array(quant.getpalette()[: 3 * room], np.uint8).reshape(-1, 3)
        used = np.unique(np.asarray(quant))
        extra_rgb = pal[used]
    else:
        extra_rgb = _unkeys(extra)
    return np.concatenate([np.array(exact, np.uint8).reshape(-1, 3), extra_rgb]).astype(np.uint8)


def colour_keys(rgb: np.ndarray) -> np.ndarray:
    """Each RGB colour as one 24-bit integer, to look colours up in a table (built in place: a
    whole frame widened to uint32 first was 12 bytes a pixel more at a big network's peak)."""
    keys = rgb[..., 0].astype(np.uint32)
    keys <<= 8
    keys |= rgb[..., 1]
    keys <<= 8
    keys |= rgb[..., 2]
    return keys


def _unkeys(keys: np.ndarray) -> np.ndarray:
    return np.stack([(keys >> 16) & 255, (keys >> 8) & 255, keys & 255], axis=-1).astype(np.uint8)


class PaletteIndex:
    """RGB → palette index: exact for palette colours, nearest otherwise, memoised in a LUT."""

    def __init__(self, palette: np.ndarray) -> None:
        self.palette = palette.astype(np.int32)
        # uint8 with TRANSPARENT (never a colour's index) for "not seen yet": 16 MB to fill, not 32
        self.lut = np.full(1 << 24, TRANSPARENT, np.uint8)
        self.lut[colour_keys(palette)] = np.arange(len(palette), dtype=np.uint8)

    def keys(self, keys: np.ndarray) -> np.ndarray:
        """Palette indices of colours given as 24-bit keys (see ``colour_keys``)."""
        idx = self.lut[keys]
        missing = idx == TRANSPARENT
        if missing.any():
            new = np.unique(keys[missing])
            cols = _unkeys(new).astype(np.int32)
            dist = ((cols[:, None, :] - self.palette[None, :, :]) ** 2).sum(axis=2)
            self.lut[new] = dist.argmin(axis=1).astype(np.uint8)
            idx = self.lut[keys]
        return idx


def _header(width: int, height: int, palette: np.ndarray) -> bytes:
    table = np.zeros((256, 3), np.uint8)
    table[: len(palette)] = palette
    screen = struct.pack("<HHBBB", width, height, 0xF7, 0, 0)  # global table of 256 colours
    loop = b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", 0) + b"\x00"  # loop forever
    return b"GIF89a" + screen + table.tobytes() + loop


def _frame_bytes(indices: np.ndarray, offset: tuple[int, int], duration_ms: int) -> bytes:
    im = Image.fromarray(indices, "L")
    chunks = GifImagePlugin.getdata(
        im, offset=offset, duration=duration_ms, disposal=1, transparency=TRANSPARENT
    )
    return b"".join(chunks)


@register("gif", ".gif", gallery=True)
def write_gif(frames: Frames, fh: BinaryIO) -> None:
    """Write ``frames`` as a looping GIF to the binary file ``fh``."""
    painter = RasterPainter(frames)
    palette = build_palette(frames, painter)
    index = PaletteIndex(palette)
    fh.write(_header(frames.width, frames.height, palette))
    durations = [f.duration_ms for f in frames.frames]
    screen = np.zeros((frames.height, frames.width), np.uint32)  # what a viewer shows, as RGB keys
    pending: tuple[np.ndarray, tuple[int, int]] | None = None
    pending_ms = 0
    for k, (rgb, boxes) in enumerate(painter.changes()):
        patch = _delta(rgb, boxes, screen, index, first=k == 0)
        if patch is None:  # nothing changed: the previous frame just lasts longer
            pending_ms += durations[k]
            continue
        if pending is not None:
            fh.write(_frame_bytes(pending[0], pending[1], pending_ms))
        pending, pending_ms = patch, durations[k]
    if pending is not None:
        fh.write(_frame_bytes(pending[0], pending[1], pending_ms))
    fh.write(b";")


def _delta(
    rgb: np.ndarray,
    boxes: list[tuple[int, int, int, int]],
    screen: np.ndarray,
    index: PaletteIndex,
    *,
    first: bool,
) -> tuple[np.ndarray, tuple[int, int]] | None:
    """The palette indices of the smallest rectangle holding every changed pixel (unchanged ones
    transparent) and its offset, or None; only the painter's repainted boxes are compared.
    Updates ``screen``."""
    changes = []
    for x0, y0, x1, y1 in boxes:
        keys = colour_keys(rgb[y0:y1, x0:x1])
        mask = np.ones(keys.shape, bool) if first else keys != screen[y0:y1, x0:x1]
        if mask.any():
            screen[y0:y1, x0:x1] = keys
            changes.append((x0, y0, keys, mask))
    if not changes:
        return None
    bounds = [_bounds(x0, y0, mask) for x0, y0, _, mask in changes]
    ux0, uy0 = min(b[0] for b in bounds), min(b[1] for b in bounds)
    ux1, uy1 = max(b[2] for b in bounds), max(b[3] for b in bounds)
    patch = np.full((uy1 - uy0, ux1 - ux0), TRANSPARENT, np.uint8)
    for (x0, y0, keys, mask), (bx0, by0, bx1, by1) in zip(changes, bounds, strict=True):
        sub = mask[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0]
        target = patch[by0 - uy0 : by1 - uy0, bx0 - ux0 : bx1 - ux0]
        target[sub] = index.keys(keys[by0 - y0 : by1 - y0, bx0 - x0 : bx1 - x0][sub])
    return patch, (int(ux0), int(uy0))


def _bounds(x0: int, y0: int, mask: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return x0 + cols[0], y0 + rows[0], x0 + cols[-1] + 1, y0 + rows[-1] + 1
