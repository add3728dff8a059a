"""Scenario validation: one test per rule, each asserting the exact one-line message."""

import json

import numpy as np
import pytest

import convanim
from convanim.scenario import Limits, load, schema

BASE = {"title": "t", "image": {"pattern": "square", "size": 6}, "kernel": {"preset": "mean"}}


def with_(**changes):
    data = json.loads(json.dumps(BASE))
    for dotted, value in changes.items():
        *parents, key = dotted.split("__")
        node = data
        for p in parents:
            node = node.setdefault(p, {})
        if value is DELETE:
            node.pop(key)
        else:
            node[key] = value
    return data


DELETE = object()

RULES = [
    # (changes, message)
    (
        {"colour": 1},
        "colour: unknown key; allowed: title, caption, image, operation, kernel, filters, out_channels, groups, bias, seed, kernel_size, stride, padding, "
        "padding_mode, dilation, output_padding, flip, transpose_view, view, ceil_mode, count_include_pad, mode, "
        "scale_factor, size, align_corners, output_size, negative_slope, approximate, min_val, max_val, "
        "running_mean, running_var, weight, eps, stages, receptive_field, render, timing",
    ),
    ({"kernel__sise": 3}, "kernel.sise: unknown key; did you mean `size`?"),
    ({"kernel__weights": 3}, "kernel.weights: unknown key; allowed: values, preset, size, sigma"),
    ({"image": DELETE}, "image: is required"),
    ({"title": 3}, "title: must be a string (got 3)"),
    ({"title": "a\nb"}, "title: must be a single line (no newlines or tabs)"),
    ({"title": "x" * 121}, "title: is 121 characters long; at most 120"),
    (
        {"operation": "max_pool3d"},
        "operation: must be one of 'conv2d', 'conv_transpose2d', 'max_pool2d', 'avg_pool2d', "
        "'adaptive_avg_pool2d', 'adaptive_max_pool2d', 'upsample', 'relu', 'leaky_relu', 'sigmoid', 'tanh', "
        "'gelu', 'hardtanh', 'identity', 'batch_norm', 'cat', 'add', 'conv1d', 'conv_transpose1d', "
        "'max_pool1d', 'avg_pool1d' (got 'max_pool3d'); did you mean 'max_pool2d'?",
    ),
    ({"operation": "max_pool2d", "kernel_size": 2}, "kernel: does not apply to operation 'max_pool2d'"),
    ({"kernel__size": 0}, "kernel.size: must be a positive integer (got 0)"),
    ({"kernel__size": [3, -1]}, "kernel.size[1]: must be a positive integer (got -1)"),
    ({"kernel__size": [3, 3, 3]}, "kernel.size: must be an integer or [rows, cols] (got [3, 3, 3])"),
    ({"kernel__size": 2.5}, "kernel.size: must be a positive integer (got 2.5)"),
    ({"kernel__size": True}, "kernel.size: must be a positive integer (got true)"),
    (
        {"kernel__preset": "blur"},
        "kernel.preset: must be one of 'mean', 'gaussian', 'identity', 'sobel_x', "
        "'sobel_y', 'prewitt_x', 'prewitt_y', 'laplacian', 'sharpen' (got 'blur')",
    ),
    ({"kernel__preset": "sobel_x", "kernel__size": 5}, "kernel.size: preset 'sobel_x' is 3×3 only (got 5×5)"),
    (
        {"kernel__preset": "identity", "kernel__size": 2},
        "kernel.size: preset 'identity' needs odd sides (got 2×2)",
    ),
    ({"kernel__sigma": 1.0}, "kernel.sigma: only applies to preset 'gaussian' (got preset 'mean')"),
    ({"kernel__preset": "gaussian", "kernel__sigma": 0}, "kernel.sigma: must be at least 0.1 (got 0)"),
    (
        {"kernel__values": [[1, 2]]},
        "kernel: give exactly one of `values` or `preset` (got `values` and `preset`)",
    ),
    ({"kernel__preset": DELETE}, "kernel: give exactly one of `values` or `preset` (got none)"),
    (
        {"kernel": {"values": [[1, 2], [3]]}},
        "kernel.values[1]: has 1 values but row 0 has 2; rows must be equally long",
    ),
    ({"kernel": {"values": [[1, "2"]]}}, "kernel.values[0][1]: must be a number (got '2'; drop the quotes)"),
    ({"kernel": {"values": []}}, "kernel.values: must be a non-empty list of rows (got [])"),
    (
        {"kernel": {"values": [[1]], "size": 3}},
        "kernel.size: only applies to a `preset`; `values` set the kernel",
    ),
    (
        {"kernel__size": 7},
        "kernel.size: the 7×7 kernel is larger than the 6×6 image; padding = 1 would make it fit",
    ),
    (
        {"kernel": {"values": np.ones((2, 7)).tolist()}},
        "kernel.values: the 2×7 kernel is larger than the 6×6 image; padding = 1 would make it fit",
    ),
    (
        {"image__pattern": "stars"},
        "image.pattern: must be one of 'square', 'checkerboard', 'gradient', 'disk', "
        "'cross', 'stripes', 'step', 'sine', 'random' (got 'stars')",
    ),
    ({"image__size": DELETE}, "image.size: is required with pattern 'square'"),
    ({"image__seed": 3}, "image.seed: only applies to pattern 'random' (got pattern 'square')"),
    ({"image__low": True}, "image.low: must be a number (got true)"),
    (
        {"image": {"values": [[1, 2]], "pattern": "square"}},
        "image: give exactly one of `values`, `pattern`, `planes` or `file` (got `values` and `pattern`)",
    ),
    (
        {"image": {"values": [[1, 2]], "size": 2}},
        "image.size: does not apply to an image given by `values`",
    ),
    ({"image": "square"}, "image: must be a table (got 'square')"),
    ({"stride": 0}, "stride: must be a positive integer (got 0)"),
    ({"stride": "2"}, "stride: must be a positive integer (got '2'; drop the quotes)"),
    ({"stride": [1, 0]}, "stride[1]: must be a positive integer (got 0)"),
    ({"render__values": "yes"}, "render.values: must be true, false or \"auto\" (got 'yes')"),
    (
        {"render__colormap": "rainbowz"},
        'render.colormap: must be a matplotlib colormap name such as "gray", '
        '"viridis" or "PRGn" (got \'rainbowz\')',
    ),
    (
        {"render__highlight": "#12345"},
        'render.highlight: must be a colour such as "#e69f00" or "orange" (got \'#12345\')',
    ),
    ({"render__cell_px": 4}, 'render.cell_px: must be at least 8 or "auto" (got 4)'),
    (
        {"render__number_format": "%d"},
        'render.number_format: must be a Python format spec such as ".1f" or ".3g" or "auto" (got \'%d\')',
    ),
    ({"render__equation": 1}, "render.equation: must be true or false (got 1)"),
    (
        {"timing__step_ms": 125},
        "timing.step_ms: must be a multiple of 10 ms, as GIF stores centiseconds (got 125)",
    ),
    (
        {"timing__step_ms": 10},
        "timing.step_ms: must be at least 20 ms; browsers slow faster GIF frames down (got 10)",
    ),
    ({"timing__final_ms": 600000}, "timing.final_ms: must be at most 60000 (got 600000)"),
    ({"timing": [1]}, "timing: must be a table (got [1])"),
]


@pytest.mark.parametrize(
    ("changes", "message"), RULES, ids=[m.split(":")[0] + f"-{i}" for i, (_, m) in enumerate(RULES)]
)
def test_rule(changes, message):
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.Scenario(**with_(**changes))
    assert str(err.value) == message
    assert "\n" not in str(err.value)


def write(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("value", "shown"), [("nan", "nan"), ("inf", "inf"), ("-inf", "-inf")])
def test_non_finite_numbers_are_refused(tmp_path, value, shown):
    path = write(tmp_path, f"[image]\nvalues = [[1, {value}]]\n[kernel]\nvalues = [[1]]\n")
    with pytest.raises(
        convanim.ScenarioError, match=rf"^image.values\[0\]\[1\]: must be a finite number \(got {shown}\)$"
    ):
        load(path)


def test_non_finite_numpy_array_is_refused():
    with pytest.raises(
        convanim.ScenarioError, match=r"^image\[1\]\[0\]: must be a finite number \(got nan\)$"
    ):
        convanim.Scenario(image=np.array([[1.0], [np.nan]]), kernel=np.ones((1, 1)))


def test_invalid_toml_names_file_and_position(tmp_path):
    path = write(tmp_path, "title = \n")
    with pytest.raises(convanim.ConvanimError) as err:
        load(path)
    assert str(err.value) == f"{path}:1: invalid TOML: Invalid value (column 9)"


def test_missing_file(tmp_path):
    with pytest.raises(convanim.ConvanimError, match="no such scenario file"):
        load(tmp_path / "nope.toml")


def test_name_comes_from_the_file(tmp_path):
    path = write(tmp_path, 'name = "x"\n[image]\nvalues = [[1]]\n[kernel]\nvalues = [[1]]\n')
    with pytest.raises(convanim.ScenarioError, match=r"^name: unknown key; the name is the file name$"):
        load(path)
    ok = write(tmp_path, "[image]\nvalues = [[1]]\n[kernel]\nvalues = [[1]]\n", "my_demo.toml")
    assert load(ok).name == "my_demo"


def test_huge_scenario_is_refused_before_any_work():
    # A 5000×5000 pattern would take 200 MB; the limit check comes before the pattern is made.
    with pytest.raises(convanim.LimitError) as err:
        convanim.Scenario(image={"pattern": "random", "size": 5000, "seed": 1}, kernel={"preset": "mean"})
    assert str(err.value) == (
        "image: a 5000×5000 image needs 24,980,006 frames (24,980,004 steps); the limit is 5,000 "
        "(raise it with --max-frames)"
    )


def test_cell_limit_and_raising_limits():
    keys = {"image": {"pattern": "square", "size": [2, 200]}, "kernel": {"preset": "mean", "size": [2, 3]}}
    with pytest.raises(
        convanim.LimitError, match=r"^image: a 2×200 image needs 598 cells drawn .* the limit is 500 "
    ):
        convanim.Scenario(limits=Limits(max_cells=500), **keys)
    assert convanim.Scenario(limits=Limits(max_cells=598), **keys).n_steps == 198


def test_keyword_api_mirrors_the_file(tmp_path):
    path = write(
        tmp_path,
        'title = "T"\nstride = [1, 2]\n[image]\npattern = "checkerboard"\nsize = [4, 6]\nperiod = 1\nhigh = 5\n'
        '[kernel]\npreset = "sobel_y"\n[render]\nvalues = false\n[timing]\nstep_ms = 250\n',
    )
    from_file = load(path)
    from_keys = convanim.Scenario(
        title="T",
        stride=[1, 2],
        image={"pattern": "checkerboard", "size": [4, 6], "period": 1, "high": 5},
        kernel={"preset": "sobel_y"},
        render={"values": False},
        timing={"step_ms": 250},
    )
    np.testing.assert_array_equal(from_file.image.values, from_keys.image.values)
    np.testing.assert_array_equal(from_file.output(), from_keys.output())
    assert from_file.render == from_keys.render and from_file.timing == from_keys.timing
    assert from_file.stride == (1, 2) and from_keys.timing.step_ms == 250


def test_numpy_arrays_and_defaults():
    s = convanim.Scenario(image=np.arange(25.0).reshape(5, 5), kernel=np.ones((3, 3)) / 9, stride=2)
    assert s.stride == (2, 2) and s.operation == "conv2d" and s.title == "2-D convolution"
    assert s.kernel.labels == (("1/9",) * 3,) * 3
    assert s.render.values is None and s.timing.step_ms == 500


def test_patterns_and_presets_have_expected_values():
    sq = convanim.Scenario(
        image={"pattern": "square", "size": 4, "low": 1, "high": 3}, kernel=np.ones((1, 1))
    )
    np.testing.assert_array_equal(sq.image.values, [[[1, 1, 1, 1], [1, 3, 3, 1], [1, 3, 3, 1], [1, 1, 1, 1]]])
    cb = convanim.Scenario(
        image={"pattern": "checkerboard", "size": [2, 4], "period": 1}, kernel=np.ones((1, 1))
    )
    np.testing.assert_array_equal(cb.image.values, [[[0, 9, 0, 9], [9, 0, 9, 0]]])
    r1 = convanim.Scenario(image={"pattern": "random", "size": 4, "seed": 7}, kernel=np.ones((1, 1)))
    r2 = convanim.Scenario(image={"pattern": "random", "size": 4, "seed": 7}, kernel=np.ones((1, 1)))
    np.testing.assert_array_equal(r1.image.values, r2.image.values)
    assert set(np.unique(r1.image.values)) <= set(range(10))
    g = convanim.Scenario(
        image={"pattern": "square", "size": 5}, kernel={"preset": "gaussian", "size": 5, "sigma": 1}
    )
    assert g.kernel.values.shape == (1, 1, 5, 5)
    assert g.kernel.plane.sum() == pytest.approx(1.0) and g.kernel.plane[2, 2] == g.kernel.plane.max()
    sob = convanim.Scenario(image={"pattern": "square", "size": 5}, kernel={"preset": "sobel_x"})
    assert sob.kernel.labels[1] == ("\u22122", "0", "2")


def test_schema_covers_every_key_and_forbids_others():
    s = schema()
    assert s["additionalProperties"] is False
    assert set(s["properties"]) == {
        *("title", "caption", "operation", "image", "kernel", "stride", "render", "timing"),
        *("padding", "padding_mode", "dilation", "output_padding", "transpose_view", "kernel_size", "stages"),
        *("ceil_mode", "count_include_pad", "mode", "scale_factor", "size", "align_corners"),
        *("filters", "out_channels", "groups", "bias", "seed", "flip", "view", "receptive_field"),
        *("output_size", "negative_slope", "approximate", "min_val", "max_val"),
        *("running_mean", "running_var", "weight", "eps"),
    }
    assert s["properties"]["kernel"]["properties"]["preset"]["enum"][0] == "mean"
    assert s["properties"]["timing"]["properties"]["step_ms"]["multipleOf"] == 10
    for table in ("image", "kernel", "render", "timing"):
        sub = s["properties"][table]
        assert sub["additionalProperties"] is False
        assert all(p.get("description") for p in sub["properties"].values())


def test_schema_validates_shipped_scenarios():
    jsonschema = pytest.importorskip("jsonschema")
    import tomllib

    from .helpers import ROOT

    for path in sorted((ROOT / "animations").glob("*.toml")):
        jsonschema.validate(tomllib.loads(path.read_text()), schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"image": {"values": [[1]]}, "kernel": {"values": [[1]]}, "stride": 0}, schema())
