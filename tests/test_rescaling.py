"""Pooling, upsampling, ReLU, chains and photographs: numbers against torch and loop references,
bad files and bad stage lists refused in one line, the progressive timeline."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import convanim
from convanim.display import Rect, Text
from convanim.frames import build
from convanim.timeline import beats

from .helpers import ROOT

PHOTO = ROOT / "animations" / "photos" / "grace_hopper.jpg"


def tensor(a):
    return torch.tensor(np.array(a, dtype=float))[None, None]


def reference_pool(image, k, s, p, d, ceil, op, count_include_pad=True):
    """Pooling written out: PyTorch's output size and window clipping, without numpy windows."""
    h, w = image.shape

    def size(n, k, s, p, d):
        out = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
        return out - 1 if ceil and (out - 1) * s >= n + p else out

    oh, ow = size(h, k[0], s[0], p[0], d[0]), size(w, k[1], s[1], p[1], d[1])
    out = np.zeros((oh, ow))
    for a in range(oh):
        for b in range(ow):
            vals, count = [], 0
            for i in range(k[0]):
                for j in range(k[1]):
                    r, c = a * s[0] - p[0] + i * d[0], b * s[1] - p[1] + j * d[1]
                    if r < h + p[0] and c < w + p[1]:
                        count += 1  # inside the padded input
                        if 0 <= r < h and 0 <= c < w:
                            vals.append(image[r, c])
            if op == "max":
                out[a, b] = max(vals, default=-np.inf)  # a window of padding only: −∞, as PyTorch
            else:
                out[a, b] = sum(vals) / (count if count_include_pad else len(vals))
    return out


def reference_upsample(image, out_shape, mode, align, factor=None):
    """interpolate() written out, one output pixel at a time."""
    h, w = image.shape
    oh, ow = out_shape

    def source(dst, n_in, n_out, f):
        scale = 1 / f if f else n_in / n_out
        if mode == "nearest":
            return min(math.floor(dst * scale), n_in - 1)
        if align:
            return dst * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        return max((dst + 0.5) * scale - 0.5, 0.0)

    out = np.zeros(out_shape)
    for a in range(oh):
        for b in range(ow):
            y = source(a, h, oh, factor and factor[0])
            x = source(b, w, ow, factor and factor[1])
            if mode == "nearest":
                out[a, b] = image[y, x]
                continue
            y0, x0 = min(int(y), h - 1), min(int(x), w - 1)
            y1, x1 = min(y0 + 1, h - 1), min(x0 + 1, w - 1)
            fy, fx = y - y0, x - x0
            top = image[y0, x0] * (1 - fx) + image[y0, x1] * fx
            bottom = image[y1, x0] * (1 - fx) + image[y1, x1] * fx
            out[a, b] = top * (1 - fy) + bottom * fy
    return out


@settings(max_examples=80, deadline=None)
@given(
    h=st.integers(1, 8),
    w=st.integers(1, 8),
    k=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    s=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    p=st.integers(0, 1),
    d=st.integers(1, 2),
    ceil=st.booleans(),
    op=st.sampled_from(["max", "avg"]),
    cip=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_random_pools_equal_torch_and_the_loops(h, w, k, s, p, d, ceil, op, cip, seed):
    image = np.random.default_rng(seed).integers(0, 9, size=(h, w)).astype(float)
    keys = {
        "operation": f"{op}_pool2d",
        "kernel_size": list(k),
        "stride": list(s),
        "padding": p,
        "ceil_mode": ceil,
    }
    if op == "max":
        keys["dilation"] = d
    else:
        d, keys["count_include_pad"] = 1, cip

    def out(n, k, s):  # PyTorch's pooling output size
        o = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
        return o - 1 if ceil and (o - 1) * s >= n + p else o

    half = [kk // 2 for kk in k]  # PyTorch: on the undilated window
    valid = p <= min(half) and out(h, k[0], s[0]) >= 1 and out(w, k[1], s[1]) >= 1
    if not valid:
        with pytest.raises(convanim.ScenarioError):
            convanim.Scenario(image=image, **keys)
        return
    sc = convanim.Scenario(image=image, **keys)
    ref = reference_pool(image, k, s, (p, p), (d, d), ceil, op, cip)
    if op == "max":
        expected = F.max_pool2d(tensor(image), k, s, p, d, ceil_mode=ceil)[0, 0].numpy()
    else:
        expected = F.avg_pool2d(tensor(image), k, s, p, ceil_mode=ceil, count_include_pad=cip)[0, 0].numpy()
    assert sc.output().shape == ref.shape == expected.shape == sc.output_shape
    np.testing.assert_allclose(sc.output(), ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sc.output(), expected, rtol=1e-12, atol=1e-12)


def test_max_marks_the_first_maximum_on_ties():
    sc = convanim.Scenario(image=np.array([[5.0, 5.0], [1.0, 5.0]]), operation="max_pool2d", kernel_size=2)
    step = sc.computations[-1].steps[0]
    assert step.value == 5.0 and step.chosen == (0, 0) and step.divisor is None


def test_avg_pool_divisor_with_and_without_padding():
    image = np.ones((3, 3))
    with_pad = convanim.Scenario(image=image, operation="avg_pool2d", kernel_size=3, stride=2, padding=1)
    without = convanim.Scenario(
        image=image, operation="avg_pool2d", kernel_size=3, stride=2, padding=1, count_include_pad=False
    )
    assert with_pad.computations[-1].steps[0].divisor == 9 and with_pad.output()[0, 0] == pytest.approx(4 / 9)
    assert without.computations[-1].steps[0].divisor == 4 and without.output()[0, 0] == 1.0


@settings(max_examples=60, deadline=None)
@given(
    h=st.integers(1, 6),
    w=st.integers(1, 6),
    mode=st.sampled_from(["nearest", "bilinear"]),
    align=st.booleans(),
    factor=st.sampled_from([1.5, 2, 3, [2, 1], [1.5, 2.5]]),
    size=st.tuples(st.integers(1, 9), st.integers(1, 9)),
    by_size=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_random_upsampling_equals_torch_and_the_loops(h, w, mode, align, factor, size, by_size, seed):
    image = np.random.default_rng(seed).normal(size=(h, w))
    keys = {"operation": "upsample", "mode": mode}
    torch_keys = {"mode": mode}
    if mode == "bilinear":
        keys["align_corners"] = torch_keys["align_corners"] = align
    if by_size:
        keys["size"], torch_keys["size"], pair = list(size), size, None
        out_shape = size
    else:
        pair = tuple(float(x) for x in factor) if isinstance(factor, list) else (float(factor),) * 2
        keys["scale_factor"], torch_keys["scale_factor"] = factor, pair
        out_shape = (math.floor(h * pair[0]), math.floor(w * pair[1]))
    if min(out_shape) < 1:
        with pytest.raises(convanim.ScenarioError):
            convanim.Scenario(image=image, **keys)
        return
    sc = convanim.Scenario(image=image, **keys)
    expected = F.interpolate(tensor(image), **torch_keys)[0, 0].numpy()
    ref = reference_upsample(image, out_shape, mode, mode == "bilinear" and align, pair)
    assert sc.output().shape == expected.shape == ref.shape == sc.output_shape
    np.testing.assert_allclose(sc.output(), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sc.output(), ref, rtol=1e-12, atol=1e-12)
    for step in sc.computations[-1].steps:  # the blend the frame shows is the value drawn
        assert sum(step.weights) == pytest.approx(1.0)
        assert sum(wt * image[c] for c, wt in zip(step.cells, step.weights, strict=True)) == pytest.approx(
            step.value
        )


def test_relu_and_a_chain_equal_torch_applied_in_order():
    image = np.random.default_rng(3).normal(size=(9, 8))
    sc = convanim.Scenario(
        image=image,
        stages=[
            {"operation": "conv2d", "kernel": {"preset": "sobel_x"}, "padding": 1},
            {"operation": "relu"},
            {"operation": "max_pool2d", "kernel_size": 2},
            {"operation": "upsample", "mode": "bilinear", "scale_factor": 2},
        ],
    )
    x = F.conv2d(tensor(image), tensor(sc.stages[0].kernel.plane), padding=1)
    x = F.interpolate(F.max_pool2d(F.relu(x), 2), scale_factor=2.0, mode="bilinear", align_corners=False)
    np.testing.assert_allclose(sc.output(), x[0, 0].numpy(), rtol=1e-12, atol=1e-12)
    assert [st.input_shape for st in sc.stages] == [(9, 8), (9, 8), (9, 8), (4, 4)]
    assert sc.output_shape == (8, 8) and sc.operations == "conv2d → relu → max_pool2d → upsample"
    with pytest.raises(AttributeError, match="a chain of 4 stages has no single 'kernel'"):
        sc.kernel  # noqa: B018


STAGE_RULES = [
    ({"stages": {"operation": "relu"}}, "stages: must be a non-empty list of tables (got a table)"),
    ({"stages": []}, "stages: must be a non-empty list of tables (got [])"),
    ({"stages": [{"operation": "relu"}] * 65}, "stages: at most 64 stages (got 65)"),
    (
        {"stages": [{"operation": "relu"}], "kernel_size": 2},
        "kernel_size: goes inside each [[stages]] table when `stages` is given",
    ),
    (
        {
            "stages": [
                {"operation": "relu"},
                {"operation": "max_pool2d", "kernel": {"preset": "mean"}, "kernel_size": 2},
            ]
        },
        "stages[1].kernel: does not apply to operation 'max_pool2d'",
    ),
    (
        {"stages": [{"operation": "max_pool2d"}]},
        "stages[0].kernel_size: is required by operation 'max_pool2d'",
    ),
    (
        {"stages": [{"operation": "conv2d"}]},
        "stages[0].kernel: is required by operation 'conv2d' (or give `filters` or `out_channels`)",
    ),
    (
        {"stages": [{"operation": "relu", "sise": 2}]},
        "stages[0].sise: unknown key; did you mean `size`?",
    ),
    (
        {"stages": [{"operation": "upsample", "mode": "nearest"}]},
        "stages[0].scale_factor: give exactly one of `scale_factor` or `size` for upsample (got none)",
    ),
    (
        {"stages": [{"operation": "upsample", "mode": "nearest", "scale_factor": 2, "align_corners": True}]},
        "stages[0].align_corners: only applies to mode 'bilinear', as in PyTorch",
    ),
    (
        {"stages": [{"operation": "upsample", "mode": "nearest", "scale_factor": 0}]},
        "stages[0].scale_factor: must be a positive number (got 0)",
    ),
    (
        {"stages": [{"operation": "upsample", "mode": "nearest", "scale_factor": 0.1}]},
        "stages[0].operation: upsample leaves no output (0×0) from a 6×6 input",
    ),
    (
        {
            "stages": [{"operation": "max_pool2d", "kernel_size": 2}] * 3
            + [{"operation": "max_pool2d", "kernel_size": 2}]
        },
        "stages[2].kernel_size: the 2×2 window is larger than the 1×1 input; padding = 1 would make it fit",
    ),
    (
        {"stages": [{"operation": "max_pool2d", "kernel_size": 2, "padding": 2}]},
        "stages[0].padding: must be at most half the window, as in PyTorch (2 > 1 for a 2-wide window)",
    ),
    (
        {
            "stages": [
                {"operation": "conv_transpose2d", "kernel": {"preset": "mean"}, "transpose_view": "direct"}
            ]
        }
        | {
            "stages": [
                {"operation": "relu"},
                {"operation": "conv_transpose2d", "kernel": {"preset": "mean"}, "transpose_view": "direct"},
            ]
        },
        "stages[1].transpose_view: 'direct' is drawn for grids of numbers only; use 'scatter' here",
    ),
]


@pytest.mark.parametrize(
    ("keys", "message"), STAGE_RULES, ids=[m.split(":")[0] + f"-{i}" for i, (_, m) in enumerate(STAGE_RULES)]
)
def test_stage_rules(keys, message):
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.Scenario(image={"pattern": "square", "size": 6}, **keys)
    assert str(err.value) == message


def test_photo_is_grayscale_cropped_and_resized_like_pillow(tmp_path):
    sc = convanim.Scenario(
        image={"file": str(PHOTO), "crop": [10, 20, 300, 200], "resize": [15, 10]}, operation="relu"
    )
    with Image.open(PHOTO) as im:
        expected = np.asarray(
            im.convert("L").crop((20, 10, 220, 310)).resize((10, 15), Image.Resampling.LANCZOS), float
        )
    np.testing.assert_array_equal(sc.image.values, expected[None])
    assert sc.image.source == f"file {PHOTO}" and sc.picture


def test_photo_paths_are_relative_to_the_scenario_file(tmp_path):
    (tmp_path / "pics").mkdir()
    Image.new("L", (4, 3), 200).save(tmp_path / "pics" / "flat.png")
    (tmp_path / "s.toml").write_text('operation = "relu"\n[image]\nfile = "pics/flat.png"\n')
    sc = convanim.load(tmp_path / "s.toml")
    assert sc.image.values.shape == (1, 3, 4) and np.all(sc.image.values == 200)


def _bad(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_bad_photo_files(tmp_path, monkeypatch):
    def check(path, message, **extra):
        with pytest.raises(convanim.ScenarioError) as err:
            convanim.Scenario(image={"file": str(path), **extra}, operation="relu")
        assert str(err.value) == message

    check(tmp_path / "missing.png", f"image.file: no such file {str(tmp_path / 'missing.png')!r}")
    check(_bad(tmp_path, "text.png", b"not a picture"), "image.file: text.png is not a PNG or JPEG image")
    data = PHOTO.read_bytes()
    truncated = _bad(tmp_path, "half.jpg", data[: len(data) // 2])
    with pytest.raises(convanim.ScenarioError, match=r"^image.file: half.jpg is truncated or damaged \("):
        convanim.Scenario(image={"file": str(truncated), "resize": 20}, operation="relu")
    Image.new("L", (4, 4)).save(tmp_path / "anim.gif")
    check(tmp_path / "anim.gif", "image.file: anim.gif is a GIF image; use PNG or JPEG")
    Image.new("L", (40, 40)).save(tmp_path / "big.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    check(
        tmp_path / "big.png",
        "image.file: big.png has more pixels than Pillow's decompression-bomb limit of 1,000; shrink it first",
    )
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 89478485)
    check(
        PHOTO,
        "image.crop: [top, left, height, width] = [500, 0, 200, 10] goes beyond the 600×512 photo",
        crop=[500, 0, 200, 10],
    )
    check(PHOTO, "image.resize: must be at most 512 (got 1000)", resize=1000)
    check(PHOTO, "image.seed: does not apply to an image given by `file`", seed=1)


def test_progressive_timeline_covers_every_step_once():
    sc = convanim.Scenario(
        image={"pattern": "random", "size": 30, "seed": 1}, operation="avg_pool2d", kernel_size=2
    )
    plan = beats(sc.stages[0], 0, None, progressive=True)
    assert [(b.first, b.last) for b in plan[:16]] == [(k, k) for k in range(15)] + [(15, 16)]
    covered = [k for b in plan for k in range(b.first, b.last + 1)]
    assert covered == list(range(225))
    sizes = [b.last - b.first + 1 for b in plan[15:]]
    assert sizes[:4] == [2, 4, 8, 11] and max(sizes) == math.ceil((225 - 15) / 20)
    assert len(plan) <= 15 + 25
    assert [(b.first, b.last) for b in beats(sc.stages[0], 0, 5, progressive=True)][:6] == [
        (0, 0),
        (1, 1),
        (2, 2),
        (3, 3),
        (4, 4),
        (5, 6),
    ]


def test_chain_frames_show_every_map_and_fill_them():
    sc = convanim.load(ROOT / "animations" / "chain_photo.toml")
    f = build(sc)
    assert len(f) == sc.n_frames
    labels = [s.text for s in f.visible(0) if isinstance(s, Text)]
    for label in (
        "input 36×32",
        "1. conv2d 34×30",
        "2. relu 34×30",
        "3. max_pool2d 17×15",
        "4. upsample 34×30",
    ):
        assert label in labels
    last_map = f.output_grid
    cells = [
        s
        for s in f.visible(len(f) - 1)
        if isinstance(s, Rect)
        and s.fill
        and s.w == last_map.cell
        and last_map.x <= s.x < last_map.x + last_map.cols * last_map.cell
    ]
    assert len(cells) == 34 * 30
    assert not [
        s
        for s in f.visible(0)
        if isinstance(s, Rect)
        and s.fill
        and s.w == last_map.cell
        and last_map.x <= s.x < last_map.x + last_map.cols * last_map.cell
    ]
    zoomed = [s.text for s in f.visible(5) if isinstance(s, Text) and s.text.isdigit()]
    assert len(zoomed) >= 9  # the window's numbers, readable in the inset
    batched = [
        s.text
        for k in range(len(f))
        for s in f.visible(k)
        if isinstance(s, Text) and "more steps in this frame" in s.text
    ]
    assert len(batched) > 10


# ---------------------------------------------------------------- found in review


def test_an_axis_that_keeps_its_length_is_copied_as_torch_does():
    image = np.arange(9.0).reshape(3, 3)
    for mode in ("nearest", "bilinear"):
        sc = convanim.Scenario(image=image, operation="upsample", mode=mode, scale_factor=1.2)
        np.testing.assert_array_equal(sc.output(), image)
    tall = np.arange(15.0).reshape(5, 3)
    sc = convanim.Scenario(image=tall, operation="upsample", mode="bilinear", scale_factor=[1.1, 2])
    expected = F.interpolate(tensor(tall), scale_factor=(1.1, 2.0), mode="bilinear")[0, 0].numpy()
    np.testing.assert_allclose(sc.output(), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(sc.output()[:, 0], [0, 3, 6, 9, 12])


def test_pool_window_larger_than_the_input_with_ceil_mode_as_torch():
    image = np.arange(21.0).reshape(7, 3)
    sc = convanim.Scenario(image=image, operation="max_pool2d", kernel_size=4, stride=[3, 2], ceil_mode=True)
    expected = F.max_pool2d(tensor(image), 4, (3, 2), ceil_mode=True)[0, 0].numpy()
    np.testing.assert_array_equal(sc.output(), expected)
    assert len(sc.frames()) == sc.n_frames


def test_a_chain_window_over_padding_only_draws_without_error():
    sc = convanim.Scenario(
        image={"pattern": "square", "size": 4},
        stages=[
            {"operation": "conv2d", "kernel": {"values": [[1, 1], [1, 1]]}, "padding": 3},
            {"operation": "relu"},
        ],
    )
    f = sc.frames()
    assert len(f) == sc.n_frames
    np.testing.assert_array_equal(sc.output()[0], np.zeros(9))


def test_transposed_cells_no_contribution_reaches_show_zero_by_the_end():
    sc = convanim.Scenario(
        image=np.array([[1.0, 2, 3], [4, 5, 6]]),
        kernel=np.array([[1.0, 2], [3, -1]]),
        operation="conv_transpose2d",
        stride=3,
        padding=1,
        output_padding=2,
    )
    f = build(sc)
    g = f.output_grid
    final = [
        s
        for s in f.visible(len(f) - 1)
        if isinstance(s, Rect)
        and s.fill
        and s.w == g.cell
        and g.x <= s.x < g.x + g.cols * g.cell
        and g.y <= s.y < g.y + g.rows * g.cell
    ]
    assert len(final) == g.rows * g.cols == sc.output().size
    assert (sc.output() == 0).sum() > 0


def test_picture_limits_count_the_progressive_frames():
    keys = {"image": {"file": str(PHOTO), "resize": 80}, "kernel": {"preset": "mean"}}
    sc = convanim.Scenario(**keys)  # 78×78 = 6,084 steps, but about 50 frames
    assert sc.n_frames == len(sc.frames()) < 100


def test_picture_view_honours_render_options():
    keys = {
        "image": {"pattern": "random", "size": 4, "seed": 1},
        "stages": [{"operation": "relu"}, {"operation": "max_pool2d", "kernel_size": 2}],
    }
    on = build(convanim.Scenario(**keys))
    off = build(convanim.Scenario(**keys, render={"values": False, "equation": False, "cell_px": 8}))
    # the result (2×2) is drawn as large as its 4×4 input: cells of 2 × 8 px
    assert off.output_grid.cell == 16 and on.output_grid.cell > 16
    digits = lambda f: [s for s in f.visible(len(f) - 1) if isinstance(s, Text) and s.text.isdigit()]  # noqa: E731
    assert digits(on) and not digits(off)
    assert [s for s in on.visible(1) if isinstance(s, Text) and s.text.startswith("ReLU: max(0, x) replaces")]
    assert not [
        s for s in off.visible(1) if isinstance(s, Text) and s.text.startswith("ReLU: max(0, x) replaces")
    ]


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (
            {"image": {"pattern": "random", "size": 4, "low": 5, "high": 1}},
            "image.high: must be at least image.low (got 1 < 5)",
        ),
        (
            {"kernel": {"preset": "gaussian", "sigma": 1e-200}},
            "kernel.sigma: must be at least 0.1 (got 1e-200)",
        ),
        (
            {"kernel": {"values": [[1e308, 1e308]]}},
            "kernel.values[0][0]: must be between -1e12 and 1e12, so sums stay exact enough (got 1e+308)",
        ),
    ],
)
def test_values_that_would_break_the_numbers_are_refused(keys, message):
    base = {"image": {"pattern": "square", "size": 4}, "kernel": {"preset": "mean"}}
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.Scenario(**{**base, **keys})
    assert str(err.value) == message


def test_random_pattern_draws_floats_when_the_bounds_are_floats():
    sc = convanim.Scenario(
        image={"pattern": "random", "size": 5, "low": -1.0, "high": 1.0, "seed": 2}, operation="relu"
    )
    assert not np.all(sc.image.values == np.round(sc.image.values))
