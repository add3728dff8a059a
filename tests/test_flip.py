"""The kernel flip (`flip = true`): true convolution against torch and a hand-written loop, the turn's
frames in every view, the alt text and the messages."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import convanim
from convanim import Limits, ScenarioError, style
from convanim.display import Rect, Text
from convanim.frames import build

from .helpers import ROOT
from .test_text_fits import outside

TOL = {"rtol": 1e-10, "atol": 1e-10}
MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}
KERNEL = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]


def impulse(n: int = 5) -> np.ndarray:
    image = np.zeros((n, n))
    image[n // 2, n // 2] = 1
    return image


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.data())
def test_flip_is_conv2d_with_the_kernel_rotated(data):
    groups = data.draw(st.integers(1, 2))
    cin, cout = groups * data.draw(st.integers(1, 2)), groups * data.draw(st.integers(1, 2))
    k = (data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4)))
    rng = np.random.default_rng(data.draw(st.integers(0, 10_000)))
    image = np.round(rng.uniform(-3, 3, (cin, data.draw(st.integers(2, 7)), data.draw(st.integers(2, 7)))), 2)
    weights = np.round(rng.uniform(-3, 3, (cout, cin // groups, *k)), 2)
    keys = {
        "stride": [data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))],
        "padding": [data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))],
        "padding_mode": data.draw(st.sampled_from(list(MODES))),
        "dilation": [data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))],
    }
    try:
        s = convanim.Scenario(
            image=image, kernel=weights, groups=groups, flip=True, limits=Limits(10**6, 10**7, 10**9), **keys
        )
    except ScenarioError:
        assume(False)
    (pr, pc) = keys["padding"]
    x = F.pad(torch.tensor(image)[None], (pc, pc, pr, pr), mode=MODES[keys["padding_mode"]])
    rotated = torch.tensor(weights[..., ::-1, ::-1].copy())
    expected = F.conv2d(x, rotated, None, keys["stride"], 0, keys["dilation"], groups)[0].numpy()
    np.testing.assert_allclose(s.output(), expected, **TOL)


def test_flip_is_the_textbook_sum():
    """F[a,b] = Σᵢⱼ f[i,j]·I[a−i, b−j] over the full range, kept where the kernel fits (as
    scipy.signal.convolve2d(mode="valid"), written out: scipy is not installed here)."""
    image = np.arange(30.0).reshape(5, 6) % 7
    f = np.array([[1.0, -2.0], [0.5, 3.0], [4.0, 0.0]])
    kh, kw = f.shape
    full = np.zeros((5 + kh - 1, 6 + kw - 1))
    for a in range(full.shape[0]):
        for b in range(full.shape[1]):
            full[a, b] = sum(
                f[i, j] * image[a - i, b - j]
                for i in range(kh)
                for j in range(kw)
                if 0 <= a - i < 5 and 0 <= b - j < 6
            )
    valid = full[kh - 1 : 5, kw - 1 : 6]
    s = convanim.Scenario(image=image, kernel=f, flip=True)
    np.testing.assert_allclose(s.output(), valid, **TOL)
    plain = convanim.Scenario(image=image, kernel=f)
    assert not np.allclose(plain.output(), valid)


def test_an_impulse_gives_the_kernel_itself_or_turned():
    flipped = convanim.Scenario(image=impulse(), kernel=np.array(KERNEL), flip=True)
    plain = convanim.Scenario(image=impulse(), kernel=np.array(KERNEL))
    np.testing.assert_array_equal(flipped.output(), KERNEL)
    np.testing.assert_array_equal(plain.output(), np.array(KERNEL)[::-1, ::-1])


# ---------------------------------------------------------------- frames


def kernel_numbers(frames, k: int) -> list[list[str]]:
    """The numbers drawn in the kernel's cells in frame ``k``, row by row."""
    shapes = frames.visible(k)
    fill = style.theme("light").kernel_fill
    cells = [s for s in shapes if isinstance(s, Rect) and s.fill == fill]
    found = {}
    for t in (s for s in shapes if isinstance(s, Text)):
        for c in cells:
            if c.x <= t.x <= c.x + c.w and c.y <= t.y <= c.y + c.h:
                found[(round(c.y), round(c.x))] = t.text
    rows = sorted({y for y, _ in found})
    return [[found[(y, x)] for (yy, x) in sorted(found) if yy == y] for y in rows]


def test_the_kernel_turns_in_frames_of_its_own():
    s = convanim.load(ROOT / "animations" / "true_convolution_asymmetric.toml")
    f = build(s)
    assert len(f) == s.n_frames == 1 + 3 + 9 + 1
    given = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]]
    assert kernel_numbers(f, 0) == given and kernel_numbers(f, 1) == given
    assert kernel_numbers(f, 2) == [["7", "8", "9"], ["4", "5", "6"], ["1", "2", "3"]]  # upside down
    rotated = [["9", "8", "7"], ["6", "5", "4"], ["3", "2", "1"]]
    assert (
        kernel_numbers(f, 3) == rotated
        and kernel_numbers(f, 4) == rotated
        and kernel_numbers(f, 13) == rotated
    )
    # the given top-left weight is outlined where it stands: top left, bottom left, bottom right
    source = style.theme("light").source
    kernel = {
        (round(r.x), round(r.y))
        for r in f.visible(1)
        if isinstance(r, Rect) and r.fill is not None and r.stroke == style.theme("light").highlight
    }
    xs, ys = sorted({x for x, _ in kernel}), sorted({y for _, y in kernel})
    marks = [[r for r in f.visible(k) if isinstance(r, Rect) and r.stroke == source] for k in (1, 2, 3)]
    assert [len(m) for m in marks] == [1, 1, 1]
    spots = [(round(m[0].x - 3), round(m[0].y - 3)) for m in marks]
    assert spots == [(xs[0], ys[0]), (xs[0], ys[2]), (xs[2], ys[2])]
    assert [i.readout for i in f.frames[1:4]] == [
        "the kernel as given; true convolution first turns it by 180 degrees",
        "the kernel flipped upside down",
        "the kernel rotated by 180 degrees, the one that slides",
    ]
    assert [i.step for i in f.frames] == [None] * 4 + list(range(9)) + [None]
    texts = [[t.text for t in f.visible(k) if isinstance(t, Text)] for k in range(len(f))]
    assert "output[a,b] = Σᵢⱼ kernel[i,j] · input[a−i+2, b−j+2]   (true convolution)" in texts[0]
    assert (
        "kernel 3×3 as given" in texts[1]
        and "upside down" in texts[2]
        and "kernel 3×3 rotated 180°" in texts[3]
    )
    assert any(t.startswith("then left to right, column j to 2−j") for t in texts[3])
    # the first step reads the top-left window with the turned kernel: 9·0 + … + 1·1 = 1
    assert "output[0,0] = 9·0 + 8·0 + 7·0 + 6·0 + 5·0 + 4·0 + 3·0 + 2·0 + 1·1 = 1" in texts[4]


def test_a_one_row_kernel_turns_in_two_frames():
    s = convanim.Scenario(image=np.arange(10.0).reshape(2, 5), kernel=np.array([[1.0, 2.0, 3.0]]), flip=True)
    f = build(s)
    assert len(f) == s.n_frames == 1 + 2 + 6 + 1
    assert kernel_numbers(f, 1) == [["1", "2", "3"]] and kernel_numbers(f, 2) == [["3", "2", "1"]]


def test_the_cross_correlation_poster_names_its_convention():
    s = convanim.load(ROOT / "animations" / "cross_correlation_asymmetric.toml")
    poster = [t.text for t in build(s).visible(0) if isinstance(t, Text)]
    assert "output[a,b] = Σᵢⱼ kernel[i,j] · input[a+i, b+j]   (cross-correlation, as PyTorch)" in poster


def test_a_layer_turns_filter_0_then_slides_turned_planes():
    image = np.arange(50.0).reshape(2, 5, 5) % 5
    weights = np.arange(16.0).reshape(2, 2, 2, 2)
    s = convanim.Scenario(image=image, kernel=weights, bias=[1.0, 0.0], flip=True)
    f = build(s)
    assert len(f) == s.n_frames == 1 + 3 + 2 * 16 + 1
    texts = [[t.text for t in f.visible(k) if isinstance(t, Text)] for k in (0, 1, 2, 3, 4)]
    assert "2 filters of 2 planes, 2×2, turned 180°" in texts[0]
    assert any("true convolution" in t for t in texts[0])
    assert any(t.startswith("true convolution first turns the kernel") for t in texts[1])
    # plane 0 of filter 0 is 0 1 / 2 3: as given, upside down (2 3 / 0 1), turned (3 2 / 1 0)
    for k, plane in ((1, ["0", "1", "2", "3"]), (2, ["2", "3", "0", "1"]), (4, ["3", "2", "1", "0"])):
        weights_drawn = texts[k][texts[k].index("out[1]") + 1 : texts[k].index("filter 0 → out[0]")]
        assert weights_drawn[:4] == plane, k


def test_a_chain_draws_the_turned_kernel_and_says_so():
    s = convanim.Scenario(
        image=impulse(8), stages=[{"kernel": np.array(KERNEL), "flip": True}, {"operation": "relu"}]
    )
    last = [t.text for t in build(s).visible(len(build(s)) - 1) if isinstance(t, Text)]
    assert "turned 180°" in last
    np.testing.assert_array_equal(s.output()[2:5, 2:5], KERNEL)


def test_alt_text_says_true_convolution():
    s = convanim.load(ROOT / "animations" / "true_convolution_asymmetric.toml")
    assert s.alt_text == (
        "True convolution: a 3×3 kernel (rows 1 2 3; 4 5 6; 7 8 9) is first turned by 180° (flipped upside "
        "down, then left to right), then slides over a 5×5 image holding a single 1 (on 0) at row 2, "
        "column 2; the 3×3 output fills in row by row and shows the weighted sums (values 1 to 9)."
    )


def test_the_pair_renders_as_gif_and_html():
    for name in ("true_convolution_asymmetric", "cross_correlation_asymmetric"):
        s = convanim.load(ROOT / "animations" / f"{name}.toml")
        assert s.to_bytes("gif")[:6] == b"GIF89a"
        assert "true convolution" in s.to_html() or name.startswith("cross")


# ---------------------------------------------------------------- messages


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (
            {"operation": "max_pool2d", "kernel_size": 2, "flip": True},
            "flip: does not apply to operation 'max_pool2d'",
        ),
        (
            {"operation": "conv_transpose2d", "kernel": {"values": KERNEL}, "flip": True},
            "flip: does not apply to operation 'conv_transpose2d'",
        ),
        ({"kernel": {"values": KERNEL}, "flip": 1}, "flip: must be true or false (got 1)"),
        (
            {"stages": [{"kernel": {"values": KERNEL}}, {"operation": "relu", "flip": True}]},
            "stages[1].flip: does not apply to operation 'relu'",
        ),
    ],
)
def test_flip_elsewhere_is_one_line_naming_the_key(keys, message):
    with pytest.raises(ScenarioError) as err:
        convanim.Scenario(image={"values": impulse(6).tolist()}, **keys)
    assert str(err.value) == message


@settings(max_examples=30, deadline=None)
@given(
    st.integers(1, 5),
    st.integers(1, 5),
    st.sampled_from([1.0, 1e4, 1e9]),
    st.booleans(),
    st.integers(0, 1000),
)
def test_every_text_of_a_flipped_kernel_stays_inside(kh, kw, scale, channels, seed):
    rng = np.random.default_rng(seed)
    image = np.round(rng.uniform(-1, 1, (2, 6, 6) if channels else (6, 6)) * scale, 2)
    kernel = np.round(rng.uniform(-1, 1, (1, 2, kh, kw) if channels else (kh, kw)) * scale, 2)
    frames = convanim.Scenario(image=image, kernel=kernel, flip=True).frames()
    assert outside(frames) == []
