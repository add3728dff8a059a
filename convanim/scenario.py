"""The scenario: a validated, immutable description of one illustration (file or keywords)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import fields as f
from .arithmetic import conv_out, same_pads, span, transpose_out, transpose_out_formula
from .errors import ConvanimError, LimitError, ScenarioError
from .kernels import PRESETS, SIZED, make_kernel, weight_label
from .patterns import PATTERN_NAMES, make_pattern

if TYPE_CHECKING:
    from .display import Frames
    from .steps import Computation

OPERATIONS = ("conv2d", "conv_transpose2d")
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
PADDING_NAMES = ("valid", "same", "full")
TRANSPOSE_VIEWS = ("scatter", "direct")
MAX_SIDE = 100_000  # a sanity bound; the frame and cell limits refuse big images first

IMAGE_FIELDS = {
    "values": f.Field(
        lambda v, k: f.matrix(v, k, max_side=MAX_SIDE),
        f.MATRIX_SCHEMA,
        "Inline pixel values, a list of equally long rows (or give `pattern`).",
        None,
    ),
    "pattern": f.Field(
        f.choice(PATTERN_NAMES), f.choice_schema(PATTERN_NAMES), "A built-in pattern (needs `size`).", None
    ),
    "size": f.Field(
        f.int_pair(1, MAX_SIDE),
        f.pair_schema(1, MAX_SIDE),
        "Pattern size: an integer (square) or [rows, cols].",
        None,
    ),
    "low": f.Field(f.number, f.NUMBER_SCHEMA, "Pattern background value.", 0),
    "high": f.Field(f.number, f.NUMBER_SCHEMA, "Pattern foreground value (random: upper end).", 9),
    "period": f.Field(
        f.pos_int(1, MAX_SIDE),
        f.int_schema(1, MAX_SIDE),
        "Square size of checkerboard cells and stripe width, in pixels.",
        2,
    ),
    "seed": f.Field(
        f.pos_int(0, 2**32 - 1),
        f.int_schema(0, 2**32 - 1),
        "Seed of the `random` pattern (same seed, same image).",
        None,
    ),
}

KERNEL_FIELDS = {
    "values": f.Field(
        lambda v, k: f.matrix(v, k, max_side=64),
        f.MATRIX_SCHEMA,
        "Inline weights, a list of equally long rows (or give `preset`).",
        None,
    ),
    "preset": f.Field(f.choice(PRESETS), f.choice_schema(PRESETS), "A named kernel.", None),
    "size": f.Field(
        f.int_pair(1, 64),
        f.pair_schema(1, 64),
        "Size of a mean, gaussian or identity preset: integer or [rows, cols]; default 3.",
        None,
    ),
    "sigma": f.Field(
        f.positive_number,
        {"type": "number", "exclusiveMinimum": 0},
        "Standard deviation of the gaussian preset, in pixels; default 1.",
        None,
    ),
}

RENDER_FIELDS = {
    "values": f.Field(
        f.bool_or_auto,
        f.BOOL_AUTO_SCHEMA,
        'Write values in cells: true, false or "auto" (when they fit).',
        None,
    ),
    "equation": f.Field(f.boolean, f.BOOL_SCHEMA, "Show the step's equation in a strip below.", True),
    "number_format": f.Field(
        f.auto_or(f.number_format),
        f.auto_schema({"type": "string"}),
        'Format spec of values, e.g. ".2f"; "auto" picks the fewest digits.',
        None,
    ),
    "colormap": f.Field(f.colormap, {"type": "string"}, "Matplotlib colormap of the input.", "gray"),
    "output_colormap": f.Field(
        f.auto_or(f.colormap),
        f.auto_schema({"type": "string"}),
        'Colormap of the output; "auto": the input\'s when the kernel averages, '
        "else its own scale (diverging PRGn around 0 for signed outputs).",
        None,
    ),
    "cell_px": f.Field(
        f.auto_or(f.pos_int(8, 96)),
        f.auto_schema(f.int_schema(8, 96)),
        'Cell size in pixels, which sets the picture size; "auto" fits ~900 px.',
        None,
    ),
    "highlight": f.Field(
        f.colour, f.COLOUR_SCHEMA, "Accent of the window, kernel and current output cell.", "#e69f00"
    ),
    "kernel_fill": f.Field(f.colour, f.COLOUR_SCHEMA, "Background of the kernel cells.", "#fff3d6"),
    "background": f.Field(f.colour, f.COLOUR_SCHEMA, "Picture background.", "#ffffff"),
}

TIMING_FIELDS = {
    "step_ms": f.Field(f.ms, f.MS_SCHEMA, "Duration of each step frame, ms.", 500),
    "poster_ms": f.Field(f.ms, f.MS_SCHEMA, "Hold on the poster (first frame), ms.", 1500),
    "final_ms": f.Field(f.ms, f.MS_SCHEMA, "Hold on the finished output (last frame), ms.", 3000),
}


@dataclass(frozen=True, eq=False)
class Image:
    """Input pixel values (read-only float64) and where they came from."""

    values: np.ndarray
    pattern: str | None = None


@dataclass(frozen=True, eq=False)
class Kernel:
    """Kernel weights (read-only float64) and the preset name, if any."""

    values: np.ndarray
    preset: str | None = None

    @property
    def labels(self) -> tuple[tuple[str, ...], ...]:
        """Each weight as drawn: "1/9", "−2", "0.12"."""
        return tuple(tuple(weight_label(v) for v in row) for row in self.values.tolist())


@dataclass(frozen=True)
class Render:
    """How frames look; ``None`` means "auto"."""

    values: bool | None = None
    equation: bool = True
    number_format: str | None = None
    colormap: str = "gray"
    output_colormap: str | None = None
    cell_px: int | None = None
    highlight: str = "#e69f00"
    kernel_fill: str = "#fff3d6"
    background: str = "#ffffff"


@dataclass(frozen=True)
class Timing:
    """Frame durations in milliseconds."""

    step_ms: int = 500
    poster_ms: int = 1500
    final_ms: int = 3000


TOP_FIELDS = {
    "title": f.Field(
        f.text_of(120),
        {"type": "string", "maxLength": 120},
        "Title drawn above the frames.",
        "2-D convolution",
    ),
    "caption": f.Field(
        f.text_of(200),
        {"type": "string", "maxLength": 200},
        "One line shown under the title.",
        None,
    ),
    "operation": f.Field(
        f.choice(OPERATIONS),
        f.choice_schema(OPERATIONS),
        "What is animated: conv2d or conv_transpose2d, as in torch.nn.functional.",
        "conv2d",
    ),
    "image": f.Field(lambda v, k: v, {}, "The input image: `values`, or a `pattern` with `size`."),
    "kernel": f.Field(lambda v, k: v, {}, "The kernel: `values`, or a `preset`."),
    "stride": f.Field(
        f.int_pair(1, 64), f.pair_schema(1, 64), "Step of the window: integer or [rows, cols].", (1, 1)
    ),
    "padding": f.Field(
        f.padding,
        f.PADDING_SCHEMA,
        'Padding: an integer, [rows, cols], [top, bottom, left, right], or "valid", "same", "full".',
        (0, 0, 0, 0),
    ),
    "padding_mode": f.Field(
        f.choice(PADDING_MODES),
        f.choice_schema(PADDING_MODES),
        "What padding cells hold, as Conv2d(padding_mode=...).",
        "zeros",
    ),
    "dilation": f.Field(
        f.int_pair(1, 16),
        f.pair_schema(1, 16),
        "Spacing of the kernel taps: integer or [rows, cols].",
        (1, 1),
    ),
    "output_padding": f.Field(
        f.int_pair(0, 16),
        f.pair_schema(0, 16),
        "conv_transpose2d only: extra output rows/columns at the bottom/right.",
        (0, 0),
    ),
    "transpose_view": f.Field(
        f.choice(TRANSPOSE_VIEWS),
        f.choice_schema(TRANSPOSE_VIEWS),
        'conv_transpose2d only: "scatter" (each input pixel adds value × kernel to the output) or '
        '"direct" (the equivalent convolution of the zero-inserted input with the kernel rotated 180°).',
        "scatter",
    ),
    "render": f.Field(lambda v, k: v, {}, "Drawing options.", None),
    "timing": f.Field(lambda v, k: v, {}, "Frame durations.", None),
}


@dataclass(frozen=True)
class Limits:
    """Work a scenario may ask for; the CLI's --max-frames/--max-cells raise them."""

    max_frames: int = 5000
    max_cells: int = 50_000


@dataclass(frozen=True, eq=False, init=False)
class Scenario:
    """One illustration. Keyword arguments mirror the scenario file's keys; where the file has a
    table (``image``, ``kernel``) a 2-D numpy array is accepted too."""

    title: str
    caption: str | None
    operation: str
    image: Image
    kernel: Kernel
    stride: tuple[int, int]
    padding: tuple[int, int, int, int]  #: top, bottom, left, right, resolved
    padding_name: str | None  #: "valid", "same" or "full" when the file named it
    padding_mode: str
    dilation: tuple[int, int]
    output_padding: tuple[int, int]
    transpose_view: str
    render: Render
    timing: Timing
    name: str

    def __init__(self, *, name: str = "scenario", limits: Limits = Limits(), **keys: Any) -> None:
        parsed = f.parse_table(keys, TOP_FIELDS, "")
        shape, make_image = _parse_image(parsed["image"])
        kernel = parsed["kernel"] = _parse_kernel(parsed["kernel"])
        parsed["render"] = _parse_options(parsed["render"], Render, RENDER_FIELDS, "render")
        parsed["timing"] = _parse_options(parsed["timing"], Timing, TIMING_FIELDS, "timing")
        parsed["padding_name"] = parsed["padding"] if isinstance(parsed["padding"], str) else None
        parsed["padding"] = _resolve_padding(parsed, kernel)
        _check_arithmetic(parsed, shape, kernel)
        _check_limits(shape, _shape_of(parsed, shape, kernel.values.shape), limits)
        parsed["image"] = make_image()  # only now, so a huge pattern is refused before any work
        for key, value in {**parsed, "name": name}.items():
            object.__setattr__(self, key, value)

    @property
    def output_shape(self) -> tuple[int, int]:
        """(rows, cols) of the output, derived from the arithmetic of the operation."""
        return _shape_of(vars(self), self.image.values.shape, self.kernel.values.shape).output

    @property
    def n_steps(self) -> int:
        return _shape_of(vars(self), self.image.values.shape, self.kernel.values.shape).steps

    @property
    def n_frames(self) -> int:
        """Poster, (an explanatory frame,) one frame per step, final frame."""
        return _shape_of(vars(self), self.image.values.shape, self.kernel.values.shape).frames

    @cached_property
    def _computation(self) -> Computation:
        from .steps import compute

        return compute(self)

    def output(self) -> np.ndarray:
        """The output array (float64), as ``torch.nn.functional.conv2d`` computes it."""
        return self._computation.output.copy()

    def frames(self) -> Frames:
        """The display list of every frame (what each exporter draws)."""
        from .frames import build

        return build(self)

    def save(self, path: str | Path) -> int:
        """Write the animation to ``path``, the format chosen by its suffix; returns bytes written."""
        from . import export

        exporter = export.for_path(path)
        return export.write_atomic(path, self.frames(), exporter)

    def to_bytes(self, fmt: str = "gif") -> bytes:
        """The animation as a file's bytes in format ``fmt`` (e.g. "gif")."""
        import io

        from . import export

        exporter = export.get(fmt)
        buf = io.BytesIO()
        exporter.write(self.frames(), buf)
        return buf.getvalue()

    def to_html(self) -> str:
        """The HTML player as a fragment (its JS and CSS included) for a notebook or a web page."""
        from .export.html import fragment

        return fragment(self.frames())

    def _repr_html_(self) -> str:
        """Jupyter shows the player when a scenario is the last expression of a cell."""
        return self.to_html()

    def __repr__(self) -> str:
        (h, w), (kh, kw) = self.image.values.shape, self.kernel.values.shape
        return (
            f"Scenario({self.name!r}, {self.operation}, image {h}×{w}, kernel {kh}×{kw}, "
            f"stride {self.stride}, {self.n_frames} frames)"
        )


def _parse_image(data: Any) -> tuple[tuple[int, int], Callable[[], Image]]:
    """The image's shape, and how to make it (deferred: a pattern is built after the limits)."""
    if isinstance(data, np.ndarray):
        image = Image(f.matrix(data, "image", max_side=MAX_SIDE))
        return image.values.shape, lambda: image
    t = f.parse_table(data, IMAGE_FIELDS, "image")
    if (t["values"] is None) == (t["pattern"] is None):
        raise ScenarioError("image", "give exactly one of `values` or `pattern`")
    if t["values"] is not None:
        for key in ("size", "seed"):
            if t[key] is not None:
                raise ScenarioError(f"image.{key}", "only applies to a `pattern`; `values` set the size")
        image = Image(t["values"])
        return image.values.shape, lambda: image
    if t["size"] is None:
        raise ScenarioError("image.size", f"is required with pattern {t['pattern']!r}")
    if t["seed"] is not None and t["pattern"] != "random":
        raise ScenarioError("image.seed", f"only applies to pattern 'random' (got pattern {t['pattern']!r})")

    def make() -> Image:
        values = make_pattern(
            t["pattern"], t["size"], t["low"], t["high"], period=t["period"], seed=t["seed"] or 0
        )
        values.setflags(write=False)
        return Image(values, t["pattern"])

    return t["size"], make


def _parse_kernel(data: Any) -> Kernel:
    if isinstance(data, np.ndarray):
        return Kernel(f.matrix(data, "kernel", max_side=64))
    t = f.parse_table(data, KERNEL_FIELDS, "kernel")
    if (t["values"] is None) == (t["preset"] is None):
        raise ScenarioError("kernel", "give exactly one of `values` or `preset`")
    if t["values"] is not None:
        for key in ("size", "sigma"):
            if t[key] is not None:
                raise ScenarioError(f"kernel.{key}", "only applies to a `preset`; `values` set the kernel")
        return Kernel(t["values"])
    preset, size = t["preset"], t["size"]
    if t["sigma"] is not None and preset != "gaussian":
        raise ScenarioError("kernel.sigma", f"only applies to preset 'gaussian' (got preset {preset!r})")
    if preset not in SIZED and size not in (None, (3, 3)):
        raise ScenarioError("kernel.size", f"preset {preset!r} is 3×3 only (got {size[0]}×{size[1]})")
    if preset == "identity" and size is not None and (size[0] % 2 == 0 or size[1] % 2 == 0):
        raise ScenarioError("kernel.size", f"preset 'identity' needs odd sides (got {size[0]}×{size[1]})")
    values = make_kernel(preset, size or (3, 3), t["sigma"] or 1.0)
    values.setflags(write=False)
    return Kernel(values, preset)


def _parse_options(data: Any, cls: type, table: dict[str, f.Field], prefix: str) -> Any:
    if isinstance(data, cls):
        return data
    return cls(**f.parse_table({} if data is None else data, table, prefix))


@dataclass(frozen=True)
class Shape:
    """Sizes that follow from the keys: the output, the steps, the frames, the cells drawn."""

    output: tuple[int, int]
    steps: int
    frames: int
    cells: int


def _resolve_padding(t: dict[str, Any], kernel: Kernel) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) from an integer, a list or a name, as PyTorch places them."""
    pad, (kh, kw), (dr, dc) = t["padding"], kernel.values.shape, t["dilation"]
    transposed = t["operation"] == "conv_transpose2d"
    if transposed and (isinstance(pad, str) or pad[0] != pad[1] or pad[2] != pad[3]):
        raise ScenarioError("padding", "conv_transpose2d takes an integer or [rows, cols], as in PyTorch")
    if pad == "valid":
        return (0, 0, 0, 0)
    if pad == "same":
        if t["stride"] != (1, 1):
            raise ScenarioError(
                "padding", f"'same' needs stride 1, as in PyTorch (got stride {_pair_text(t['stride'])})"
            )
        return (*same_pads(kh, dr), *same_pads(kw, dc))
    if pad == "full":
        return (dr * (kh - 1),) * 2 + (dc * (kw - 1),) * 2
    return pad


def _check_arithmetic(t: dict[str, Any], shape: tuple[int, int], kernel: Kernel) -> None:
    """Combinations PyTorch refuses, or that leave no output."""
    (h, w), (kh, kw), pad = shape, kernel.values.shape, t["padding"]
    op, mode, dil = t["operation"], t["padding_mode"], t["dilation"]
    if op == "conv2d":
        for key in ("output_padding", "transpose_view"):
            if t[key] != TOP_FIELDS[key].default:
                raise ScenarioError(key, "only applies to operation 'conv_transpose2d'")
    elif mode != "zeros":
        raise ScenarioError(
            "padding_mode", f"conv_transpose2d pads with zeros only, as in PyTorch (got {mode!r})"
        )
    sides = (("top", h), ("bottom", h), ("left", w), ("right", w))
    for p, (side, n) in zip(pad, sides, strict=True):
        axis = "rows" if side in ("top", "bottom") else "columns"
        if mode == "reflect" and p >= n:
            raise ScenarioError(
                "padding", f"reflect padding must be smaller than the image ({side} {p} with {n} {axis})"
            )
        if mode == "circular" and p > n:
            raise ScenarioError(
                "padding", f"circular padding must not exceed the image ({side} {p} with {n} {axis})"
            )
    if op == "conv_transpose2d":
        _check_transpose(t, shape, kernel)
        return
    eff = (span(kh, dil[0]), span(kw, dil[1]))
    padded = (h + pad[0] + pad[1], w + pad[2] + pad[3])
    if eff[0] > padded[0] or eff[1] > padded[1]:
        key = "kernel.size" if kernel.preset else "kernel.values"
        spans = f" (spanning {eff[0]}×{eff[1]} with dilation {_pair_text(dil)})" if dil != (1, 1) else ""
        what = "padded image" if any(pad) else "image"
        raise ScenarioError(
            key, f"the {kh}×{kw} kernel{spans} is larger than the {padded[0]}×{padded[1]} {what}"
        )


def _check_transpose(t: dict[str, Any], shape: tuple[int, int], kernel: Kernel) -> None:
    stride, dil, op, pad = t["stride"], t["dilation"], t["output_padding"], t["padding"]
    for axis in (0, 1):
        if op[axis] >= max(stride[axis], dil[axis]):
            raise ScenarioError(
                "output_padding",
                f"must be smaller than the stride or the dilation, as in PyTorch (got {_pair_text(op)} "
                f"with stride {_pair_text(stride)}, dilation {_pair_text(dil)})",
            )
    for axis, (n, k) in enumerate(zip(shape, kernel.values.shape, strict=True)):
        size = transpose_out(n, k, stride[axis], pad[2 * axis], op[axis], dil[axis])
        if size < 1:
            formula = transpose_out_formula(n, k, stride[axis], pad[2 * axis], op[axis], dil[axis])
            raise ScenarioError("padding", f"leaves no output {('rows', 'columns')[axis]}: {formula}")
    if t["transpose_view"] == "direct":
        for axis, k in enumerate(kernel.values.shape):
            if pad[2 * axis] > dil[axis] * (k - 1):
                raise ScenarioError(
                    "transpose_view",
                    f"'direct' needs padding ≤ dilation·(kernel − 1) = {dil[axis] * (k - 1)} "
                    f"(got {pad[2 * axis]}); use 'scatter'",
                )


def _shape_of(t: dict[str, Any], shape: tuple[int, int], kernel: tuple[int, int]) -> Shape:
    """Output size, step and frame counts, cells drawn: all derived, never typed."""
    (h, w), (kh, kw), pad = shape, kernel, t["padding"]
    (sr, sc), (dr, dc) = t["stride"], t["dilation"]
    if t["operation"] == "conv_transpose2d":
        (opr, opc) = t["output_padding"]
        out = (transpose_out(h, kh, sr, pad[0], opr, dr), transpose_out(w, kw, sc, pad[2], opc, dc))
        if t["transpose_view"] == "scatter":
            return Shape(out, h * w, h * w + 2, h * w + max(0, out[0] * out[1]))
        grid = (
            (h - 1) * sr + 1 + 2 * (dr * (kh - 1) - pad[0]) + opr,
            (w - 1) * sc + 1 + 2 * (dc * (kw - 1) - pad[2]) + opc,
        )
        steps = max(0, out[0] * out[1])
        return Shape(out, steps, steps + 3, grid[0] * grid[1] + steps)
    out = (conv_out(h, kh, sr, pad[:2], dr), conv_out(w, kw, sc, pad[2:], dc))
    cells = (h + pad[0] + pad[1]) * (w + pad[2] + pad[3]) + out[0] * out[1]
    return Shape(out, out[0] * out[1], out[0] * out[1] + 2, cells)


def _check_limits(image: tuple[int, int], shape: Shape, limits: Limits) -> None:
    """Refuse, before any work, a scenario that needs too many frames or cells."""
    size = f"a {image[0]}×{image[1]} image"
    if shape.frames > limits.max_frames:
        raise LimitError(
            "image",
            f"{size} needs {shape.frames:,} frames ({shape.steps:,} steps); the limit is "
            f"{limits.max_frames:,} (raise it with --max-frames)",
        )
    if shape.cells > limits.max_cells:
        raise LimitError(
            "image",
            f"{size} needs {shape.cells:,} cells drawn (input and output); the limit is "
            f"{limits.max_cells:,} (raise it with --max-cells)",
        )


def _pair_text(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"


def load(path: str | Path, *, limits: Limits = Limits(), **overrides: Any) -> Scenario:
    """Read and validate a scenario file; keyword ``overrides`` replace top-level keys."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConvanimError(f"{path}: no such scenario file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConvanimError(f"{path}: cannot read: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConvanimError(f"{path}: invalid TOML: {err}") from None
    if "name" in data:
        raise ScenarioError("name", "unknown key; the name is the file name")
    return Scenario(name=path.stem, limits=limits, **{**data, **overrides})


def schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of scenario files, built from the same tables as validation."""
    top = f.table_schema(TOP_FIELDS, "A convanim scenario: one animated illustration.")
    image = f.table_schema(IMAGE_FIELDS, "The input image.")
    image["oneOf"] = [{"required": ["values"]}, {"required": ["pattern", "size"]}]
    kernel = f.table_schema(KERNEL_FIELDS, "The kernel.")
    kernel["oneOf"] = [{"required": ["values"]}, {"required": ["preset"]}]
    for key, sub in (
        ("image", image),
        ("kernel", kernel),
        ("render", f.table_schema(RENDER_FIELDS, "Drawing options.")),
        ("timing", f.table_schema(TIMING_FIELDS, "Frame durations in milliseconds.")),
    ):
        top["properties"][key] = sub
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "convanim scenario", **top}


__all__ = ["Image", "Kernel", "Limits", "Render", "Scenario", "Timing", "load", "schema"]
