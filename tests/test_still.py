"""The still pictures: the PNG is the GIF's last frame pixel for pixel, byte-reproducible, and a
format of its own; the poster's SVG data URI reads back to the same picture as the inline SVG."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import numpy as np
from PIL import Image

import convanim
from convanim import export
from convanim.cli import main
from convanim.export.still import still_frame, still_png, svg_data_uri
from convanim.export.svg import frame_svg

from .helpers import COURSE_IMAGE, small

SVG = "http://www.w3.org/2000/svg"
ONE = '[image]\npattern = "square"\nsize = 5\n[kernel]\npreset = "mean"\n'


def rgb(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def gif_frames(data: bytes) -> list[np.ndarray]:
    gif = Image.open(io.BytesIO(data))
    out = []
    for k in range(gif.n_frames):
        gif.seek(k)
        out.append(np.asarray(gif.convert("RGB")))
    return out


def test_png_is_the_gifs_last_frame():
    s = convanim.Scenario(title="course", image=COURSE_IMAGE, kernel={"preset": "mean"})
    frames = s.frames()
    png = still_png(frames)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and Image.open(io.BytesIO(png)).mode == "P"
    assert still_frame(frames) == len(frames) - 1 == 65
    assert np.array_equal(rgb(png), gif_frames(s.to_bytes("gif"))[-1])
    assert rgb(png).shape == (frames.height, frames.width, 3)
    assert still_png(s.frames()) == png  # same frames, same bytes
    assert len(png) < 16_000  # a palette PNG: 40 kB as RGB


def test_png_format_from_the_api_and_the_command_line(tmp_path, capsys):
    s = small()
    assert "png" in export.formats() and export.get("png").suffix == ".png"
    assert s.save(tmp_path / "x.png") == len(still_png(s.frames()))
    assert (tmp_path / "x.png").read_bytes() == s.to_bytes("png") == still_png(s.frames())
    (tmp_path / "animations").mkdir()
    (tmp_path / "animations" / "one.toml").write_text(ONE)
    assert main(["--format", "png", "--jobs", "1", "-q"], root=tmp_path) == 0
    one = convanim.load(tmp_path / "animations" / "one.toml")
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == ["one.png"]
    assert (tmp_path / "output" / "one.png").read_bytes() == still_png(one.frames())


def test_svg_data_uri_reads_back_to_the_inline_svg():
    frames = small(title='it\'s "quoted" & <b>', caption="100% #1").frames()
    uri = svg_data_uri(frames, 0)
    body = uri.removeprefix("data:image/svg+xml,")
    assert uri != body and not any(c in body for c in '"#&') and "%22" in body
    got = ET.fromstring(unquote(body))
    want = ET.fromstring(frame_svg(frames, 0).replace("<svg ", f'<svg xmlns="{SVG}" ', 1))
    assert ET.tostring(got) == ET.tostring(want)
    texts = [el.text for el in got.iter(f"{{{SVG}}}text")]
    assert 'it\'s "quoted" & <b>' in texts and "100% #1" in texts


def test_the_svg_keeps_the_equations_run_of_spaces():
    """SVG collapses runs of spaces, and no CSS reaches an SVG shown as an <img> (the poster): the
    spaces after the first of a run are no-break, so the gap before "(cross-correlation …)" stays."""
    frames = convanim.Scenario(image=COURSE_IMAGE, kernel={"preset": "mean"}).frames()
    texts = [t.text for t in ET.fromstring(frame_svg(frames, 0)).iter("text")]
    equation = next(t for t in texts if t.startswith("output[a,b]"))
    assert "b+j]\u00a0\u00a0\u00a0(cross-correlation" not in equation  # the first space stays a space
    assert "b+j] \u00a0\u00a0(cross-correlation, as PyTorch)" in equation
