"""Stills (PNG, SVG, PDF of any frame), storyboards and the beamer snippet: read back and checked
against the display list (texts, sizes, pixels); the beamer deck is compiled by pdflatex."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

import convanim
from convanim.cli import main
from convanim.display import Text
from convanim.export import beamer
from convanim.paint.raster import RasterPainter
from convanim.paint.vector import write_pdf
from tests.helpers import ROOT, hex_rgb, picture_frames, small
from tests.media import pdf_info, pdf_text, tool

SVG = "{http://www.w3.org/2000/svg}"


def texts(frames, k: int) -> list[str]:
    """The strings of the Text shapes drawn in frame ``k``, in drawing order."""
    return [shape.text for shape in frames.visible(k) if isinstance(shape, Text)]


def svg_texts(path) -> list[str]:
    """The SVG's texts as the display list has them (a run of spaces is written with no-break
    spaces after its first, which SVG would otherwise collapse)."""
    return [el.text.replace("\u00a0", " ") for el in ET.parse(path).getroot().iter(f"{SVG}text")]


@pytest.mark.parametrize(("frame", "k"), [(3, 3), ("3", 3), ("last", 10), (0, 0)])
def test_svg_still_holds_the_frames_text(tmp_path, frame, k):
    s = small()
    frames = s.frames()
    s.save(tmp_path / "x.svg", frame=frame)
    root = ET.parse(tmp_path / "x.svg").getroot()
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("684", "392", "0 0 684 392")
    assert svg_texts(tmp_path / "x.svg") == texts(frames, k)
    if k == 3:
        assert "output[0,2] = 1/9 · (2 + 3 + 4 + 7 + 8 + 9 + 12 + 13 + 14) = 72/9 = 8.0" in texts(frames, 3)


def test_svg_defaults_to_the_final_frame_and_scales_its_nominal_size(tmp_path):
    s = small()
    s.save(tmp_path / "x.svg", scale=2)
    root = ET.parse(tmp_path / "x.svg").getroot()
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("1368", "784", "0 0 684 392")
    assert svg_texts(tmp_path / "x.svg") == texts(s.frames(), 10)


def test_png_still_is_the_gifs_frame_and_scales_for_print(tmp_path):
    s = small()
    frames = s.frames()
    s.save(tmp_path / "x.png", frame=4)
    s.save(tmp_path / "x.gif")
    with Image.open(tmp_path / "x.png") as im, Image.open(tmp_path / "x.gif") as gif:
        gif.seek(4)  # at scale 1 the PNG is the GIF's frame, in the GIF's palette
        assert np.array_equal(np.asarray(im.convert("RGB")), np.asarray(gif.convert("RGB")))
        painted = RasterPainter(frames).frame(4)  # which is the painter's but for a few shades
        assert (np.abs(np.asarray(im.convert("RGB"), int) - painted).max(axis=2) > 8).mean() < 0.01
    s.save(tmp_path / "x2.png", frame=4, scale=2)
    grid = frames.output_grid
    with Image.open(tmp_path / "x2.png") as im:
        assert im.size == (1368, 784)
        big = np.asarray(im.convert("RGB"))
    # 3 px inside the corner of output cell (2, 2), in the final frame, at once and twice the size
    x, y = grid.x + 2 * grid.cell + 3, grid.y + 2 * grid.cell + 3
    once = RasterPainter(frames).frame(10)[int(y), int(x)]
    s.save(tmp_path / "last2.png", scale=2)
    with Image.open(tmp_path / "last2.png") as im:
        assert tuple(np.asarray(im.convert("RGB"))[int(2 * y), int(2 * x)]) == tuple(once)
    assert big.shape == (784, 1368, 3)


def test_pdf_still_has_the_picture_size_and_real_text(tmp_path):
    s = small()
    frames = s.frames()
    s.save(tmp_path / "x.pdf", frame=3)
    info = pdf_info(tmp_path / "x.pdf")
    assert (info["Pages"], info["Page size"]) == ("1", "684 x 392 pts")
    text = pdf_text(tmp_path / "x.pdf")
    assert "output[0,2] = 1/9 · (2 + 3 + 4 + 7 + 8 + 9 + 12 + 13 + 14) = 72/9 = 8.0" in text
    assert "small" in text and "step 3 / 9" in text
    assert s.to_bytes("pdf", frame=3) == (tmp_path / "x.pdf").read_bytes()  # reproducible
    assert frames.title == "small"


def test_bad_frame_is_one_line_error_and_writes_nothing(tmp_path):
    s = small()
    for frame in (11, -1, "first", 2.0, True):
        with pytest.raises(convanim.ConvanimError) as err:
            s.save(tmp_path / "x.svg", frame=frame)
        assert str(err.value) == f"frame: must be an index 0–10 (0 is the poster) or 'last' (got {frame!r})"
    with pytest.raises(convanim.ConvanimError) as err:
        s.save(tmp_path / "x.gif", frame=1)
    assert str(err.value) == "format 'gif' takes no option 'frame' (its options: none)"
    assert list(tmp_path.iterdir()) == []


def test_storyboard_holds_the_chosen_frames_with_their_readouts(tmp_path):
    s = small()
    frames = s.frames()
    s.save(tmp_path / "x.storyboard.svg")  # default: poster, first three steps, middle, final
    got = svg_texts(tmp_path / "x.storyboard.svg")
    for k in (0, 1, 2, 3, 5, 10):
        info = frames.frames[k]
        assert f"frame {k} · {info.duration_ms} ms" in got
        assert info.readout in got
    assert "frame 4 · 100 ms" not in got
    s.save(tmp_path / "y.storyboard.pdf", frames=[7, "last"])
    info = pdf_info(tmp_path / "y.storyboard.pdf")
    assert (info["Pages"], info["Page size"]) == ("1", "1440 x 530 pts")  # 24 + 684 + 24 + 684 + 24 wide
    text = pdf_text(tmp_path / "y.storyboard.pdf")
    assert "step 7/9: output[2,0] = 16.0" in text and "done: output 3×3" in text
    assert "frame 7 · 100 ms" in text and "frame 10 · 700 ms" in text and "frame 0 ·" not in text
    s.save(tmp_path / "z.storyboard.png", frames="1,2", scale=0.5)
    with Image.open(tmp_path / "z.storyboard.png") as im:
        assert im.size == (720, 265)


def test_storyboard_png_panels_are_the_frames(tmp_path):
    s = small()
    frames = s.frames()
    s.save(tmp_path / "x.storyboard.png", frames=[4])
    with Image.open(tmp_path / "x.storyboard.png") as im:
        sheet = np.asarray(im.convert("RGB"))
    y0 = round(24 + 20 * 1.35 + 12)  # margin, one title line, half a gap
    panel = sheet[y0 + 2 : y0 + 392 - 2, 24 + 2 : 24 + 684 - 2]  # inside the panel's frame line
    expected = RasterPainter(frames).frame(4)[2:-2, 2:-2]
    assert np.abs(panel.astype(int) - expected).mean() < 0.5
    assert sheet[0, 0].tolist() == list(hex_rgb(frames.background))


def test_storyboard_frames_option_errors():
    s = small()
    with pytest.raises(convanim.ConvanimError) as err:
        s.to_bytes("storyboard-svg", frames=[])
    assert str(err.value) == "frames: must be a non-empty list of frame indices or 'last' (got [])"
    with pytest.raises(convanim.ConvanimError) as err:
        s.to_bytes("storyboard-svg", frames=[1, 12])
    assert str(err.value) == "frames: must be an index 0–10 (0 is the poster) or 'last' (got 12)"


def test_beamer_snippet_keeps_every_frames_duration():
    s = small()
    tex = s.to_bytes("beamer").decode()
    lines = [line for line in tex.splitlines() if not line.startswith("%")]
    assert lines[0] == r"\begin{animateinline}[controls,poster=first]{3.333333}"
    assert lines[-1] == r"\end{animateinline}"
    include = r"\includegraphics[page=%d,width=\linewidth,height=0.8\textheight,keepaspectratio]{scenario-frames.pdf}"
    body = [line.split("%")[0] for line in lines[1:-1]]
    expected = [include % 1, r"\newframe[10]", include % 2]
    for page in range(3, 11):
        expected += [r"\newframe", include % page]
    expected += [r"\newframe[1.428571]", include % 11]
    assert body == expected
    assert beamer.rate(1500) == "0.666667" and beamer.rate(500) == "2" and beamer.rate(3000) == "0.333333"


def test_beamer_deck_compiles_with_pdflatex(tmp_path):
    s = small(title="Mean filter on a ramp")
    assert s.save(tmp_path / "mean.tex") == (tmp_path / "mean.tex").stat().st_size
    frames_pdf = tmp_path / "mean-frames.pdf"
    info = pdf_info(frames_pdf)
    assert (info["Pages"], info["Page size"]) == ("11", "684 x 392 pts")
    assert "step 7 / 9" in pdf_text(frames_pdf, 8)
    (tmp_path / "deck.tex").write_text(
        "\\documentclass{beamer}\n\\usepackage{graphicx}\n\\usepackage{animate}\n\\begin{document}\n"
        "\\begin{frame}{Convolution}\n\\input{mean.tex}\n\\end{frame}\n\\end{document}\n"
    )
    for _ in range(2):  # animate needs a second run to settle its page references
        done = subprocess.run(
            [tool("pdflatex"), "-interaction=nonstopmode", "-halt-on-error", "deck.tex"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout[-2000:]
    info = pdf_info(tmp_path / "deck.pdf")
    assert info["Pages"] == "1"
    text = pdf_text(tmp_path / "deck.pdf")
    assert "Convolution" in text and "Mean filter on a ramp" in text and "9 steps" in text  # the poster
    assert "Package animate Warning" not in (tmp_path / "deck.log").read_text(errors="replace")


def test_cli_writes_stills_storyboards_and_beamer(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["convol_stride2", "--animations", str(ROOT / "animations"), "--out", str(out), "--jobs", "1"]
    code = main([*argv, "--format", "png,svg,storyboard-pdf,beamer", "--frame", "5", "--scale", "2", "-q"])
    assert code == 0, capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == [
        "convol_stride2-frames.pdf",
        "convol_stride2.png",
        "convol_stride2.storyboard.pdf",
        "convol_stride2.svg",
        "convol_stride2.tex",
    ]
    s = convanim.load(ROOT / "animations" / "convol_stride2.toml")
    frames = s.frames()
    assert svg_texts(out / "convol_stride2.svg") == texts(frames, 5)
    with Image.open(out / "convol_stride2.png") as im:
        assert im.size == (2 * frames.width, 2 * frames.height)
    assert (out / "convol_stride2.tex").read_bytes() == s.to_bytes("beamer")
    assert pdf_info(out / "convol_stride2-frames.pdf")["Pages"] == str(len(frames))


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--format", "gif", "--frame", "2"],
            "argument --frame: applies to png, svg, pdf only (formats asked: gif)",
        ),
        (
            ["--format", "mp4", "--aspect", "16/9"],
            "argument --aspect: must be 'W:H' such as '16:9' or '4:3', or 'none' (got '16/9')",
        ),
        (["--format", "png", "--scale", "x"], "argument --scale: must be a number from 0.25 to 8 (got 'x')"),
    ],
)
def test_cli_option_errors_are_one_line(tmp_path, capsys, flags, message):
    with pytest.raises(SystemExit) as exc:
        main(["convol_stride2", "--animations", str(ROOT / "animations"), "--out", str(tmp_path), *flags])
    assert exc.value.code == 2
    assert capsys.readouterr().err == f"generate.py: {message} (see --help)\n"
    assert list(tmp_path.iterdir()) == []


def test_cli_frame_out_of_range_names_the_scenario(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code = main(["convol_stride2", "--out", str(tmp_path), "--format", "svg", "--frame", "99", "--jobs", "1"])
    assert code == 2
    err = capsys.readouterr().err
    assert (
        err
        == "animations/convol_stride2.toml: frame: must be an index 0–17 (0 is the poster) or 'last' (got '99')\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_captions_wrap_within_the_panel():
    from convanim.export.compose import wrap
    from convanim.textsize import text_width

    text = "stage 1 (conv2d): step 1/1020, a readout longer than its panel is wide"
    lines = wrap(text, 16, 200)
    assert " ".join(lines) == text and len(lines) == 3
    assert all(text_width(line, 16) <= 200 for line in lines)
    assert wrap("unbreakable_word_wider_than_the_panel", 16, 50) == ["unbreakable_word_wider_than_the_panel"]


def test_pdf_draws_the_same_picture_as_the_raster_painter(tmp_path):
    s = small()
    frames = s.frames()
    s.save(tmp_path / "x.pdf", frame=3)
    subprocess.run(
        [tool("pdftoppm"), "-r", "72", "-png", "-singlefile", str(tmp_path / "x.pdf"), str(tmp_path / "x")],
        check=True,
    )
    with Image.open(tmp_path / "x.png") as im:
        drawn = np.asarray(im.convert("RGB")).astype(int)
    painter = RasterPainter(frames)
    same, next_step = (np.abs(drawn - painter.frame(k).astype(int)).mean() for k in (3, 4))
    assert same < 2.5 < 4 < next_step  # anti-aliasing and hinting differ; the shapes do not


def test_pdf_draws_a_picture_s_blocks_unsmoothed(tmp_path):
    frames = picture_frames()
    with open(tmp_path / "x.pdf", "wb") as fh:
        write_pdf(frames, fh, [1])
    subprocess.run(
        [tool("pdftoppm"), "-r", "72", "-png", "-singlefile", str(tmp_path / "x.pdf"), str(tmp_path / "x")],
        check=True,
    )
    with Image.open(tmp_path / "x.png") as im:
        drawn = np.asarray(im.convert("RGB")).astype(int)
    want = RasterPainter(frames).frame(1).astype(int)
    inside = np.zeros(want.shape[:2], bool)
    inside[7:35, 11:49] = True
    inside[:, 55:] = True
    assert drawn.shape == want.shape
    assert np.abs(drawn[inside] - want[inside]).max() <= 2  # the blocks, not a blur between them
