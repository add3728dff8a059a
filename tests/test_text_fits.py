"""Every text of every frame lies inside the picture, for random scenarios: equations are shortened
or the picture widens, whatever the values (up to the allowed 1e12), kernels and operations."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convanim
from convanim.display import Text
from convanim.textsize import text_width

MAGNITUDES = st.sampled_from([1.0, 9.0, 100.0, 1e5, 1e8, 1e12])


def extent(t: Text) -> tuple[float, float]:
    w = text_width(t.text, t.size, t.bold)
    left = {"start": t.x, "middle": t.x - w / 2, "end": t.x - w}[t.anchor]
    return left, left + w


def outside(frames) -> list[tuple[str, float, float]]:
    """Texts that extend past the picture's left or right edge, with their extent."""
    bad = []
    for it in frames.items:
        if isinstance(it.shape, Text):
            left, right = extent(it.shape)
            if left < -0.5 or right > frames.width + 0.5:
                bad.append((it.shape.text, round(left, 1), round(right, 1)))
    return bad


@st.composite
def arrays(draw, rows, cols):
    shape = (draw(rows), draw(cols))
    scale = draw(MAGNITUDES)
    kind = draw(st.sampled_from(["int", "float", "signed"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    values = rng.uniform(-1 if kind == "signed" else 0, 1, size=shape) * scale
    return np.round(values) if kind == "int" else np.round(values, 2)


@st.composite
def scenarios(draw):
    op = draw(
        st.sampled_from(
            ["conv2d", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "upsample", "relu"]
        )
    )
    image = draw(arrays(st.integers(1, 7), st.integers(1, 7)))
    keys = {"image": image, "operation": op}
    h, w = image.shape
    if op in ("conv2d", "conv_transpose2d"):
        keys["kernel"] = draw(arrays(st.integers(1, min(h, 4)), st.integers(1, min(w, 4))))
        if draw(st.booleans()):
            keys["kernel"] = {
                "preset": draw(st.sampled_from(["mean", "gaussian"])),
                "size": [draw(st.integers(1, min(h, 5))), draw(st.integers(1, min(w, 5)))],
            }
        if op == "conv_transpose2d":
            keys["stride"] = draw(st.integers(1, 2))
    elif op in ("max_pool2d", "avg_pool2d"):
        keys["kernel_size"] = [draw(st.integers(1, h)), draw(st.integers(1, w))]
    elif op == "upsample":
        keys["mode"] = draw(st.sampled_from(["nearest", "bilinear"]))
        keys["scale_factor"] = draw(st.sampled_from([1.5, 2, 2.5, 3]))
    if draw(st.booleans()):
        keys["title"] = draw(st.text(st.sampled_from("Convolution ×−ΣWMmw01"), min_size=1, max_size=120))
    if draw(st.booleans()):
        keys["caption"] = draw(st.text(st.sampled_from("caption WMmw"), min_size=1, max_size=200))
    if draw(st.booleans()):
        keys["render"] = {"cell_px": draw(st.integers(8, 96))}
    return keys


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keys=scenarios())
def test_no_text_extends_past_the_picture(keys):
    try:
        s = convanim.Scenario(**keys)
    except convanim.ScenarioError:
        return  # e.g. a window larger than the input: refused, nothing drawn
    assert outside(s.frames()) == []


def test_the_reported_equation_and_large_values_fit():
    s = convanim.Scenario(
        image=np.array([[12.5], [-7.25], [30.0], [4.75], [-18.5]]), kernel=np.array([[0.3], [-0.45], [0.3]])
    )
    f = s.frames()
    assert outside(f) == []
    texts = {it.shape.text for it in f.items if isinstance(it.shape, Text)}
    # the weights as the kernel writes them, one format for its grid (0.30 beside −0.45)
    assert "output[0,0] = 0.30·12.50 + (−0.45)·(−7.25) + 0.30·30.00 = 16.01" in texts
    big = convanim.Scenario(image=np.full((4, 4), 987654321012.5), kernel={"preset": "mean"})
    assert outside(big.frames()) == []
    chain = convanim.Scenario(
        image=np.full((6, 6), -987654321012.25),
        stages=[{"operation": "relu"}, {"operation": "max_pool2d", "kernel_size": 2}],
    )
    assert outside(chain.frames()) == []


@st.composite
def chains(draw):
    image = draw(arrays(st.integers(4, 12), st.integers(4, 12)))
    stages = []
    for _ in range(draw(st.integers(2, 3))):
        op = draw(st.sampled_from(["conv2d", "relu", "max_pool2d", "avg_pool2d", "upsample"]))
        stage = {"operation": op}
        if op == "conv2d":
            stage["kernel"] = {"preset": draw(st.sampled_from(["mean", "sobel_x", "laplacian"]))}
            stage["padding"] = 1
        elif op in ("max_pool2d", "avg_pool2d"):
            stage["kernel_size"] = 2
            stage["ceil_mode"] = True
        elif op == "upsample":
            stage["mode"] = draw(st.sampled_from(["nearest", "bilinear"]))
            stage["scale_factor"] = draw(st.sampled_from([1.5, 2]))
        stages.append(stage)
    return {"image": image, "stages": stages}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keys=chains())
def test_no_text_extends_past_a_chain_picture(keys):
    try:
        s = convanim.Scenario(**keys)
    except convanim.ScenarioError:
        return
    assert outside(s.frames()) == []


@st.composite
def layers(draw):
    """Convolutions with channels: random weights (out_channels), a bias, values up to 1e12."""
    c, h, w = draw(st.integers(1, 3)), draw(st.integers(3, 6)), draw(st.integers(3, 6))
    scale = draw(MAGNITUDES)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    keys = {
        "image": np.round(rng.uniform(-1, 1, size=(c, h, w)) * scale, 2),
        "out_channels": draw(st.integers(1, 3)),
        "kernel_size": draw(st.integers(1, 3)),
        "bias": draw(st.booleans()),
        "seed": draw(st.integers(0, 99)),
    }
    if draw(st.booleans()):
        keys["operation"] = "conv_transpose2d"
    return keys


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keys=layers())
def test_no_text_extends_past_a_layer_picture(keys):
    try:
        s = convanim.Scenario(**keys)
    except convanim.ScenarioError:
        return
    assert outside(s.frames()) == []
