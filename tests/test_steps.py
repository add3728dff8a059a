"""Steps: the numbers of every window, against hand-computed values and torch."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import convanim
from convanim.steps import compute, conv2d

from .helpers import COURSE_IMAGE, small


def torch_conv2d(image: np.ndarray, kernel: np.ndarray, stride) -> np.ndarray:
    out = torch.nn.functional.conv2d(
        torch.tensor(np.array(image))[None, None], torch.tensor(np.array(kernel))[None, None], stride=stride
    )
    return out[0, 0].numpy()


def test_hand_computed_square_stride_1():
    # 4×4 ramp with a 2×2 kernel [[1, 0], [0, -1]]: each output is I[a,b] − I[a+1,b+1] = −5.
    image = np.arange(16.0).reshape(4, 4)
    s = convanim.Scenario(image=image, kernel=np.array([[1.0, 0.0], [0.0, -1.0]]))
    np.testing.assert_array_equal(s.output(), np.full((3, 3), -5.0))


def test_hand_computed_mean_on_course_image():
    s = convanim.Scenario(image=COURSE_IMAGE, kernel={"preset": "mean"})
    out = s.output()
    assert out.shape == (8, 8)
    # Window at (2, 3) is all nines; the one at (0, 0) all zeros; at (0, 2) it holds two nines.
    assert out[2, 3] == pytest.approx(9.0)
    assert out[0, 0] == 0.0
    assert out[0, 2] == pytest.approx(2.0)
    assert out[3, 0] == pytest.approx(4.0)  # rows 3..5, cols 0..2: 0 0 0 / 0 9 9 / 0 9 9 → 36/9


def test_hand_computed_stride_2():
    # 5×5 ramp, 3×3 mean, stride 2: windows centred on 6, 8, 16, 18.
    s = small(stride=2)
    np.testing.assert_allclose(s.output(), [[6.0, 8.0], [16.0, 18.0]], rtol=0, atol=1e-12)


def test_hand_computed_rectangular_with_per_axis_stride():
    image = np.arange(12.0).reshape(3, 4)  # rows 0..3, 4..7, 8..11
    kernel = np.array([[1.0, 2.0, 3.0]])  # 1×3
    s = convanim.Scenario(image=image, kernel=kernel, stride=[2, 1])
    # Output rows 0 and 2 (stride 2 down), columns 0 and 1: 1·a + 2·b + 3·c.
    expected = [[0 + 2 + 6, 1 + 4 + 9], [8 + 18 + 30, 9 + 20 + 33]]
    np.testing.assert_array_equal(s.output(), expected)


def test_steps_record_window_products_and_sum():
    s = small(stride=2)
    comp = compute(s.stages[0], s.image.values)
    assert [st.out for st in comp.steps] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    step = comp.steps[1]
    assert step.index == 1
    np.testing.assert_array_equal(step.rows, [0, 1, 2])
    np.testing.assert_array_equal(step.cols, [2, 3, 4])
    np.testing.assert_array_equal(step.inputs, [[[2, 3, 4], [7, 8, 9], [12, 13, 14]]])
    np.testing.assert_allclose(step.products, step.inputs / 9)
    assert step.value == pytest.approx(8.0)
    assert step.value == comp.output[0, 0, 1]
    assert (step.channel, step.planes, step.bias) == (0, (0,), None)
    assert step.sums == (pytest.approx(8.0),)


def test_output_size_formula_per_axis():
    s = convanim.Scenario(
        image={"pattern": "random", "size": [11, 7], "seed": 1}, kernel=np.ones((4, 2)), stride=[3, 2]
    )
    assert s.output_shape == ((11 - 4) // 3 + 1, (7 - 2) // 2 + 1) == s.output().shape
    assert s.n_frames == s.output().size + 2


def test_output_is_a_copy_and_arrays_are_read_only():
    s = small()
    out = s.output()
    out[0, 0] = 123
    assert s.output()[0, 0] != 123
    assert not s.image.values.flags.writeable and not s.kernel.values.flags.writeable


@pytest.mark.parametrize("name", ["convol_mean", "convol_edge", "convol_stride2", "convol_rect"])
def test_shipped_scenarios_equal_torch(name):
    from .helpers import ROOT

    s = convanim.load(ROOT / "animations" / f"{name}.toml")
    expected = torch_conv2d(s.image.values[0], s.kernel.plane, s.stride)
    np.testing.assert_allclose(s.output(), expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    sr=st.integers(1, 3),
    sc=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_random_cases_equal_torch_and_the_loop(h, w, kh, kw, sr, sc, seed):
    kh, kw = min(kh, h), min(kw, w)
    rng = np.random.default_rng(seed)
    image = rng.normal(size=(h, w))
    kernel = rng.normal(size=(kh, kw))
    s = convanim.Scenario(image=image, kernel=kernel, stride=[sr, sc])
    out = s.output()
    assert out.dtype == np.float64
    assert out.shape == ((h - kh) // sr + 1, (w - kw) // sc + 1)
    np.testing.assert_allclose(out, torch_conv2d(image, kernel, (sr, sc)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        conv2d(image[None], kernel[None, None], (sr, sc))[0], out, rtol=1e-12, atol=1e-12
    )
    # An independent reference: the course's formula written as loops.
    ref = np.zeros_like(out)
    for a in range(out.shape[0]):
        for b in range(out.shape[1]):
            ref[a, b] = sum(
                kernel[i, j] * image[a * sr + i, b * sc + j] for i in range(kh) for j in range(kw)
            )
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)
