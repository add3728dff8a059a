"""Scenario errors a newcomer can act on: every mistake of a file in one run, each on its own line
as ``file:line: key: message``, with a suggestion or the fix where there is one."""

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import convanim
from convanim import cli
from convanim.command import main as convanim_main
from convanim.display import Text
from convanim.errors import Collect, ScenarioError
from convanim.scenario import load

from .helpers import ROOT

GOOD = """\
title = "Good"
[image]
pattern = "square"
size = 5
[kernel]
preset = "mean"
"""


def refused(tmp_path: Path, text: str, capsys) -> list[str]:
    """The error lines of a build of one scenario file with ``text``."""
    (tmp_path / "animations").mkdir(exist_ok=True)
    (tmp_path / "animations" / "bad.toml").write_text(text, encoding="utf-8")
    code = cli.main(["bad", "--jobs", "1", "--format", "gif"], root=tmp_path)
    out, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in out + err
    return err.splitlines()


@pytest.fixture
def course(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_two_mistakes_in_one_file_give_two_lines_with_their_line_numbers(course, capsys):
    text = GOOD.replace("size = 5", "size = 0").replace('preset = "mean"', 'preset = "mean"\nsigma = 2')
    assert refused(course, text, capsys) == [
        "animations/bad.toml:4: image.size: must be a positive integer (got 0)",
        "animations/bad.toml:7: kernel.sigma: only applies to preset 'gaussian' (got preset 'mean')",
    ]


def test_a_typo_gets_the_right_suggestion(course, capsys):
    text = GOOD.replace("[kernel]", "[kernal]") + '[render]\ntheme = "drak"\n'
    assert refused(course, text, capsys) == [
        "animations/bad.toml:5: kernal: unknown table; did you mean [kernel]?",
        "animations/bad.toml:8: render.theme: must be one of 'light', 'dark', 'contrast' (got 'drak'); "
        "did you mean 'dark'?",
    ]
    text = GOOD.replace("preset =", "presett =").replace("pattern", "patern")
    assert refused(course, text, capsys) == [
        "animations/bad.toml:3: image.patern: unknown key; did you mean `pattern`?",
        "animations/bad.toml:6: kernel.presett: unknown key; did you mean `preset`?",
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"operation": "conv"}, "operation: must be one of 'conv2d', 'conv_transpose2d', 'max_pool2d', "
         "'avg_pool2d', 'adaptive_avg_pool2d', 'adaptive_max_pool2d', 'upsample', 'relu', 'leaky_relu', "
         "'sigmoid', 'tanh', 'gelu', 'hardtanh', 'identity', 'batch_norm', 'cat', 'add', 'conv1d', "
         "'conv_transpose1d', 'max_pool1d', 'avg_pool1d' (got 'conv'); did you mean 'conv2d'?"),
        ({"kernel": {"preset": "sobelx"}}, "kernel.preset: must be one of 'mean', 'gaussian', 'identity', "
         "'sobel_x', 'sobel_y', 'prewitt_x', 'prewitt_y', 'laplacian', 'sharpen' (got 'sobelx'); did you "
         "mean 'sobel_x'?"),
        ({"kernel": {"preset": "sobel"}}, "kernel.preset: must be one of 'mean', 'gaussian', 'identity', "
         "'sobel_x', 'sobel_y', 'prewitt_x', 'prewitt_y', 'laplacian', 'sharpen' (got 'sobel'); did you "
         "mean 'sobel_x'?"),  # a tie goes to the option listed first, not to difflib's last
        ({"padding": 1, "padding_mode": "reflection"}, "padding_mode: must be one of 'zeros', 'reflect', "
         "'replicate', 'circular' (got 'reflection'); did you mean 'reflect'?"),
        ({"padding": "Same"}, 'padding: must be an integer, [rows, cols], [top, bottom, left, right], '
         "\"valid\", \"same\" or \"full\" (got 'Same'); did you mean 'same'?"),
        ({"render": {"theme": "Dark"}}, "render.theme: must be one of 'light', 'dark', 'contrast' (got "
         "'Dark'); did you mean 'dark'?"),
        ({"render": {"theme": "night"}}, "render.theme: must be one of 'light', 'dark', 'contrast' (got "
         "'night')"),  # not "light": a typo seldom changes the first letter
        ({"strides": 2}, "strides: unknown key; did you mean `stride`?"),
        ({"image": {"pattern": "square", "size": 5, "sise": 5}}, "image.sise: unknown key; did you mean "
         "`size`?"),
        ({"image": {"pattern": "square", "size": 5, "colour": "rgb"}}, "image.colour: unknown key; did you "
         "mean `color`?"),
        ({"image": {"pattern": "squares", "size": 5}}, "image.pattern: must be one of 'square', "
         "'checkerboard', 'gradient', 'disk', 'cross', 'stripes', 'step', 'sine', 'random' (got 'squares'); "
         "did you mean "
         "'square'?"),
    ],
)  # fmt: skip
def test_names_get_did_you_mean(changes, message):
    keys = {"image": {"pattern": "square", "size": 5}, "kernel": {"preset": "mean"}, **changes}
    with pytest.raises(ScenarioError) as err:
        convanim.Scenario(**keys)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"stride": "1"}, "stride: must be a positive integer (got '1'; drop the quotes)"),
        ({"stride": [1, "2"]}, "stride[1]: must be a positive integer (got '2'; drop the quotes)"),
        ({"padding": "1"}, 'padding: must be an integer, [rows, cols], [top, bottom, left, right], "valid", '
         "\"same\" or \"full\" (got '1'; drop the quotes)"),
        ({"kernel": {"preset": "gaussian", "sigma": "1.5"}}, "kernel.sigma: must be a number (got '1.5'; drop "
         "the quotes)"),
        ({"render": {"equation": "false"}}, "render.equation: must be true or false (got 'false'; drop the "
         "quotes)"),
        ({"stride": "two"}, "stride: must be a positive integer (got 'two')"),  # not a number: no hint
    ],
)  # fmt: skip
def test_a_quoted_number_says_to_drop_the_quotes(changes, message):
    keys = {"image": {"pattern": "square", "size": 5}, "kernel": {"preset": "mean"}, **changes}
    with pytest.raises(ScenarioError) as err:
        convanim.Scenario(**keys)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kernel": {"preset": "mean", "size": 7}}, "kernel.size: the 7×7 kernel is larger than the 5×5 "
         "image; padding = 1 would make it fit"),
        ({"kernel": {"preset": "mean", "size": [9, 3]}}, "kernel.size: the 9×3 kernel is larger than the "
         "5×5 image; padding = 2 would make it fit"),
        ({"kernel": {"preset": "mean", "size": 9}, "padding": 1}, "kernel.size: the 9×9 kernel is larger "
         "than the 7×7 padded image; padding = 2 would make it fit"),
        ({"kernel": {"preset": "mean", "size": 3}, "dilation": 3}, "kernel.size: the 3×3 kernel (spanning "
         "7×7 with dilation 3) is larger than the 5×5 image; padding = 1 would make it fit"),
        # reflect padding must stay under the image's size: 3 would not, so no hint
        ({"image": {"pattern": "square", "size": 2}, "kernel": {"preset": "mean", "size": 7},
          "padding": [0, 0], "padding_mode": "reflect"},
         "kernel.size: the 7×7 kernel is larger than the 2×2 image"),
        ({"operation": "max_pool2d", "kernel": None, "kernel_size": 7}, "kernel_size: the 7×7 window is "
         "larger than the 5×5 input; padding = 1 would make it fit"),
    ],
)  # fmt: skip
def test_a_kernel_larger_than_its_input_names_the_padding_that_makes_it_fit(changes, message):
    keys = {"image": {"pattern": "square", "size": 5}, "kernel": {"preset": "mean"}, **changes}
    with pytest.raises(ScenarioError) as err:
        convanim.Scenario(**{k: v for k, v in keys.items() if v is not None})
    assert str(err.value) == message
    if "would make it fit" in message:  # and it does
        padding = int(message.rsplit("padding = ", 1)[1].split()[0])
        convanim.Scenario(**{**{k: v for k, v in keys.items() if v is not None}, "padding": padding})


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"image": {"values": [[1]], "pattern": "square", "size": 3}}, "image: give exactly one of `values`, "
         "`pattern`, `planes` or `file` (got `values` and `pattern`)"),
        ({"image": {"low": 1}}, "image: give exactly one of `values`, `pattern`, `planes` or `file` (got "
         "none)"),
        ({"image": {"values": [[1]]}, "kernel": {"values": [[1]], "preset": "mean"}}, "kernel: give exactly "
         "one of `values` or `preset` (got `values` and `preset`)"),
        ({"image": {"values": [[1]]}, "operation": "upsample", "kernel": None, "scale_factor": 2,
          "size": 2}, "scale_factor: give exactly one of `scale_factor` or `size` for upsample (got "
         "`scale_factor` and `size`)"),
    ],
)  # fmt: skip
def test_give_exactly_one_of_names_the_ones_given(keys, message):
    keys = {"kernel": {"values": [[1]]}, **keys}
    with pytest.raises(ScenarioError) as err:
        convanim.Scenario(**{k: v for k, v in keys.items() if v is not None})
    assert str(err.value) == message


# Keys that have no effect beside another are refused, not silently ignored: one case per pair.
NO_EFFECT = [
    ({"values": [[1, 2]], "low": 100}, "image.low: does not apply to an image given by `values`"),
    ({"values": [[1, 2]], "high": 200}, "image.high: does not apply to an image given by `values`"),
    ({"values": [[1, 2]], "period": 3}, "image.period: does not apply to an image given by `values`"),
    ({"values": [[1, 2]], "size": 2}, "image.size: does not apply to an image given by `values`"),
    ({"values": [[1, 2]], "seed": 2}, "image.seed: does not apply to an image given by `values`"),
    ({"values": [[1, 2]], "channels": 2}, "image.channels: does not apply to an image given by `values`"),
    ({"values": [[1, 2]], "crop": [0, 0, 1, 1]}, "image.crop: does not apply to an image given by `values`"),
    ({"values": [[1, 2]], "resize": 2}, "image.resize: does not apply to an image given by `values`"),
    ({"values": [[1, 2]], "color": "rgb"}, "image.color: does not apply to an image given by `values`"),
    ({"planes": [{"values": [[1]]}], "low": 1}, "image.low: does not apply to an image given by `planes`"),
    ({"planes": [{"values": [[1]]}], "high": 1}, "image.high: does not apply to an image given by `planes`"),
    ({"planes": [{"pattern": "checkerboard"}], "size": 2, "period": 1},
     "image.period: does not apply to an image given by `planes`"),
    ({"planes": [{"values": [[1]]}], "size": 2},
     "image.size: only applies to planes given by a `pattern`; these have `values`"),
    ({"planes": [{"values": [[1]], "low": 1}]}, "image.planes[0].low: does not apply to a plane given by `values`"),
    ({"planes": [{"values": [[1]], "high": 1}]},
     "image.planes[0].high: does not apply to a plane given by `values`"),
    ({"planes": [{"values": [[1]], "period": 1}]},
     "image.planes[0].period: does not apply to a plane given by `values`"),
    ({"planes": [{"values": [[1]], "seed": 1}]}, "image.planes[0].seed: does not apply to a plane given by `values`"),
    ({"planes": [{"pattern": "square", "period": 3}], "size": 3},
     "image.planes[0].period: only applies to patterns 'checkerboard' and 'stripes' (got pattern 'square')"),
    ({"pattern": "disk", "size": 5, "period": 3},
     "image.period: only applies to patterns 'checkerboard' and 'stripes' (got pattern 'disk')"),
    ({"pattern": "disk", "size": 5, "period": 2},  # the default value, given: refused too
     "image.period: only applies to patterns 'checkerboard' and 'stripes' (got pattern 'disk')"),
    ({"pattern": "disk", "size": 5, "seed": 3}, "image.seed: only applies to pattern 'random' (got pattern 'disk')"),
    ({"file": "p.png", "low": 1}, "image.low: does not apply to an image given by `file`"),
    ({"file": "p.png", "period": 2}, "image.period: does not apply to an image given by `file`"),
    ({"file": "p.png", "size": 2}, "image.size: does not apply to an image given by `file`"),
]  # fmt: skip


@pytest.mark.parametrize(("image", "message"), NO_EFFECT)
def test_a_key_with_no_effect_beside_another_is_refused(tmp_path, image, message):
    Image.fromarray(np.zeros((4, 4), np.uint8), mode="L").save(tmp_path / "p.png")
    with pytest.raises(ScenarioError) as err:
        convanim.Scenario(image=image, kernel={"values": [[1]]}, base=tmp_path)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"stages": [{"operation": "relu"}, {"operation": "relu"}], "render": {"output_colormap": "viridis"}},
         "render.output_colormap: only applies to grids of numbers; the maps of photos and chains use "
         "`colormap` (PRGn when signed)"),
        ({"kernel": {"preset": "mean"}, "timing": {"detail_steps": 3}}, "timing.detail_steps: only applies "
         "to photos and chains; a grid of numbers shows every step"),
    ],
)  # fmt: skip
def test_a_key_with_no_effect_in_the_view_drawn_is_refused(keys, message):
    with pytest.raises(ScenarioError) as err:
        convanim.Scenario(image={"pattern": "square", "size": 5}, **keys)
    assert str(err.value) == message
    render = keys.get("render", {})  # "auto" is the default: accepted everywhere
    convanim.Scenario(
        image={"pattern": "square", "size": 5},
        **{**keys, "render": {**render, "output_colormap": "auto"}, "timing": {}},
    )


def test_low_and_high_beside_values_are_refused_in_one_run(course, capsys):
    text = "[image]\nvalues = [[0, 9], [9, 0]]\nlow = 100\nhigh = 200\n[kernel]\nvalues = [[1]]\n"
    assert refused(course, text, capsys) == [
        "animations/bad.toml:3: image.low: does not apply to an image given by `values`",
        "animations/bad.toml:4: image.high: does not apply to an image given by `values`",
    ]


def test_every_independent_mistake_in_one_run_in_the_files_order(course, capsys):
    text = """\
title = 7
stride = "1"

[image]
values = [[0, 9], [9, 0]]
pattern = "square"

[kernel]
preset = "sobelx"

[render]
cell_px = 2
theme = "drak"

[timing]
step_ms = 125
"""
    assert refused(course, text, capsys) == [
        "animations/bad.toml:1: title: must be a string (got 7)",
        "animations/bad.toml:2: stride: must be a positive integer (got '1'; drop the quotes)",
        "animations/bad.toml:4: image: give exactly one of `values`, `pattern`, `planes` or `file` (got "
        "`values` and `pattern`)",
        "animations/bad.toml:9: kernel.preset: must be one of 'mean', 'gaussian', 'identity', 'sobel_x', "
        "'sobel_y', 'prewitt_x', 'prewitt_y', 'laplacian', 'sharpen' (got 'sobelx'); did you mean 'sobel_x'?",
        'animations/bad.toml:12: render.cell_px: must be at least 8 or "auto" (got 2)',
        "animations/bad.toml:13: render.theme: must be one of 'light', 'dark', 'contrast' (got 'drak'); did "
        "you mean 'dark'?",
        "animations/bad.toml:16: timing.step_ms: must be a multiple of 10 ms, as GIF stores centiseconds "
        "(got 125)",
    ]
    assert not (course / "output" / "bad.gif").exists()


def test_the_stages_of_a_chain_are_checked_each_and_later_ones_by_their_keys(course, capsys):
    text = """\
[image]
pattern = "square"
size = 6

[[stages]]
operation = "conv2d"
kernel = {preset = "mean", size = 9}

[[stages]]
operation = "max_pool2d"
kernel_size = 2
strides = 2

[[stages]]
operation = "relu"
stride = 1
"""
    assert refused(course, text, capsys) == [
        "animations/bad.toml:7: stages[0].kernel.size: the 9×9 kernel is larger than the 6×6 image; "
        "padding = 2 would make it fit",
        "animations/bad.toml:12: stages[1].strides: unknown key; did you mean `stride`?",
        "animations/bad.toml:16: stages[2].stride: does not apply to operation 'relu'",
    ]


def test_the_python_api_raises_one_error_listing_every_mistake():
    with pytest.raises(ScenarioError) as err:
        convanim.Scenario(image={"pattern": "square", "size": 0}, kernel={"preset": "mean", "sigma": 2})
    assert [(e.key, e.message) for e in err.value.errors] == [
        ("image.size", "must be a positive integer (got 0)"),
        ("kernel.sigma", "only applies to preset 'gaussian' (got preset 'mean')"),
    ]
    assert (err.value.key, err.value.message) == ("image.size", "must be a positive integer (got 0)")
    assert str(err.value) == (
        "image.size: must be a positive integer (got 0)\n"
        "kernel.sigma: only applies to preset 'gaussian' (got preset 'mean')"
    )
    with pytest.raises(ScenarioError) as one:
        convanim.Scenario(image={"pattern": "square", "size": 0}, kernel={"preset": "mean"})
    assert (
        one.value.errors == (one.value,)
        and str(one.value) == "image.size: must be a positive integer (got 0)"
    )


def test_load_gives_each_mistake_its_line(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(GOOD.replace("size = 5", "size = 0").replace('"mean"', '"mean"\nsigma = 2'))
    with pytest.raises(ScenarioError) as err:
        load(path)
    assert [(e.line, e.key) for e in err.value.errors] == [(4, "image.size"), (7, "kernel.sigma")]


def test_a_mistake_found_by_two_checks_is_reported_once():
    errors = Collect()
    for _ in range(2):
        with errors:
            raise ScenarioError("stride", "must be a positive integer (got 0)")
    with pytest.raises(ScenarioError) as err:
        errors.done()
    assert str(err.value) == "stride: must be a positive integer (got 0)"


def test_invalid_toml_is_reported_at_its_line(course, capsys):
    assert refused(course, 'title = "a"\n[image\n', capsys) == [
        "animations/bad.toml:2: invalid TOML: Expected ']' at the end of a table declaration (column 7)"
    ]


def test_a_refused_file_writes_nothing_the_others_are_built_and_no_up_to_date_line(course, capsys):
    (course / "animations").mkdir()
    (course / "animations" / "good.toml").write_text(GOOD)
    (course / "animations" / "bad.toml").write_text(GOOD.replace("size = 5", "size = 0"))
    bad = "animations/bad.toml:4: image.size: must be a positive integer (got 0)\n"
    code = convanim_main(["build", "--format", "gif", "--jobs", "1"])
    out, err = capsys.readouterr()
    assert (code, err) == (2, bad) and out.startswith("output/good.gif: ")
    assert sorted(p.name for p in (course / "output").iterdir()) == [".convanim-manifest.json", "good.gif"]
    assert convanim_main(["build", "--format", "gif"]) == 2
    assert capsys.readouterr() == ("", bad)  # good.gif is up to date, but a file was refused
    assert convanim_main(["check", "--format", "gif"]) == 2
    assert capsys.readouterr() == ("", bad)  # not "1 file up to date" first
    (course / "animations" / "bad.toml").unlink()
    assert convanim_main(["check", "--format", "gif"]) == 0
    assert capsys.readouterr().out == "1 file up to date\n"


def test_format_all_combines_with_other_formats(course, capsys):
    (course / "animations").mkdir()
    (course / "animations" / "good.toml").write_text(GOOD)
    assert cli.main(["--format", "all,svg", "--jobs", "1", "-q"], root=course) == 0
    written = sorted(p.name for p in (course / "output").iterdir())
    assert written == ["good.gif", "good.html", "good.png", "good.svg", "good.txt", "index.html"]
    with pytest.raises(SystemExit):
        cli.main(["--format", "all,gfi"], root=course)
    assert capsys.readouterr().err == (
        "generate.py: argument --format: unknown format 'gfi'; did you mean 'gif'? available: gif, html, "
        "mp4, webm, png, svg, pdf, storyboard-svg, storyboard-pdf, storyboard-png, beamer, alt, or all for "
        "gif,html,png,alt (see --help)\n"
    )


# ---------------------------------------------------------------- counted nouns

PLURALS = (
    "filters|planes|steps|channels|zeros|pixels|rows|columns|cells|values|frames|maps|stages|weights"
    "|groups|inputs|outputs|kernels|taps|sums|names|players|files|products|terms|positions|times"
)
ONE_PLURAL = re.compile(rf"(?<![\d.,−-])\b1 (?:{PLURALS})\b|\(s\)")


@pytest.mark.parametrize("path", sorted((ROOT / "animations").glob("*.toml")), ids=lambda p: p.stem)
def test_no_generated_sentence_counts_one_with_a_plural(path):
    """'1 filter', never '1 filters' or '1 zero(s)', in every text drawn and in the alt text."""
    s = load(path)
    texts = {item.shape.text for item in s.frames().items if isinstance(item.shape, Text)} | {s.alt_text}
    assert [t for t in texts if ONE_PLURAL.search(t)] == []


def test_the_sentences_that_counted_one_with_a_plural_now_say_one():
    layer = load(ROOT / "animations" / "layer_rgb_bias.toml").frames()
    texts = {item.shape.text for item in layer.items if isinstance(item.shape, Text)}
    assert "1 filter of 3 planes, 3×3" in texts
    transposed = load(ROOT / "animations" / "layer_transposed.toml").frames()
    texts = {item.shape.text for item in transposed.items if isinstance(item.shape, Text)}
    assert any(t.startswith("1 zero between pixels, border ") for t in texts)
