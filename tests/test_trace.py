"""from_torch on any traceable model: random graphs of the supported nodes (modules, functions,
methods, cat along channels, + of two maps) equal the model in float64; the stages carry the fx
node names; what cannot be traced or drawn is refused in one line naming the node."""

import inspect
from typing import ClassVar

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

import convanim

TOL = {"rtol": 1e-12, "atol": 1e-12}


def expected(model, x):
    with torch.no_grad():
        return model.double()(torch.tensor(x)[None])[0].numpy()


class Plan(nn.Module):
    """A forward that runs a list of steps over a growing list of maps (unrolled by the trace)."""

    FUNCTIONS: ClassVar[dict] = {
        "relu": F.relu,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "gelu": F.gelu,
        "leaky": lambda t: F.leaky_relu(t, 0.3),
        "relu6": F.relu6,
        "maxpool": lambda t: F.max_pool2d(t, 2, ceil_mode=True),
        "avgpool": lambda t: F.avg_pool2d(t, 2, stride=1, padding=1),
        "adaptive": lambda t: F.adaptive_avg_pool2d(t, 3),
        "up": lambda t: F.interpolate(t, scale_factor=2, mode="bilinear"),
        "method_relu": lambda t: t.relu(),
    }

    def __init__(self, steps, modules):
        super().__init__()
        self.steps = steps
        self.mods = nn.ModuleList(modules)

    def forward(self, x):
        maps = [x]
        for kind, what, src in self.steps:
            if kind == "module":
                y = self.mods[what](maps[src[0]])
            elif kind == "function":
                y = self.FUNCTIONS[what](maps[src[0]])
            elif kind == "cat":
                y = torch.cat([maps[i] for i in src], dim=1)
            else:
                y = maps[src[0]] + maps[src[1]]
            maps.append(y)
        return maps[-1]


def batch_norm(c, seed):
    bn = nn.BatchNorm2d(c)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        bn.running_mean.copy_(torch.rand(c, generator=g) * 2 - 1)
        bn.running_var.copy_(torch.rand(c, generator=g) + 0.2)
        bn.weight.copy_(torch.rand(c, generator=g) * 2 - 1)
        bn.bias.copy_(torch.rand(c, generator=g) * 2 - 1)
    return bn.eval()


@st.composite
def models(draw):
    """A random model and an input: each step reads maps made before it, shapes kept valid."""
    c, h, w = draw(st.integers(1, 3)), draw(st.integers(3, 7)), draw(st.integers(3, 7))
    shapes, steps, modules = [(c, h, w)], [], []
    for _ in range(draw(st.integers(1, 7))):
        i = draw(st.integers(0, len(shapes) - 1))
        ci, hi, wi = shapes[i]
        kind = draw(st.sampled_from(["module", "module", "function", "cat", "add"]))
        if kind in ("cat", "add"):
            j = draw(st.integers(0, len(shapes) - 1))
            if kind == "cat" and shapes[j][1:] == (hi, wi) and ci + shapes[j][0] <= 8:
                steps.append(("cat", None, (i, j)))
                shapes.append((ci + shapes[j][0], hi, wi))
                continue
            if kind == "add" and shapes[j] == shapes[i]:
                steps.append(("add", None, (i, j)))
                shapes.append(shapes[i])
                continue
            kind = "module"
        if kind == "function":
            name = draw(st.sampled_from(sorted(Plan.FUNCTIONS)))
            if (name in ("maxpool", "adaptive") and min(hi, wi) < 2) or (name == "up" and max(hi, wi) > 8):
                name = "relu"
            steps.append(("function", name, (i,)))
            out = {
                "maxpool": (ci, -(-hi // 2), -(-wi // 2)),
                "avgpool": (ci, hi + 1, wi + 1),
                "adaptive": (ci, 3, 3),
                "up": (ci, 2 * hi, 2 * wi),
            }.get(name, (ci, hi, wi))
            shapes.append(out)
            continue
        which = draw(
            st.sampled_from(["conv", "conv_same", "bn", "leaky", "hardtanh", "gelu", "tanh", "ident", "amax"])
        )
        seed = draw(st.integers(0, 999))
        torch.manual_seed(seed)
        if which == "conv" and min(hi, wi) >= 2:
            co = draw(st.integers(1, 3))
            module, out = nn.Conv2d(ci, co, 2, stride=draw(st.integers(1, 2))), None
            s = module.stride[0]
            out = (co, (hi - 2) // s + 1, (wi - 2) // s + 1)
        elif which == "conv_same":
            co = draw(st.integers(1, 3))
            module, out = nn.Conv2d(ci, co, 3, padding=1, bias=draw(st.booleans())), (co, hi, wi)
        elif which == "bn":
            module, out = batch_norm(ci, seed), (ci, hi, wi)
        elif which == "amax":
            module, out = nn.AdaptiveMaxPool2d((2, None)), (ci, 2, wi)
        else:
            module = {
                "leaky": nn.LeakyReLU(0.1),
                "hardtanh": nn.Hardtanh(-0.5, 0.7),
                "gelu": nn.GELU(approximate="tanh"),
                "tanh": nn.Tanh(),
                "ident": nn.Identity(),
                "conv": nn.ReLU6(),
            }[which]
            out = (ci, hi, wi)
        steps.append(("module", len(modules), (i,)))
        modules.append(module)
        shapes.append(out)
    x = np.random.default_rng(draw(st.integers(0, 2**16))).uniform(-2, 2, (c, h, w)).round(3)
    return Plan(steps, modules).eval(), x


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=models())
def test_random_traced_graphs_equal_the_model(case):
    model, x = case
    s = convanim.from_torch(model, torch.tensor(x))
    np.testing.assert_allclose(s.output() if s.layered else s.output()[None], expected(model, x), **TOL)
    gm = torch.fx.symbolic_trace(model)
    names = [n.name for n in gm.graph.nodes if n.op not in ("placeholder", "output")]
    assert [st.name for st in s.stages] == [n for n in names if n in {st.name for st in s.stages}]
    assert s.stages[-1].name == next(n for n in gm.graph.nodes if n.op == "output").args[0].name


class BasicBlock(nn.Module):
    """torchvision's ResNet basic block, with a 1×1 projection on the skip."""

    def __init__(self, cin=2, cout=3):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn1 = batch_norm(cout, 1)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = batch_norm(cout, 2)
        self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), batch_norm(cout, 3))

    def forward(self, x):
        identity = self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU())
        self.pool = nn.MaxPool2d(2)
        self.enc2 = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU())
        self.up = nn.ConvTranspose2d(4, 2, 2, stride=2)
        self.dec = nn.Conv2d(4, 1, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        u = self.up(e2)
        u = F.interpolate(u, size=e1.shape[2:])
        return torch.sigmoid(self.dec(torch.cat((e1, u), dim=1)))


def test_a_resnet_basic_block_traces_with_fx_names():
    torch.manual_seed(0)
    block = BasicBlock().eval()
    x = np.random.default_rng(0).uniform(-1, 1, (2, 6, 6))
    s = convanim.from_torch(block, x)
    assert [(st.name, st.operation, st.inputs) for st in s.stages] == [
        ("downsample_0", "conv2d", ("input",)),
        ("downsample_1", "batch_norm", ("downsample_0",)),
        ("conv1", "conv2d", ("input",)),
        ("bn1", "batch_norm", ("conv1",)),
        ("relu", "relu", ("bn1",)),
        ("conv2", "conv2d", ("relu",)),
        ("bn2", "batch_norm", ("conv2",)),
        ("add", "add", ("bn2", "downsample_1")),
        ("relu_1", "relu", ("add",)),
    ]
    np.testing.assert_allclose(s.output(), expected(block, x), **TOL)
    norm = s.stages[3].norm
    np.testing.assert_array_equal(norm.running_var, block.bn1.running_var.double().numpy())


def test_a_unet_traces_with_its_skip_cat():
    torch.manual_seed(1)
    net = UNet().eval()
    x = np.random.default_rng(1).uniform(0, 1, (1, 7, 7)).astype(np.float32).astype(float)
    s = convanim.from_torch(net, torch.tensor(x)[None].float())  # float32, a batch of one
    cat = next(st for st in s.stages if st.operation == "cat")
    assert (cat.name, cat.inputs, cat.input_channels) == ("cat", ("enc1_1", "interpolate"), (2, 2))
    assert s.stages[-1].operation == "sigmoid"
    np.testing.assert_allclose(s.output(), expected(net, x), **TOL)


def test_functional_convolutions_and_batch_norm_read_their_weights():
    class Functional(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.randn(3, 2, 3, 3))
            self.b = nn.Parameter(torch.randn(3))
            self.wt = nn.Parameter(torch.randn(3, 2, 2, 2))
            self.register_buffer("mean", torch.randn(2))
            self.register_buffer("var", torch.rand(2) + 0.5)

        def forward(self, x):
            y = F.conv2d(x, self.w, self.b, padding=1, stride=(1, 2))
            y = F.conv_transpose2d(y, self.wt, stride=2)
            y = F.batch_norm(y, self.mean, self.var, training=False, eps=1e-3)
            return F.dropout(F.hardtanh(y, -1.5, 2.0), 0.5, training=self.training)

    torch.manual_seed(2)
    model = Functional().eval()
    x = np.random.default_rng(2).uniform(-1, 1, (2, 5, 6))
    s = convanim.from_torch(model, x)
    assert s.operations == "conv2d → conv_transpose2d → batch_norm → hardtanh → identity"
    np.testing.assert_allclose(s.output(), expected(model, x), **TOL)


class Inplace(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 1)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        y = self.conv(x)
        z = self.relu(y)
        return y + z  # y was changed by the in-place ReLU


class Unused(nn.Module):
    def forward(self, x):
        x.relu_()
        return x


class Flatten(nn.Module):
    def forward(self, x):
        return torch.flatten(F.relu(x), 1)


class Branchy(nn.Module):
    def forward(self, x):
        if x.sum() > 0:
            return x
        return -x


class Nothing(nn.Module):
    def forward(self, x):
        return x


BRANCH = inspect.getsourcelines(Branchy.forward)[1] + 1  # the line of its `if`


class Two(nn.Module):
    def forward(self, x, y):
        return x + y


class Pair(nn.Module):
    def forward(self, x):
        return x.relu(), x.tanh()


class Scale(nn.Module):
    def forward(self, x):
        return x + 1


class Width(nn.Module):
    def forward(self, x):
        return torch.cat([x, x], dim=3)


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (lambda: nn.Sequential(nn.Conv2d(1, 1, 1), nn.BatchNorm2d(1)),
         "from_torch: node '_1' (call_module BatchNorm2d) in training mode normalises by the batch's statistics; "
         "call model.eval() first"),
        (lambda: nn.BatchNorm2d(1).eval().train(),
         "from_torch: BatchNorm2d in training mode normalises by the batch's statistics; call model.eval() first"),
        (lambda: nn.Sequential(nn.Dropout(0.3)),
         "from_torch: node '_0' (call_module Dropout) in training mode drops values at random; call model.eval() first"),
        (lambda: nn.BatchNorm2d(1, track_running_stats=False).eval(),
         "from_torch: BatchNorm2d with track_running_stats=False normalises by the batch's statistics, even in eval mode"),
        (lambda: Inplace(),
         "from_torch: node 'relu' (call_module ReLU) changes 'conv' in place, which 'add' reads afterwards; "
         "use inplace=False"),
        (lambda: Unused(),
         "from_torch: node 'relu_' (call_method relu_) changes a map in place and nothing reads its result; "
         "use the result or inplace=False"),
        (lambda: Flatten(), "from_torch: node 'flatten' (call_function torch.flatten) cannot be drawn; supported: modules"),
        (lambda: Branchy(),
         f"from_torch: Branchy cannot be traced by torch.fx (forward, test_trace.py line {BRANCH}): symbolically traced "
         "variables cannot be used as inputs to control flow"),
        (lambda: Two(), "from_torch: forward takes 2 inputs (x, y); a model of one image is drawn"),
        (lambda: Pair(), "from_torch: forward returns 2 values; a model with one output map is drawn"),
        (lambda: Scale(), "from_torch: node 'add' (call_function +) adds something that is not a map; add reads two maps"),
        (lambda: Width(), "from_torch: node 'cat' (call_function torch.cat) joins along dim 3; only channels (dim 1) are drawn"),
        (lambda: Nothing(), "from_torch: the model returns its input unchanged; there is nothing to draw"),
    ],
)  # fmt: skip
def test_what_cannot_be_traced_or_drawn_is_one_line_naming_the_node(model, message):
    with pytest.raises(convanim.ScenarioError) as err:
        convanim.from_torch(model(), torch.zeros(1, 4, 4))
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith(message) if message.endswith("modules") else text == message


# ---------------------------------------------------------------- signals (rank 1)


class SignalNet(nn.Module):
    """1-D nodes in their functional forms, with a size read from the input's shape."""

    def __init__(self):
        super().__init__()
        gen = torch.Generator().manual_seed(3)
        self.weight = nn.Parameter(torch.randn(3, 2, 3, generator=gen, dtype=torch.float64))
        self.bias = nn.Parameter(torch.randn(3, generator=gen, dtype=torch.float64))

    def forward(self, x):
        y = F.max_pool1d(F.relu(F.conv1d(x, self.weight, self.bias, padding=1)), 2)
        y = F.avg_pool1d(y, 2, stride=1)
        return torch.tanh(F.interpolate(y, size=x.shape[-1], mode="linear"))


def test_one_d_models_trace_as_signals():
    """A model with a 1-D node makes the input a signal (C, L): modules and functional forms of
    Conv1d, ConvTranspose1d, MaxPool1d, AvgPool1d and linear upsampling, x.shape read as (N, C, L)."""
    x = np.random.default_rng(4).normal(size=(2, 12))
    seq = nn.Sequential(
        nn.Conv1d(2, 3, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool1d(2),
        nn.ConvTranspose1d(3, 2, 2, stride=2),
        nn.AvgPool1d(3, stride=1),
        nn.Upsample(scale_factor=2, mode="linear"),
    ).double()
    s = convanim.from_torch(seq, x)
    assert (s.image.rank, s.image.shape) == (1, (1, 12))
    assert s.operations == "conv1d → relu → max_pool1d → conv_transpose1d → avg_pool1d → upsample"
    assert [st.name for st in s.stages] == ["_0", "_1", "_2", "_3", "_4", "_5"]
    np.testing.assert_allclose(s.output(), expected(seq, x), **TOL)
    net = SignalNet()
    s = convanim.from_torch(net, x)
    assert s.operations == "conv1d → relu → max_pool1d → avg_pool1d → upsample → tanh"
    assert s.stages[4].size == (1, 12) and s.stages[4].mode == "linear"
    np.testing.assert_allclose(s.output(), expected(net, x), **TOL)


class SignalResidual(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(2, 2, 3, padding=1)

    def forward(self, x):
        return self.conv(x) + x


def test_a_signal_s_join_is_refused_in_one_line():
    """cat and add are drawn for 2-D maps: a signal's stages form a chain."""
    with pytest.raises(convanim.ConvanimError) as err:
        convanim.from_torch(SignalResidual(), torch.zeros(2, 10))
    assert (
        str(err.value)
        == "from_torch: node 'add' (call_function +) joins signals; add is drawn for 2-D maps only"
    )
    stages = [{"name": "a", "operation": "conv1d", "kernel": {"values": [1, 0, -1]}}, {"operation": "cat"}]
    stages[1]["inputs"] = ["a", "a"]
    with pytest.raises(convanim.ConvanimError) as err:
        convanim.Scenario(image={"values": [1, 2, 3, 4]}, stages=stages)
    assert str(err.value) == "stages[1].operation: cat joins 2-D maps; a signal's stages form a chain"
    with pytest.raises(convanim.ConvanimError) as err:
        convanim.Scenario(image={"values": [1, 2, 3]}, operation="adaptive_max_pool2d", output_size=2)
    assert str(err.value) == "operation: adaptive_max_pool2d takes a 2-D image, but the input is a 1-D signal"
