"""GIF exporter: read back with Pillow (frames, durations, loop, colours), deterministic, merged holds."""

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence

import convanim
from convanim import export
from convanim.display import FrameInfo, Frames, Grid, Item, Rect
from convanim.export.gif import declared_colours
from convanim.frames import build
from convanim.paint.raster import RasterPainter

from .helpers import hex_rgb, small


def gif_frames(data: bytes):
    im = Image.open(io.BytesIO(data))
    out = [(np.asarray(f.convert("RGB")).copy(), f.info.get("duration")) for f in ImageSequence.Iterator(im)]
    return im, out


def test_frames_durations_loop_and_poster():
    s = small()
    frames = build(s)
    im, read = gif_frames(s.to_bytes("gif"))
    assert im.info["loop"] == 0  # loop forever
    assert len(read) == len(frames) == 11
    assert [d for _, d in read] == [300] + [100] * 9 + [700]
    painter = RasterPainter(frames)
    poster = painter.frame(0)
    flat = np.all(poster == read[0][0], axis=2)
    assert flat.mean() > 0.97  # only anti-aliasing shades may be approximated by the palette
    for rect in (s for s in frames.visible(0) if isinstance(s, Rect) and s.fill):
        y, x = int(rect.y + 2), int(rect.x + 2)
        assert tuple(read[0][0][y, x]) == hex_rgb(rect.fill)


def test_colours_at_window_outline_and_filled_output_cell():
    s = small()
    frames = build(s)
    _, read = gif_frames(s.to_bytes("gif"))
    k = 3  # step 2: output[0,2]
    image = read[k][0]
    window = max(
        (r for r in frames.visible(k) if isinstance(r, Rect) and r.stroke == "#e69f00"), key=lambda r: r.w
    )
    assert tuple(image[int(window.y + window.h / 2), int(window.x)]) == hex_rgb("#e69f00")
    g = frames.output_grid
    cell = next(
        r
        for r in frames.visible(k)
        if isinstance(r, Rect) and r.fill and (r.x, r.y) == (g.x + 2 * g.cell, g.y)
    )
    assert tuple(image[int(g.y + 4), int(g.x + 2 * g.cell + 4)]) == hex_rgb(cell.fill)
    assert tuple(image[int(g.y + g.cell / 2), int(g.x + 2 * g.cell)]) == hex_rgb(
        "#e69f00"
    )  # current cell outline
    # the same cell was hatched (not filled) in the frame before
    assert tuple(read[k - 1][0][int(g.y + 4), int(g.x + 2 * g.cell + 4)]) != hex_rgb(cell.fill)


def test_every_declared_colour_is_exact_in_the_palette():
    s = convanim.Scenario(image={"pattern": "random", "size": 8, "seed": 2}, kernel={"preset": "laplacian"})
    frames = build(s)
    im = Image.open(io.BytesIO(s.to_bytes("gif")))
    palette = np.array(im.getpalette()[: 256 * 3]).reshape(-1, 3)
    pal = {tuple(c) for c in palette.tolist()}
    for colour in declared_colours(frames):
        assert hex_rgb(colour) in pal


def test_same_input_same_bytes():
    assert small().to_bytes("gif") == small().to_bytes("gif")


def test_identical_consecutive_frames_merge_and_add_durations():
    a = Item(Rect(0, 0, 10, 10, fill="#ff0000"), 0, 3)
    b = Item(Rect(10, 0, 10, 10, fill="#0000ff"), 2, 3)
    infos = tuple(FrameInfo(d, None, None, "") for d in (100, 200, 300, 400))
    frames = Frames("t", 20, 10, "#ffffff", (a, b), infos, Grid(0, 0, 1, 1, 1))
    buf = io.BytesIO()
    export.get("gif").write(frames, buf)
    _, read = gif_frames(buf.getvalue())
    assert [d for _, d in read] == [300, 700]  # frames 0+1 and 2+3 are identical pairs
    assert tuple(read[1][0][5, 15]) == (0, 0, 255) and tuple(read[0][0][5, 15]) == (255, 255, 255)


def test_delta_frames_are_cropped_to_the_change():
    data = small().to_bytes("gif")
    im = Image.open(io.BytesIO(data))
    im.seek(5)
    assert im.tile[0][1] != (0, 0, im.width, im.height)  # a sub-rectangle, not a full frame
    assert len(data) < 11 * im.width * im.height / 10  # far smaller than raw frames


def test_unknown_format_and_suffix_are_errors(tmp_path):
    with pytest.raises(convanim.ConvanimError, match=r"^unknown format 'bmp'; available: gif, html, mp4"):
        export.get("bmp")
    with pytest.raises(
        convanim.ConvanimError, match=r"x\.bmp: unknown file suffix '\.bmp'; available: \.gif"
    ):
        small().save(tmp_path / "x.bmp")
    assert not (tmp_path / "x.bmp").exists()


def test_save_chooses_format_from_suffix_and_leaves_no_temp_file(tmp_path):
    n = small().save(tmp_path / "a.gif")
    assert (tmp_path / "a.gif").stat().st_size == n and n > 0
    assert [p.name for p in tmp_path.iterdir()] == ["a.gif"]


def test_frames_are_streamed_to_the_file_not_held_until_the_end(monkeypatch):
    from convanim.paint import raster

    events = []
    original = raster.RasterPainter.changes

    def logged(self):
        for k, item in enumerate(original(self)):
            events.append(("painted", k))
            yield item

    class Sink(io.BytesIO):
        def write(self, data):
            events.append(("wrote", len(data)))
            return super().write(data)

    monkeypatch.setattr(raster.RasterPainter, "changes", logged)
    frames = build(small())
    export.get("gif").write(frames, Sink())
    painted = [i for i, e in enumerate(events) if e[0] == "painted"]
    # Frame k is written once frame k+1 is known to differ: writes interleave with painting.
    writes_before_last_paint = [e for e in events[: painted[-1]] if e[0] == "wrote"]
    assert len(writes_before_last_paint) >= len(frames) - 1


def test_the_palette_read_frame_by_frame_is_the_one_of_the_three_frames_at_once_and_decodes_exactly():
    """The palette counts each sampled frame's colours alone, then merges the counts (one frame
    held at a time): the same palette as counting the three frames together, and every decoded
    frame is the painter's frame mapped to it."""
    from convanim.export.gif import COLOURS, PaletteIndex, _rgb, build_palette, colour_keys

    s = convanim.load(Path(__file__).parent.parent / "animations" / "network_unet.toml")
    frames = s.frames()
    palette = build_palette(frames, RasterPainter(frames))
    # the counting of before: the three frames concatenated, then the same choice of colours
    n, exact = len(frames), [_rgb(c) for c in declared_colours(frames)][:COLOURS]
    both = np.concatenate([f.reshape(-1, 3) for f in RasterPainter(frames).sample([0, n // 2, n - 1])])
    known = set(colour_keys(np.array(exact, np.uint8)).tolist())
    uniq, counts = np.unique(colour_keys(both), return_counts=True)
    mask = np.array([k not in known for k in uniq.tolist()], dtype=bool)
    room = COLOURS - len(exact)
    assert mask.sum() > room  # median cut picks the extra colours, weighted by their counts
    extra = np.repeat(uniq[mask], np.minimum(counts[mask], 1000))
    rgb = np.stack([(extra >> 16) & 255, (extra >> 8) & 255, extra & 255], axis=-1).astype(np.uint8)
    quant = Image.fromarray(rgb.reshape(1, -1, 3), "RGB").quantize(
        colors=room, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    pal = np.array(quant.getpalette()[: 3 * room], np.uint8).reshape(-1, 3)[np.unique(np.asarray(quant))]
    assert palette.tobytes() == np.concatenate([np.array(exact, np.uint8), pal]).tobytes()
    index, want_frames = PaletteIndex(palette), []
    for frame in RasterPainter(frames):  # consecutive equal frames are merged in the GIF
        if not want_frames or not np.array_equal(frame, want_frames[-1]):
            want_frames.append(frame.copy())
    decoded = [
        np.asarray(f.convert("RGB"))
        for f in ImageSequence.Iterator(Image.open(io.BytesIO(s.to_bytes("gif"))))
    ]
    assert len(decoded) == len(want_frames) > 3
    for k, (got, frame) in enumerate(zip(decoded, want_frames, strict=True)):
        assert np.array_equal(got, palette[index.keys(colour_keys(frame))]), f"frame {k}"
