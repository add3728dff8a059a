"""A display list's ``Picture`` as PNG bytes, for the formats that embed it (SVG, the player).

Deterministic: fixed options, no metadata, so the same pixels give the same bytes. A picture of
at most 256 colours (a map drawn through a colour scale) is written with a palette, one byte a
pixel before compression, in the order of the colours' values.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from ..display import Picture


def picture_png(picture: Picture) -> bytes:
    """The pixels of ``picture`` as PNG bytes (its own ``rows × cols``, not its drawn size)."""
    rgb = picture.array()
    keys = (rgb[:, :, 0].astype(np.uint32) << 16) | (rgb[:, :, 1].astype(np.uint32) << 8) | rgb[:, :, 2]
    colours, indices = np.unique(keys, return_inverse=True)
    if len(colours) <= 256:
        image = Image.fromarray(indices.reshape(keys.shape).astype(np.uint8), "P")
        palette = np.stack([(colours >> 16) & 255, (colours >> 8) & 255, colours & 255], axis=1)
        image.putpalette(palette.astype(np.uint8).reshape(-1).tolist())
    else:
        image = Image.fromarray(np.array(rgb), "RGB")
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def picture_base64(picture: Picture) -> str:
    """``picture_png`` in base64 (the body of a ``data:image/png;base64,`` URI)."""
    return base64.b64encode(picture_png(picture)).decode("ascii")


def picture_uri(picture: Picture) -> str:
    """``picture_png`` as a ``data:image/png;base64,`` URI."""
    return "data:image/png;base64," + picture_base64(picture)
