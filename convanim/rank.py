"""1-D stages and signals as 2-D ones of height 1: conv1d is conv2d on a (C, 1, L) map with a
(C_out, C_in/groups, 1, k) kernel, as in PyTorch. This module decides a scenario's rank, checks the
1-D spellings of the keys (integers, not [rows, cols]; a list of samples, not rows) and rewrites
them as the 2-D keys the one data model takes, so steps, limits and exporters need nothing new.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from . import fields as f
from .errors import Collect, LimitError, ScenarioError

if TYPE_CHECKING:
    from .stage import Stage

#: The 1-D operations and the 2-D computation each is (on a map of height 1).
ONE_D = {
    "conv1d": "conv2d",
    "conv_transpose1d": "conv_transpose2d",
    "max_pool1d": "max_pool2d",
    "avg_pool1d": "avg_pool2d",
}
TWO_D = {v: k for k, v in ONE_D.items()}
#: 2-D operations with no 1-D form here (adaptive pools take a 2-D output_size)
TWO_D_ONLY = ("adaptive_avg_pool2d", "adaptive_max_pool2d")
#: Keys that take [rows, cols] in 2-D and one integer (or number) in 1-D, and what fills the rows.
AXIS_KEYS = {"kernel_size": 1, "stride": 1, "dilation": 1, "output_padding": 0, "size": 1}
SIGNAL_PATTERNS = ("random", "step", "sine", "square", "stripes", "gradient")
KERNEL_PRESETS = ("mean", "gaussian", "identity")
MAX_LENGTH = 48  #: samples a signal view draws, padding and inserted zeros included


def rank_of(keys: Mapping[str, Any]) -> int:
    """1 when the scenario names a 1-D operation (or linear upsampling), or gives its image as a
    plain list of numbers (a 1-D array); else 2. Read from the raw keys, before any check, so the
    image's values are parsed as samples or as rows from the start."""
    tables = [keys]
    stages = keys.get("stages")
    if isinstance(stages, (list, tuple)):
        tables += [t for t in stages if isinstance(t, Mapping)]
    for t in tables:
        if t.get("operation") in ONE_D or (t.get("operation") == "upsample" and t.get("mode") == "linear"):
            return 1
    image = keys.get("image")
    values = image.get("values") if isinstance(image, Mapping) else image
    if isinstance(values, np.ndarray):
        return 1 if values.ndim == 1 else 2
    if isinstance(values, (list, tuple)) and values and not isinstance(values[0], (list, tuple)):
        return 1
    return 2


def first_operation(keys: Mapping[str, Any]) -> str:
    """The first 1-D operation named, for messages ("conv1d takes …")."""
    tables = [keys, *[t for t in keys.get("stages") or () if isinstance(t, Mapping)]]
    for t in tables:
        if t.get("operation") in ONE_D:
            return t["operation"]
    return "a 1-D operation"


# ---------------------------------------------------------------- the image


def signal_image(data: Any, op: str) -> Any:
    """The image table of a 1-D scenario rewritten for the 2-D parser: `values` (L,) as one row,
    (C, L) as C planes of one row; a pattern's `size` L as [1, L]; `planes` likewise."""
    if isinstance(data, np.ndarray):
        if data.ndim not in (1, 2):
            raise ScenarioError(
                "image", f"{op} takes a signal, an array (L,) or (C, L) (got shape {data.shape})"
            )
        return data[None, :] if data.ndim == 1 else data[:, None, :]
    if not isinstance(data, Mapping):
        return data  # the 2-D parser says what an image table must be
    out = dict(data)
    if data.get("file") is not None:
        raise ScenarioError(
            "image.file", f"a photograph is 2-D; {op} takes a signal (`values` or a `pattern`)"
        )
    if data.get("values") is not None:
        out["values"] = _samples(data["values"], "image.values", op, channels=True)
    if data.get("size") is not None:
        out["size"] = [1, _length(data["size"], "image.size", op)]
    if data.get("pattern") is not None and data["pattern"] not in SIGNAL_PATTERNS:
        raise ScenarioError(
            "image.pattern",
            f"{data['pattern']!r} is a 2-D pattern; a signal takes {', '.join(SIGNAL_PATTERNS)}",
        )
    planes = data.get("planes")
    if isinstance(planes, (list, tuple)):
        out["planes"] = [_signal_plane(p, f"image.planes[{i}]", op) for i, p in enumerate(planes)]
    return out


def _signal_plane(table: Any, key: str, op: str) -> Any:
    if not isinstance(table, Mapping):
        return table
    out = dict(table)
    if table.get("values") is not None:
        out["values"] = _samples(table["values"], f"{key}.values", op, channels=False)
    if table.get("pattern") is not None and table["pattern"] not in SIGNAL_PATTERNS:
        raise ScenarioError(
            f"{key}.pattern",
            f"{table['pattern']!r} is a 2-D pattern; a signal takes {', '.join(SIGNAL_PATTERNS)}",
        )
    return out


def _length(value: Any, key: str, op: str) -> int:
    if isinstance(value, (list, tuple)):
        raise ScenarioError(key, f"a signal's size is its length, one integer (got {f.show(value)})")
    return f.positive_int(value, key)


def _samples(value: Any, key: str, op: str, channels: bool) -> Any:
    """A list of numbers as one row [[…]]; with ``channels`` a list of such lists as planes
    [[[…]], …]. Every number is checked here, so messages index the samples as written."""
    if isinstance(value, np.ndarray):
        if value.ndim == 1:
            return value[None, :]
        if value.ndim == 2 and channels:
            return value[:, None, :]
        raise ScenarioError(key, f"{op} takes samples (L,) or (C, L) (got an array of shape {value.shape})")
    what = "a list of samples (L,) or one list per channel (C, L)" if channels else "a list of samples"
    if not isinstance(value, (list, tuple)) or not value:
        raise ScenarioError(key, f"{op} takes {what} (got {f.show(value)})")
    if isinstance(value[0], (list, tuple)):
        if not channels:
            raise ScenarioError(key, f"{op} takes {what} (got a list of lists)")
        if value[0] and isinstance(value[0][0], (list, tuple)):
            raise ScenarioError(key, f"{op} takes {what} (got a list of 2-D planes: an image; use conv2d)")
        width = None
        for c, row in enumerate(value):
            _numbers(row, f"{key}[{c}]", op)
            if width is not None and len(row) != width:
                raise ScenarioError(
                    f"{key}[{c}]",
                    f"has {len(row)} samples but channel 0 has {width}; channels must be equally long",
                )
            width = len(row)
        return [[list(row)] for row in value]
    _numbers(value, key, op)
    return [list(value)]


def _numbers(row: Any, key: str, op: str) -> None:
    if not isinstance(row, (list, tuple)) or not row:
        raise ScenarioError(key, f"must be a non-empty list of numbers (got {f.show(row)})")
    for i, v in enumerate(row):
        if isinstance(v, (list, tuple)):
            raise ScenarioError(
                f"{key}[{i}]", f"must be a number (got {f.show(v)}); {op} takes samples, not rows"
            )
        f.number(v, f"{key}[{i}]")


# ---------------------------------------------------------------- a stage


def one_d_stage(data: Mapping[str, Any], t: dict[str, Any], key: Any, rank: int) -> dict[str, Any]:
    """A stage's checked keys ``t`` (from the raw table ``data``) as the 2-D stage of height 1 it
    computes; refuses a 2-D operation on a signal and a 1-D one on an image."""
    op = t["operation"]
    if op in ONE_D and rank != 1:
        raise ScenarioError(
            key("operation"),
            f"{op} takes a signal (a list of samples), but the input is a 2-D image; use {ONE_D[op]}",
        )
    if rank == 2:
        if t["mode"] == "linear":
            raise ScenarioError(
                key("mode"), "'linear' upsamples a signal; a 2-D image takes 'nearest' or 'bilinear'"
            )
        return t
    if op in TWO_D:
        raise ScenarioError(
            key("operation"), f"{op} takes a 2-D image, but the input is a 1-D signal; use {TWO_D[op]}"
        )
    if op in TWO_D_ONLY:
        raise ScenarioError(key("operation"), f"{op} takes a 2-D image, but the input is a 1-D signal")
    errors = Collect()  # each key on its own: every mistake is reported at once
    if t["mode"] == "bilinear":
        errors.add(key("mode"), "'bilinear' is for 2-D images; a signal takes 'nearest' or 'linear'")
    if t.get("view") is not None:
        errors.add(key("view"), f"{t['view']!r} is drawn for 2-D maps; a signal has its own view")
    out = dict(t)
    for name, fill in AXIS_KEYS.items():
        if t[name] is None:
            continue
        if isinstance(data.get(name), (list, tuple)):
            errors.add(key(name), f"{op} takes one integer, as in PyTorch (got {f.show(data.get(name))})")
        out[name] = (fill, t[name][1])
    if t["scale_factor"] is not None:
        if isinstance(data.get("scale_factor"), (list, tuple)):
            errors.add(key("scale_factor"), f"a signal takes one number (got {f.show(data['scale_factor'])})")
        out["scale_factor"] = (1.0, t["scale_factor"][1])
    pad = t["padding"]
    if pad is not None:
        if isinstance(data.get("padding"), (list, tuple)):
            allowed = 'an integer or "valid", "same", "full"' if op == "conv1d" else "an integer"
            errors.add(key("padding"), f"{op} takes {allowed}, as in PyTorch (got {f.show(data['padding'])})")
        out["padding"] = pad if isinstance(pad, str) else (0, 0, pad[2], pad[3])
    if op in ONE_D:
        out["operation"] = ONE_D[op]
    if t["kernel"] is not None:
        with errors:
            out["kernel"] = _kernel(t["kernel"], key("kernel"), op)
    if t["filters"] is not None and isinstance(t["filters"], (list, tuple)):
        filters = []
        for i, v in enumerate(t["filters"]):
            with errors:
                filters.append(_filter(v, f"{key('filters')}[{i}]", op))
        out["filters"] = filters
    errors.done()
    return out


def _kernel(data: Any, key: str, op: str) -> Any:
    """`kernel`: (k,) samples or a preset as a 1×k plane; from Python also torch's (C_out,
    C_in/groups, k) weights as 4-D."""
    if isinstance(data, np.ndarray):
        if data.ndim == 1:
            return data[None, :]
        if data.ndim == 3:
            return data[:, :, None, :]
        raise ScenarioError(
            key, f"{op} takes weights (k,) or (C_out, C_in/groups, k) (got shape {data.shape})"
        )
    if not isinstance(data, Mapping):
        return data
    out = dict(data)
    if data.get("values") is not None:
        values = data["values"]
        if isinstance(values, (list, tuple)) and values and isinstance(values[0], (list, tuple)):
            raise ScenarioError(
                f"{key}.values",
                f"{op} takes a list of k weights (got a list of rows: a 2-D kernel; use conv2d)",
            )
        out["values"] = _samples(values, f"{key}.values", op, channels=False)
    _preset(data, key, out)
    return out


def _filter(data: Any, key: str, op: str) -> Any:
    if not isinstance(data, Mapping):
        return data
    out = dict(data)
    if data.get("values") is not None:
        out["values"] = _samples(data["values"], f"{key}.values", op, channels=True)
    _preset(data, key, out)
    return out


def _preset(data: Mapping[str, Any], key: str, out: dict[str, Any]) -> None:
    names = [data.get("preset")] if data.get("preset") is not None else list(data.get("presets") or [])
    for name in names:
        if isinstance(name, str) and name not in KERNEL_PRESETS:
            raise ScenarioError(
                f"{key}.preset", f"{name!r} is a 2-D kernel; a signal takes {', '.join(KERNEL_PRESETS)}"
            )
    if names:
        out["size"] = [1, _length(data["size"], f"{key}.size", "") if data.get("size") is not None else 3]


def samples(shape: tuple[int, ...]) -> str:
    """ "5 samples", or "2×5" for channels: a 1-D map's size in words."""
    return f"{shape[-1]} sample{'s' * (shape[-1] != 1)}"


def drawn_length(st: Stage) -> int:
    """Samples in the longest row the signal view draws: the padded (or zero-inserted) input or
    the output."""
    (_, w), (_, ow), (_, k), (_, d), (_, s) = (
        st.input_shape,
        st.output_shape,
        st.kernel_size,
        st.dilation,
        st.stride,
    )
    if st.operation == "conv_transpose2d":
        border = d * (k - 1) - st.padding[2]
        grid = (w - 1) * s + 1 + 2 * border + st.output_padding[1]
    else:
        grid = w + st.padding[2] + st.padding[3]
    return max(grid, ow)


def check_length(st: Stage, max_cells: int) -> None:
    """A signal is drawn sample by sample across the picture: at most MAX_LENGTH of them (more
    when --max-cells is raised), so its numbers stay legible on a 1920-pixel screen."""
    n, most = drawn_length(st), max(MAX_LENGTH, MAX_LENGTH * max_cells // 50_000)
    if n > most:
        raise LimitError(
            "image",
            f"the signal view draws {n} samples in a row (padding and inserted zeros included); the limit "
            f"is {most}, so the numbers stay legible (raise it with --max-cells)",
        )


SAMPLES_SCHEMA = {"type": "array", "minItems": 1, "items": {"type": "number"}}


def with_samples(*tables: dict[str, Any]) -> None:
    """Let the `values` of these table schemas also be a signal's list of samples."""
    for table in tables:
        values = table["properties"]["values"]
        doc = values.pop("description", None)
        options = values.pop("oneOf", None) or [dict(values)]
        values.clear()
        values["oneOf"] = [*options, SAMPLES_SCHEMA]
        if doc:
            values["description"] = doc
