"""What a hostile test found (issue 11): texts that break text layout, odd files and values, and the
classes of bug behind them."""

import io
import subprocess
import sys
import time
import unicodedata

import numpy as np
import pytest

import convanim
from convanim import cli
from convanim.cli import main
from convanim.display import Rect, Text
from convanim.frames.base import shorten
from convanim.layout import EQUATION_PX, PAD
from convanim.numfmt import formatter
from convanim.textsize import COVERED, _coverage, fast_width, text_width

from .helpers import ROOT

SQUARE = {"pattern": "square", "size": 5}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Rows\u001cand columns", "must be one line of visible text (got the control character U+001C)"),
        ("Rows\u001dand", "must be one line of visible text (got the control character U+001D)"),
        ("Rows\u001eand", "must be one line of visible text (got the control character U+001E)"),
        ("Rows\u0085and", "must be one line of visible text (got the control character U+0085)"),
        ("Rows\u2028and", "must be one line of visible text (got the line separator character U+2028)"),
        ("Rows\u2029and", "must be one line of visible text (got the paragraph separator character U+2029)"),
        ("a\u200db", "must be one line of visible text (got the format character U+200D)"),
        ("bell\u0007", "must be one line of visible text (got the control character U+0007)"),
        ("\ue000", "must be one line of visible text (got the private-use character U+E000)"),
        (
            "卷积 filter",
            "has characters the pictures' font (DejaVu Sans) cannot draw: '卷' (U+5377), '积' (U+79EF)",
        ),
        (
            "\U0001f1eb\U0001f1f7 flag",
            "has characters the pictures' font (DejaVu Sans) cannot draw: '🇫' (U+1F1EB), '🇷' (U+1F1F7)",
        ),
    ],
)
@pytest.mark.parametrize("key", ["title", "caption"])
def test_one_line_texts_refuse_what_text_layout_cannot_draw(key, text, message):
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.Scenario(image=SQUARE, kernel={"preset": "mean"}, **{key: text})
    assert str(err.value) == f"{key}: {message}"


def test_texts_the_font_draws_are_accepted_and_painted_without_warnings():
    title = "Glättung × Ω ∑ → ½ שלום ☃"  # the suite turns any warning into an error
    s = convanim.Scenario(image=SQUARE, kernel={"preset": "mean"}, title=title, caption="café")
    assert s.to_bytes("gif")[:6] == b"GIF89a"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (".", "image.file: '{p}' is a folder; give a PNG or JPEG file"),
        (
            "/dev/null",
            "image.file: '{p}' is not a regular file (a device or a pipe); give a PNG or JPEG file",
        ),
    ],
)
def test_a_folder_or_a_device_as_photo_is_named_as_such(tmp_path, path, message):
    p = str(tmp_path) if path == "." else path
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.Scenario(image={"file": p}, operation="relu")
    assert str(err.value) == message.format(p=p)


def test_auto_format_rounds_ties_away_from_zero():
    fmt = formatter(None, np.array([0.125, 0.375, -0.125, 2.675]))
    assert [fmt(v) for v in (0.125, 0.375, -0.125, 2.675, -0.001)] == [
        "0.13",
        "0.38",
        "\u22120.13",
        "2.68",
        "0.00",
    ]
    s = convanim.Scenario(image=np.array([[0.25, 0.0]]), kernel=np.array([[0.5, 1.0]]))
    assert s.output().tolist() == [[0.125]]
    texts = [it.shape.text for it in s.frames().items if isinstance(it.shape, Text)]
    assert "output[0,0] = 1/2\u00b70.25 + 1\u00b70.00 = 0.13" in texts


def test_a_constant_output_above_2_to_the_53_is_coloured_without_warnings():
    s = convanim.Scenario(image=np.full((3, 3), 1e12), kernel=np.full((3, 3), 1e12))
    assert s.output()[0, 0] > 2.0**53
    cells = [it.shape for it in s.frames().items if isinstance(it.shape, Rect) and it.first == 1]
    fills = {r.fill for r in cells if r.fill}
    assert fills and "#000000" not in fills  # the mid-grey of a constant, not black from a NaN


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(
        b'\xef\xbb\xbftitle = "With a BOM"\n[image]\npattern = "square"\nsize = 5\n[kernel]\npreset = "mean"\n'
    )
    assert convanim.load(path).title == "With a BOM"


GOOD = """title = "Good {n}"
[image]
pattern = "square"
size = 5
[kernel]
preset = "mean"
[timing]
step_ms = 100
"""


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course repository with three good scenarios and their gallery, all formats."""
    (tmp_path / "animations").mkdir()
    for n in (1, 2, 3):
        (tmp_path / "animations" / f"good{n}.toml").write_text(GOOD.format(n=n))
    monkeypatch.chdir(tmp_path)
    assert main(["--jobs", "1", "-q"], root=tmp_path) == 0
    return tmp_path


def test_check_reports_a_scenario_failing_while_rendering_and_checks_the_rest(course, capsys, monkeypatch):
    real = cli.build

    def build(s):
        if s.name == "good1":
            raise RuntimeError("boom")
        if s.name == "good2":
            raise convanim.ScenarioError("kernel", "refused while rendering")
        return real(s)

    monkeypatch.setattr(cli, "build", build)
    (course / "output" / "good3.gif").write_bytes(b"GIF89a")
    code = main(["--check"], root=course)
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        "animations/good1.toml: internal error, please report it: RuntimeError: boom",
        "animations/good2.toml: kernel: refused while rendering",
    ]
    assert out.splitlines() == ["output/good3.gif: differs from a fresh run"] and code == 3
    monkeypatch.setattr(cli, "build", lambda s: build(s) if s.name != "good1" else real(s))
    code = main(["--check", "--format", "gif"], root=course)
    out, err = capsys.readouterr()
    assert err == "animations/good2.toml: kernel: refused while rendering\n" and code == 2
    assert out == "output/good3.gif: differs from a fresh run\n"


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("terminal", [False, True])
def test_the_progress_bar_shows_in_a_terminal_only_however_slow_the_run(
    course, capsys, monkeypatch, terminal
):
    real = cli.render_task

    def slow(task):
        time.sleep(1.1)  # longer than the bar's delay: before the fix, the bar always appeared
        return real(task)

    monkeypatch.setattr(cli, "render_task", slow)
    err = Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["--jobs", "1", "--format", "gif", "good1", "good2"], root=course) == 0
    assert capsys.readouterr().out.count(" frames, ") == 2
    assert ("2/2" in err.getvalue()) == terminal and (err.getvalue() == "") != terminal


def test_shortening_an_equation_tries_a_logarithmic_number_of_texts():
    terms = [f"{i}.25" for i in range(4096)]
    tried = []

    def text(shown):
        tried.append(len(shown))
        return "output[0,0] = 1/4096 \u00b7 (" + " + ".join(shown) + ") = 2047.75"

    out = shorten(terms, text, 860)
    assert len(tried) <= 2 + 12 and fast_width(out, EQUATION_PX) <= 860
    assert text_width(out, EQUATION_PX) <= 860  # the estimate is an upper bound of the real width
    assert fast_width(text(terms[: tried[-1] + 1]), EQUATION_PX) > 860 or tried[-1] == len(terms) - 2


@pytest.mark.parametrize(
    "keys",
    [
        {"image": {"pattern": "random", "size": 16}, "kernel": {"preset": "gaussian", "size": 9}},
        {"image": {"pattern": "random", "size": 64}, "kernel": {"preset": "mean", "size": 64}},
        {
            "image": {"pattern": "random", "size": 17},
            "operation": "max_pool2d",
            "kernel_size": 16,
            "stride": 1,
        },
    ],
    ids=["gaussian9", "mean64", "maxpool16"],
)
def test_the_slow_reproducers_are_accepted_and_their_equations_fit(keys):
    s = convanim.Scenario(**keys)
    f = s.frames()
    eqs = [
        it.shape
        for it in f.items
        if isinstance(it.shape, Text) and it.shape.x == PAD and it.shape.size == EQUATION_PX
    ]
    assert len(eqs) == s.n_frames and all(t.x + text_width(t.text, t.size) <= f.width - 10 for t in eqs)


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (
            {"image": {"pattern": "random", "size": 40}, "kernel": {"preset": "gaussian", "size": 25}},
            "image: a 40×40 image needs 326,976 cells painted or written over its 256 steps (up to 1,250 a "
            "step: the window's cells and its taps); the limit is 100,000 (raise it with --max-work)",
        ),
        (
            {"image": {"pattern": "random", "size": 70}, "kernel": {"preset": "mean"}},
            "image: a 70×70 image needs 185,236 cells painted or written over its 4,624 steps (up to 18 a "
            "step: the window's cells and its taps); the limit is 100,000 (raise it with --max-work)",
        ),
    ],
    ids=["many-taps", "many-frames"],
)
def test_the_work_limit_refuses_what_would_take_minutes(keys, message):
    with pytest.raises(convanim.LimitError) as err:
        convanim.Scenario(**keys)
    assert str(err.value) == message
    assert convanim.Scenario(**keys, limits=convanim.Limits(max_work=400_000)).n_steps > 0


def test_the_blocks_checked_without_the_fonts_are_covered_by_them():
    refused = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}
    missing = [
        hex(c)
        for lo, hi in COVERED
        for c in range(lo, hi + 1)
        if unicodedata.category(chr(c)) not in refused and c not in _coverage()
    ]
    assert missing == []


@pytest.mark.parametrize("flag", ["--list", "--schema"])
def test_commands_that_paint_nothing_import_no_matplotlib(flag):
    run = subprocess.run(
        [sys.executable, "-X", "importtime", str(ROOT / "generate.py"), flag], capture_output=True, text=True
    )
    assert run.returncode == 0
    modules = [line.split("|")[-1].strip() for line in run.stderr.splitlines() if "|" in line]
    assert "convanim.cli" in modules and [m for m in modules if m.startswith("matplotlib")] == []
