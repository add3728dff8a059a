"""Video: MP4 (H.264) and WebM (VP9), encoded by the ffmpeg binary of the ``imageio-ffmpeg`` wheel
through imageio's v3 API.

Time: one constant frame rate at which every frame's duration is a whole number of video frames
(1000 / gcd of the durations and 1000 ms, so 2 fps for 500 ms steps), each frame repeated that many
times; durations are exact and any player can seek. Frames are streamed from the raster painter
into ffmpeg's pipe, so memory stays flat however many steps there are. The picture is padded with
its background to even dimensions (yuv420p halves the chroma) and, with ``aspect="16:9"``, to that
shape, centred, for full-screen slides. Encoding is single-threaded with ffmpeg's bit-exact flags
and no metadata, so the same frames give the same bytes.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import reduce
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ..display import Frames
from ..paint.raster import RasterPainter
from . import register
from .compose import scaled
from .options import aspect as aspect_of
from .options import scale as scale_of

VIDEO_OPTIONS = ("scale", "aspect")
KEYFRAME_S = 30  #: a key frame at least every 30 s, for seeking (key frames are most of the bytes)
BITEXACT = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1", "-threads", "1"]


@dataclass(frozen=True)
class Codec:
    """How one container is encoded: ffmpeg's codec name and its output parameters."""

    extension: str
    codec: str
    params: tuple[str, ...]


MP4 = Codec(
    ".mp4", "libx264", ("-crf", "18", "-preset", "medium", "-tune", "animation", "-movflags", "+faststart")
)
WEBM = Codec(
    ".webm",
    "libvpx-vp9",
    ("-crf", "30", "-b:v", "0", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "0"),
)


MIN_FRAME_MS = 10  #: at most 100 fps (scenario durations are multiples of 10 ms)


def frame_ms(frames: Frames) -> int:
    """The video frame's duration: the largest divisor of 1000 ms and of every frame's duration
    (so each lasts a whole number of video frames), but at least ``MIN_FRAME_MS``."""
    return max(MIN_FRAME_MS, reduce(math.gcd, (f.duration_ms for f in frames.frames), 1000))


def repeats(frames: Frames, tick: int) -> list[int]:
    """How many video frames of ``tick`` ms each frame lasts: exactly its duration when ``tick``
    divides it, else its start and end rounded to the tick (never off by a whole video frame;
    a frame shorter than half a tick may be skipped)."""
    ends = np.cumsum([0, *(f.duration_ms for f in frames.frames)])
    marks = np.floor(ends / tick + 0.5).astype(int)
    return np.diff(marks).tolist()


def padded_size(width: int, height: int, ratio: tuple[int, int] | None) -> tuple[int, int]:
    """The smallest even size holding ``width × height`` (of shape ``ratio`` when given)."""
    if ratio is None:
        return width + width % 2, height + height % 2
    rw, rh = ratio
    m = max(math.ceil(width / rw), math.ceil(height / rh))
    while (m * rw) % 2 or (m * rh) % 2:
        m += 1
    return m * rw, m * rh


def video_frames(frames: Frames, size: tuple[int, int], unit: float = 1.0) -> Iterator[np.ndarray]:
    """Every video frame: each animation frame centred on a ``size`` canvas of the background,
    repeated for its duration. Yields the same buffer each time (ffmpeg copies it at once).
    ``unit``: the scale of a scaled display list (for the painter's fixed-size strokes)."""
    tick = frame_ms(frames)
    w, h = size
    canvas = np.empty((h, w, 3), np.uint8)
    painter = RasterPainter(frames, unit)
    canvas[:] = painter.background
    x0, y0 = (w - frames.width) // 2, (h - frames.height) // 2
    for count, (rgb, _) in zip(repeats(frames, tick), painter.changes(), strict=True):
        canvas[y0 : y0 + frames.height, x0 : x0 + frames.width] = rgb
        for _ in range(count):
            yield canvas


def encode(frames: Frames, fh: BinaryIO, codec: Codec, *, scale: Any = 1, aspect: Any = None) -> None:
    """Encode ``frames`` with ``codec`` into ``fh`` (ffmpeg writes a temporary file: MP4's
    faststart moves the index to the front, which needs a seekable file)."""
    import imageio.v3 as iio

    unit = scale_of(scale)
    frames = scaled(frames, unit)
    size = padded_size(frames.width, frames.height, aspect_of(aspect))
    fps = 1000 // frame_ms(frames)
    params = [*codec.params, "-g", str(fps * KEYFRAME_S), *BITEXACT]
    with tempfile.TemporaryDirectory(prefix="convanim-video-") as tmp:
        path = Path(tmp) / f"video{codec.extension}"
        with iio.imopen(path, "w", plugin="FFMPEG") as out:
            out.write(
                video_frames(frames, size, unit),
                is_batch=True,
                fps=fps,
                codec=codec.codec,
                pixelformat="yuv420p",
                quality=None,
                macro_block_size=1,
                ffmpeg_log_level="error",
                output_params=params,
            )
        with path.open("rb") as src:
            shutil.copyfileobj(src, fh)


@register("mp4", ".mp4", options=VIDEO_OPTIONS)
def write_mp4(frames: Frames, fh: BinaryIO, **options: Any) -> None:
    """H.264 in MP4, yuv420p, index first (``+faststart``): plays in PowerPoint, Keynote, browsers."""
    encode(frames, fh, MP4, **options)


@register("webm", ".webm", options=VIDEO_OPTIONS)
def write_webm(frames: Frames, fh: BinaryIO, **options: Any) -> None:
    """VP9 in WebM, yuv420p: for web pages and courses that ship WebM."""
    encode(frames, fh, WEBM, **options)
