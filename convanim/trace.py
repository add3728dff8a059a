"""Any traceable PyTorch model as a graph of stages: torch.fx's symbolic trace gives its nodes
(placeholder, call_module, call_function, call_method, get_attr, output); each node that makes a
map becomes one stage table, named as the node and reading the maps of its tensor arguments.

torch stays an input format: nothing here runs the model. Shapes flow through
:class:`convanim.graph.Wiring` as in a scenario file (``x.shape`` and ``x.size()`` in ``forward`` are
read from there), and a node that has no stage is refused in one line naming it.
"""

from __future__ import annotations

import operator
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import ScenarioError
from .graph import INPUT, Wiring

ModuleTable = Callable[[Any, str, tuple[int, int], int, Any], dict[str, Any]]

#: functions and methods, by what they are called in a model's forward (for messages)
FUNCTIONS = (
    "torch.cat",
    "torch.concat",
    "+",
    "torch.add",
    "F.relu",
    "F.relu6",
    "F.leaky_relu",
    "F.gelu",
    "F.hardtanh",
    "torch.sigmoid",
    "torch.tanh",
    "F.dropout (eval)",
    "F.max_pool2d",
    "F.avg_pool2d",
    "F.max_pool1d",
    "F.avg_pool1d",
    "F.adaptive_avg_pool2d",
    "F.adaptive_max_pool2d",
    "F.interpolate",
    "F.conv2d",
    "F.conv_transpose2d",
    "F.conv1d",
    "F.conv_transpose1d",
    "F.batch_norm (eval)",
)
METHODS = ("relu", "sigmoid", "tanh", "add", "contiguous", "clone")


def graph_tables(
    gm: Any,
    shape: tuple[int, int],
    channels: int,
    rank: int,
    module_table: ModuleTable,
    modules: tuple[str, ...],
    torch: Any,
) -> list[dict[str, Any]]:
    """The stage tables of the traced model ``gm`` applied to a ``channels`` × ``shape`` map (a
    signal (1, L) when ``rank`` is 1), in the order of its fx graph, each with its ``name`` and
    ``inputs``; ``module_table`` reads one module (of the classes ``modules`` names, for
    messages), spelt for the rank."""
    return _Converter(gm, shape, channels, rank, module_table, torch, modules).tables()


def traced_rank(gm: Any, one_d: Callable[[Any], bool], torch: Any) -> int:
    """1 when a node of the traced model is 1-D (a module ``one_d`` says is, or its functional
    form: F.conv1d, F.max_pool1d, …, F.interpolate in mode "linear"): its input is a signal."""
    F = torch.nn.functional
    functions = (F.conv1d, F.conv_transpose1d, F.max_pool1d, F.avg_pool1d)
    for node in gm.graph.nodes:
        if node.op == "call_module" and one_d(gm.get_submodule(node.target)):
            return 1
        if node.op == "call_function" and node.target in functions:
            return 1
        if node.op == "call_function" and node.target is F.interpolate:
            mode = node.args[3] if len(node.args) > 3 else node.kwargs.get("mode")
            if mode == "linear":
                return 1
    return 2


def trace(model: Any, torch: Any) -> Any:
    """torch.fx's symbolic trace of ``model``; refused in one line, naming the model's own line
    where the trace stopped, when fx cannot trace it."""
    try:
        return torch.fx.symbolic_trace(model)
    except Exception as err:
        text = " ".join(str(err).split()) or type(err).__name__
        where = _user_line(err)
        raise ScenarioError(
            "from_torch", f"{type(model).__name__} cannot be traced by torch.fx{where}: {_clip(text)}"
        ) from None


def _user_line(err: BaseException) -> str:
    """ " (forward, net.py line 12)": the last line of the model's own code the trace ran."""
    import torch

    root = str(Path(torch.__file__).parent)
    frames = [f for f in traceback.extract_tb(err.__traceback__) if not f.filename.startswith(root)]
    frames = [f for f in frames if Path(f.filename).name != Path(__file__).name]
    if not frames:
        return ""
    f = frames[-1]
    return f" ({f.name}, {Path(f.filename).name} line {f.lineno})"


def _clip(text: str, most: int = 160) -> str:
    return text if len(text) <= most else text[: most - 1] + "\u2026"


class _Converter:
    """Walks the fx graph once: maps (nodes with a stage), values (attributes, shapes)."""

    def __init__(
        self,
        gm: Any,
        shape: tuple[int, int],
        channels: int,
        rank: int,
        module_table: ModuleTable,
        torch: Any,
        modules: tuple[str, ...],
    ) -> None:
        self.gm, self.torch, self.module_table, self.modules = gm, torch, module_table, modules
        self.rank = rank
        self.wiring = Wiring(shape, channels, rank)
        self.maps: dict[Any, str] = {}  #: node → name of its map
        self.values: dict[Any, Any] = {}  #: node → a value that is not a map (a tensor attribute, a size)
        self.out: list[dict[str, Any]] = []

    def tables(self) -> list[dict[str, Any]]:
        nodes = list(self.gm.graph.nodes)
        inputs = [n for n in nodes if n.op == "placeholder"]
        if len(inputs) != 1:
            names = ", ".join(n.name for n in inputs)
            raise ScenarioError(
                "from_torch", f"forward takes {len(inputs)} inputs ({names}); a model of one image is drawn"
            )
        result = next(n for n in nodes if n.op == "output").args[0]
        if not isinstance(result, self.torch.fx.Node):
            raise ScenarioError(
                "from_torch", f"forward returns {_kind(result)}; a model with one output map is drawn"
            )
        live = _ancestors(result)
        for node in nodes:
            if node not in live and _in_place(node, self.gm):
                raise self._refuse(
                    node,
                    "changes a map in place and nothing reads its result; use the result or inplace=False",
                )
            if node not in live:
                continue  # computed for nothing: not drawn
            if node.op == "placeholder":
                self.maps[node] = INPUT
            elif node.op == "get_attr":
                self.values[node] = _attr(self.gm, node.target)
            elif node.op != "output" and not self._value(node):
                self._stage(node)
        if result not in self.maps:
            raise ScenarioError(
                "from_torch", f"forward returns {_describe(result)}, not a map made from its input"
            )
        if result.op == "placeholder":
            raise ScenarioError(
                "from_torch", "the model returns its input unchanged; there is nothing to draw"
            )
        return self.out

    # ------------------------------------------------------------------ values that are not maps

    def _value(self, node: Any) -> bool:
        """Record a node that computes a size (``x.shape``, ``x.size(2)``, an item of one); False
        when the node makes a map."""
        args = node.args
        if node.op == "call_function" and node.target is getattr and args[1] == "shape":
            self.values[node] = self._size(args[0], node)
        elif node.op == "call_method" and node.target == "size":
            size = self._size(args[0], node)
            dim = args[1] if len(args) > 1 else node.kwargs.get("dim")
            self.values[node] = size if dim is None else size[self._plain(dim, node)]
        elif node.op == "call_method" and node.target == "dim":
            self.values[node] = 2 + self.rank  # (N, C, H, W), or (N, C, L) for a signal
        elif node.op == "call_function" and node.target is operator.getitem and args[0] in self.values:
            self.values[node] = self.values[args[0]][self._plain(args[1], node)]
        else:
            return False
        return True

    def _size(self, arg: Any, node: Any) -> Any:
        if arg not in self.maps:
            raise self._refuse(node, "reads the size of something that is not a map")
        j = self.wiring.names.index(self.maps[arg])
        shape = self.wiring.shapes[j][2 - self.rank :]  # a signal's (1, L) is L long
        return self.torch.Size((1, self.wiring.channels[j], *shape))

    def _plain(self, arg: Any, node: Any) -> Any:
        """An argument as a Python value: sizes and attributes resolved; a map is refused."""
        if isinstance(arg, (list, tuple)):
            return type(arg)(self._plain(a, node) for a in arg)
        if isinstance(arg, self.torch.fx.Node):
            if arg in self.values:
                return self.values[arg]
            raise self._refuse(
                node, f"takes map '{self.maps.get(arg, arg.name)}' where a number or a weight goes"
            )
        return arg

    # ------------------------------------------------------------------ maps

    def _stage(self, node: Any) -> None:
        table, reads = self._table(node)
        if self.rank == 1 and table["operation"] in ("cat", "add"):
            raise self._refuse(node, f"joins signals; {table['operation']} is drawn for 2-D maps only")
        for arg in reads:
            if arg not in self.maps:
                raise self._refuse(node, f"reads '{arg.name}', which is not a map ({_describe(arg)})")
        self._check_in_place(node, reads)
        name = node.name if node.name != INPUT else f"{INPUT}_node"
        inputs = tuple(self.maps[a] for a in reads)
        prefix = f"stages[{len(self.out)}]"
        self.wiring.add(table, prefix, name, inputs)
        self.maps[node] = name
        self.out.append({"name": name, "inputs": list(inputs), **table})

    def _first_map(self, node: Any) -> tuple[Any, int, tuple[int, int]]:
        """The map a one-input node reads, its channels and size."""
        arg = node.args[0] if node.args else node.kwargs.get("input")
        if arg not in self.maps:
            raise self._refuse(node, f"reads {_describe(arg)}, not a map made from the input")
        j = self.wiring.names.index(self.maps[arg])
        return arg, self.wiring.channels[j], self.wiring.shapes[j]

    def _table(self, node: Any) -> tuple[dict[str, Any], list[Any]]:
        """The stage table of a node and the map nodes it reads."""
        where = _where(node)
        if node.op == "call_module":
            module = self.gm.get_submodule(node.target)
            arg, channels, shape = self._first_map(node)
            if len(node.args) + len(node.kwargs) != 1:
                raise self._refuse(node, "takes more than one argument; a module of one map is drawn")
            return self.module_table(module, where, shape, channels, self.torch), [arg]
        if node.op == "call_method":
            return self._method(node)
        if node.op == "call_function":
            return self._function(node)
        raise self._refuse(node, "cannot be drawn")

    def _method(self, node: Any) -> tuple[dict[str, Any], list[Any]]:
        name = node.target.rstrip("_")
        if name in ("add", "__add__") and len(node.args) == 2:
            if node.kwargs.get("alpha", 1) != 1:
                raise self._refuse(node, "with alpha ≠ 1 cannot be drawn; add reads two maps as they are")
            return {"operation": "add"}, list(node.args[:2])
        ops = {
            "relu": "relu",
            "sigmoid": "sigmoid",
            "tanh": "tanh",
            "contiguous": "identity",
            "clone": "identity",
        }
        if name in ops and len(node.args) == 1:
            return {"operation": ops[name]}, [node.args[0]]
        raise self._unsupported(node)

    def _function(self, node: Any) -> tuple[dict[str, Any], list[Any]]:
        torch, fn = self.torch, node.target
        F = torch.nn.functional
        nn = torch.nn
        if fn in (torch.cat, torch.concat, torch.concatenate):
            a = _bind(node, ("tensors", "dim"), {"dim": 0})
            if self._plain(a["dim"], node) not in (1, -3):
                raise self._refuse(node, f"joins along dim {a['dim']}; only channels (dim 1) are drawn")
            return {"operation": "cat"}, list(a["tensors"])
        if fn in (operator.add, operator.iadd, torch.add):
            a = _bind(node, ("input", "other", "alpha"), {"alpha": 1})
            if not all(isinstance(v, torch.fx.Node) and v in self.maps for v in (a["input"], a["other"])):
                raise self._refuse(node, "adds something that is not a map; add reads two maps")
            if a["alpha"] != 1:
                raise self._refuse(node, "with alpha ≠ 1 cannot be drawn; add reads two maps as they are")
            return {"operation": "add"}, [a["input"], a["other"]]
        module = self._functional_module(node, fn, F, nn)
        if module is None:
            raise self._unsupported(node)
        arg, channels, shape = self._first_map(node)
        return self.module_table(module, _where(node), shape, channels, torch), [arg]

    def _functional_module(self, node: Any, fn: Any, F: Any, nn: Any) -> Any:
        """The torch.nn module a functional call equals (built from its arguments), or None."""
        torch, p = self.torch, lambda a: self._plain(a, node)
        if fn in (F.relu, torch.relu, torch.relu_):
            return nn.ReLU()
        if fn is F.relu6:
            return nn.ReLU6()
        if fn in (torch.sigmoid, F.sigmoid):
            return nn.Sigmoid()
        if fn in (torch.tanh, F.tanh):
            return nn.Tanh()
        if fn is F.leaky_relu:
            a = _bind(
                node, ("input", "negative_slope", "inplace"), {"negative_slope": 0.01, "inplace": False}
            )
            return nn.LeakyReLU(p(a["negative_slope"]))
        if fn is F.gelu:
            return nn.GELU(
                approximate=p(_bind(node, ("input", "approximate"), {"approximate": "none"})["approximate"])
            )
        if fn is F.hardtanh:
            a = _bind(
                node,
                ("input", "min_val", "max_val", "inplace"),
                {"min_val": -1.0, "max_val": 1.0, "inplace": False},
            )
            return nn.Hardtanh(p(a["min_val"]), p(a["max_val"]))
        if fn is F.dropout:
            a = _bind(
                node, ("input", "p", "training", "inplace"), {"p": 0.5, "training": True, "inplace": False}
            )
            drop = nn.Dropout(p(a["p"]))
            return drop.train(bool(p(a["training"])))
        if fn in (F.max_pool2d, F.max_pool1d):
            names = ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices")
            a = _bind(
                node,
                names,
                {"stride": None, "padding": 0, "dilation": 1, "ceil_mode": False, "return_indices": False},
            )
            pool = nn.MaxPool2d if fn is F.max_pool2d else nn.MaxPool1d
            return pool(**{k: p(v) for k, v in a.items() if k != "input"})
        if fn in (F.avg_pool2d, F.avg_pool1d):
            names = (
                "input",
                "kernel_size",
                "stride",
                "padding",
                "ceil_mode",
                "count_include_pad",
                "divisor_override",
            )
            defaults = {
                "stride": None,
                "padding": 0,
                "ceil_mode": False,
                "count_include_pad": True,
                "divisor_override": None,
            }
            if fn is F.avg_pool1d:  # avg_pool1d has no divisor_override
                names, defaults = names[:-1], {k: v for k, v in defaults.items() if k != "divisor_override"}
            a = _bind(node, names, defaults)
            pool = nn.AvgPool2d if fn is F.avg_pool2d else nn.AvgPool1d
            return pool(**{k: p(v) for k, v in a.items() if k != "input"})
        if fn in (F.adaptive_avg_pool2d, F.adaptive_max_pool2d):
            names = ("input", "output_size", "return_indices")
            a = _bind(node, names, {"return_indices": False})
            if fn is F.adaptive_avg_pool2d:
                return nn.AdaptiveAvgPool2d(p(a["output_size"]))
            return nn.AdaptiveMaxPool2d(p(a["output_size"]), p(a["return_indices"]))
        if fn is F.interpolate:
            names = (
                "input",
                "size",
                "scale_factor",
                "mode",
                "align_corners",
                "recompute_scale_factor",
                "antialias",
            )
            defaults = {"size": None, "scale_factor": None, "mode": "nearest", "align_corners": None,
                        "recompute_scale_factor": None, "antialias": False}  # fmt: skip
            a = {k: p(v) for k, v in _bind(node, names, defaults).items() if k != "input"}
            if a.pop("antialias"):
                raise self._refuse(node, "with antialias=True cannot be drawn")
            return nn.Upsample(**a)
        if fn in (F.conv2d, F.conv_transpose2d, F.conv1d, F.conv_transpose1d):
            one_d = fn in (F.conv1d, F.conv_transpose1d)
            return self._conv(node, fn in (F.conv_transpose2d, F.conv_transpose1d), one_d)
        if fn is F.batch_norm:
            names = ("input", "running_mean", "running_var", "weight", "bias", "training", "momentum", "eps")
            defaults = {"weight": None, "bias": None, "training": False, "momentum": 0.1, "eps": 1e-5}
            a = {k: p(v) for k, v in _bind(node, names, defaults).items() if k != "input"}
            if a["running_mean"] is None:
                raise self._refuse(
                    node, "without running statistics normalises by the batch's; cannot be drawn"
                )
            bn = nn.BatchNorm2d(a["running_mean"].shape[0], eps=a["eps"], affine=a["weight"] is not None)
            with torch.no_grad():
                bn.running_mean.copy_(a["running_mean"])
                bn.running_var.copy_(a["running_var"])
                if a["weight"] is not None:
                    bn.weight.copy_(a["weight"])
                    bn.bias.copy_(a["bias"] if a["bias"] is not None else torch.zeros_like(a["weight"]))
            return bn.train(bool(a["training"]))
        return None

    def _conv(self, node: Any, transposed: bool, one_d: bool) -> Any:
        """F.conv2d / F.conv_transpose2d (or their 1-D forms) with weights read from the model's
        attributes."""
        nn, torch = self.torch.nn, self.torch
        if transposed:
            names = ("input", "weight", "bias", "stride", "padding", "output_padding", "groups", "dilation")
            defaults = {
                "bias": None,
                "stride": 1,
                "padding": 0,
                "output_padding": 0,
                "groups": 1,
                "dilation": 1,
            }
        else:
            names = ("input", "weight", "bias", "stride", "padding", "dilation", "groups")
            defaults = {"bias": None, "stride": 1, "padding": 0, "dilation": 1, "groups": 1}
        a = _bind(node, names, defaults)
        for key in ("weight", "bias"):
            if isinstance(a[key], torch.fx.Node) and a[key] not in self.values:
                raise self._refuse(
                    node,
                    f"takes its {key} from node '{a[key].name}'; a weight must be an attribute of the model",
                )
        a = {k: self._plain(v, node) for k, v in a.items() if k != "input"}
        weight, bias, groups = a.pop("weight"), a.pop("bias"), a["groups"]
        if transposed:
            cin, cout = weight.shape[0], weight.shape[1] * groups
            cls = nn.ConvTranspose1d if one_d else nn.ConvTranspose2d
        else:
            cin, cout = weight.shape[1] * groups, weight.shape[0]
            cls = nn.Conv1d if one_d else nn.Conv2d
        module = cls(cin, cout, tuple(weight.shape[2:]), bias=bias is not None, **a)
        with torch.no_grad():
            module.weight = nn.Parameter(weight.detach().clone())
            if bias is not None:
                module.bias = nn.Parameter(bias.detach().clone())
        return module

    # ------------------------------------------------------------------ checks

    def _check_in_place(self, node: Any, reads: list[Any]) -> None:
        """An in-place node changes the map it reads: refused when a later node reads that map
        too (it would see the changed values, which the graph of maps cannot say)."""
        if not _in_place(node, self.gm):
            return
        target = reads[0]
        order = list(self.gm.graph.nodes)
        later = [u for u in target.users if order.index(u) > order.index(node)]
        if later:
            raise self._refuse(
                node,
                f"changes '{self.maps[target]}' in place, which '{later[0].name}' reads afterwards; "
                "use inplace=False",
            )

    def _refuse(self, node: Any, message: str) -> ScenarioError:
        return ScenarioError("from_torch", f"{_where(node)} {message}")

    def _unsupported(self, node: Any) -> ScenarioError:
        return self._refuse(
            node,
            f"cannot be drawn; supported: modules {', '.join(self.modules)}; "
            f"functions {', '.join(FUNCTIONS)}; methods {', '.join(METHODS)}",
        )


def _where(node: Any) -> str:
    """ "node 'bn1' (call_module BatchNorm2d)", "node 'flatten' (call_function torch.flatten)"."""
    if node.op == "call_module":
        what = type(node.graph.owning_module.get_submodule(node.target)).__name__
    elif node.op == "call_function":
        what = _qualified(node.target)
    else:
        what = str(node.target)
    return f"node '{node.name}' ({node.op} {what})"


OPERATORS = {"add": "+", "iadd": "+=", "mul": "*", "sub": "-", "truediv": "/", "matmul": "@", "getitem": "[]"}


def _qualified(fn: Any) -> str:
    """How a function is written in a forward: "+", "torch.cat", "F.max_pool2d", "getattr"."""
    module = getattr(fn, "__module__", None) or ""
    name = getattr(fn, "__name__", None) or repr(fn)
    if module in ("_operator", "operator"):
        return OPERATORS.get(name, f"operator.{name}")
    if module == "builtins":
        return name
    if module.startswith("torch.nn.functional"):
        return f"F.{name}"
    if module in ("", "torch") or module.startswith("torch._C"):
        return f"torch.{name}"
    return f"{module}.{name}"


def _bind(node: Any, names: tuple[str, ...], defaults: dict[str, Any]) -> dict[str, Any]:
    """A call's arguments by name (positional ones matched to ``names``), defaults filled in."""
    out = dict(zip(names, node.args, strict=False))
    for key, value in node.kwargs.items():
        if key in names:
            out[key] = value
    for key, value in defaults.items():
        out.setdefault(key, value)
    missing = [n for n in names if n not in out]
    if missing:
        raise ScenarioError("from_torch", f"{_where(node)} lacks its argument `{missing[0]}`")
    return out


def _in_place(node: Any, gm: Any) -> bool:
    if node.op == "call_module":
        return bool(getattr(gm.get_submodule(node.target), "inplace", False))
    if node.op == "call_method":
        return node.target.endswith("_") and not node.target.startswith("__")
    if node.op == "call_function":
        return (
            node.target is operator.iadd
            or bool(node.kwargs.get("inplace"))
            or (getattr(node.target, "__name__", "").endswith("_"))
        )
    return False


def _ancestors(node: Any) -> set[Any]:
    seen, todo = set(), [node]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(n.all_input_nodes)
    return seen


def _attr(gm: Any, target: str) -> Any:
    obj = gm
    for part in target.split("."):
        obj = getattr(obj, part)
    return obj


def _kind(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return f"{len(value)} values"
    if isinstance(value, dict):
        return f"a dict of {len(value)} values"
    return repr(value)


def _describe(node: Any) -> str:
    if not hasattr(node, "op"):
        return repr(node)
    what = _qualified(node.target) if node.op == "call_function" else node.target
    return f"node '{node.name}' ({node.op} {what})"
