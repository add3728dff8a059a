"""Readers for the media tests: ffmpeg (the imageio-ffmpeg wheel's binary) and poppler's tools."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@dataclass(frozen=True)
class Probe:
    """What ``ffmpeg -i`` says of a video's first stream."""

    codec: str
    pix_fmt: str
    width: int
    height: int
    fps: float
    duration_s: float


def probe(path: Path) -> Probe:
    """Parse ``ffmpeg -i`` (it exits 1 for want of an output file; its stderr is what we read)."""
    err = subprocess.run([ffmpeg(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", err).groups()
    stream = re.search(r"Video: (\w+).*?, (\w+)(?:\([^)]*\))?, (\d+)x(\d+).*?, ([\d.]+) fps", err)
    codec, pix_fmt, w, hh, fps = stream.groups()
    return Probe(codec, pix_fmt, int(w), int(hh), float(fps), int(h) * 3600 + int(m) * 60 + float(s))


def decode(path: Path, width: int, height: int) -> np.ndarray:
    """Every decoded frame as (N, H, W, 3) uint8, through ffmpeg's raw RGB output."""
    raw = subprocess.run(
        [ffmpeg(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)


def tool(name: str) -> str:
    """A command-line tool CI installs (.ci/run); its absence is a failure saying what to install."""
    path = shutil.which(name)
    if path is None:  # pragma: no cover - CI installs it
        raise AssertionError(
            f"{name} not found: apt-get install --no-install-recommends texlive-latex-extra poppler-utils"
        )
    return path


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run([tool("pdfinfo"), str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def pdf_text(path: Path, page: int | None = None) -> str:
    pages = [] if page is None else ["-f", str(page), "-l", str(page)]
    return subprocess.run(
        [tool("pdftotext"), *pages, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
