"""Real widths (issue 17): maps of more than 64 channels (ResNet's layer2 and on, a U-Net's 128 to
1024) are accepted in the network view, which draws a few channels of each, and refused in one line
by the views that draw every plane; a big layer's maps are summed by matrix products and still
equal PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import convanim
from convanim import steps

NETWORK = {"render": {"view": "network"}}


def wide() -> tuple[nn.Module, torch.Tensor]:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 128, 3, padding=1), nn.ReLU(), nn.Conv2d(128, 4, 1))
    return model.double().eval(), torch.rand(3, 8, 8, dtype=torch.float64)


def test_a_network_of_128_channels_is_accepted_and_equals_pytorch():
    model, x = wide()
    s = convanim.from_torch(model, x, **NETWORK)
    with torch.no_grad():
        np.testing.assert_allclose(s.output(), model(x[None])[0].numpy(), rtol=0, atol=1e-13)
    assert [st.out_channels for st in s.stages] == [128, 128, 4]


def test_a_view_that_draws_every_plane_refuses_128_channels_saying_what_to_change():
    model, x = wide()
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.from_torch(model, x)
    assert str(err.value) == (
        "stages[0]: makes a map of 128 channels; this view draws every plane, at most 64 (use fewer "
        'channels or draw it as a network: render.view = "network")'
    )
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.from_torch(nn.Conv2d(3, 65, 3).double(), x)
    assert str(err.value) == (
        "kernel: makes a map of 65 channels; this view draws every plane, at most 64 (use fewer "
        'channels or draw it as a network: render.view = "network")'
    )
    assert convanim.from_torch(nn.Conv2d(3, 65, 3).double(), x, **NETWORK).output().shape == (65, 6, 6)


def test_an_image_of_more_than_64_channels_is_refused_by_the_layer_view():
    x = np.zeros((70, 4, 4))
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.Scenario(image=x, operation="conv2d", kernel=np.ones((2, 70, 1, 1)))
    assert str(err.value).startswith("image: makes a map of 70 channels; this view draws every plane")
    s = convanim.Scenario(image=x, operation="conv2d", kernel=np.ones((2, 70, 1, 1)), **NETWORK)
    assert s.output().shape == (2, 4, 4)


def test_more_than_1024_filters_and_a_bad_weight_are_refused_naming_them():
    x = np.zeros((3, 4, 4))
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.Scenario(image=x, operation="conv2d", kernel=np.zeros((1025, 3, 1, 1)), **NETWORK)
    assert str(err.value) == "kernel: has 1025 filters; at most 1024"
    w = np.random.default_rng(0).normal(size=(70, 3, 3, 3))
    w[5, 1, 2, 0] = np.nan
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.Scenario(image=x, operation="conv2d", kernel=w, **NETWORK)
    assert str(err.value) == "kernel[5][1][2][0]: must be a finite number (got nan)"
    w[5, 1, 2, 0] = 2e12
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.Scenario(image=x, operation="conv2d", kernel=w, **NETWORK)
    assert str(err.value) == "kernel[5][1][2][0]: must be between -1e12 and 1e12 (got 2e+12)"


@pytest.mark.parametrize(("groups", "stride", "dilation", "band"), [(1, 1, 1, 1 << 21), (2, 2, 2, 1)])
def test_a_big_layer_summed_by_matrix_products_equals_pytorch_and_the_step_by_step_sums(
    groups, stride, dilation, band
):
    rng = np.random.default_rng(groups)
    x, w, b = rng.normal(size=(8, 19, 23)), rng.normal(size=(6, 8 // groups, 3, 3)), rng.normal(size=6)
    keys = {"operation": "conv2d", "kernel": w, "bias": b, "groups": groups, "padding": 1}
    keys |= {"stride": stride, "dilation": dilation}
    stage = convanim.Scenario(image=x, **keys, **NETWORK).stages[0]
    exact = steps.compute(stage, x).output
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(steps, "BLAS_PRODUCTS", 0)  # every layer by matrix products
        mp.setattr(steps, "BAND", band)  # bands of two output rows, or one band
        fast = steps.compute(stage, x)
        out = fast.output
        assert [fast.steps[i].value for i in (0, 7, len(fast.steps) - 1)] == [
            float(out.flat[i]) for i in (0, 7, out.size - 1)
        ]
    ref = nn.functional.conv2d(
        torch.tensor(x)[None], torch.tensor(w), torch.tensor(b), stride, 1, dilation, groups
    )[0].numpy()
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-13)
    np.testing.assert_allclose(out, exact, rtol=0, atol=1e-13)


def test_a_cell_s_detail_shows_the_map_s_value_not_a_recomputed_one():
    """The detail draws its cell's step through a one-step layer, whose sums may run in another
    order than the map's (a big layer's are matrix products): the value shown, in the text and at
    the end of the picture's equation and in its output cell, is the map's. Shifting a map's value
    by 0.5 shifts them."""
    import re

    from convanim.display import Text
    from convanim.frames.network import NetworkBuilder

    from .test_frames_network import shown_value

    torch.manual_seed(3)
    model = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(), nn.Conv2d(6, 4, 3, stride=2))
    x = torch.rand(3, 9, 9, dtype=torch.float64) * 10
    builder = NetworkBuilder(convanim.from_torch(model.double().eval(), x, **NETWORK))
    number = r"(\u2212?[0-9.]+)"
    shifted = {}
    for j in (1, 3):  # before any cell's numbers are written
        cells = builder.sampled(j)[:4]
        assert len(cells) == 4
        values = np.array(builder.values[j])
        for cell in cells:
            values[cell] += 0.5
        builder.values[j] = values
        shifted[j] = cells
    for j, cells in shifted.items():
        assert builder.step_picture(j - 1) is not None
        for cell in cells:
            d = builder.detail(j, cell)
            want = builder.values[j][cell]
            assert shown_value(d.text) == pytest.approx(want, abs=0.0051)
            shown = [t.text for t in d.picture.visible(d.frame) if isinstance(t, Text)]
            tail = re.search(rf"[=\u2248] {number}$", shown[-1]).group(1)
            assert float(tail.replace("\u2212", "-")) == pytest.approx(want, abs=0.0051)
