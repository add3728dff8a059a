"""The scenario: a validated, immutable description of one illustration (file or keywords)."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import fields as f
from .cost import FRAME_WORK, ZOOM_WORK, chain_cost, check, grid_cost  # noqa: F401  (the work units, as before)
from .errors import Collect, ConvanimError, ScenarioError, located
from .filters import FILTER_FIELDS, KERNEL_FIELDS, MAX_CHANNELS, Kernel
from .graph import GRAPH_FIELDS, INPUT, MAX_STAGES, ancestors, is_chain, parse_stages
from .model import Cone, Illustration, Image, Render, Timing, drawn_as_picture, frame_count
from .patterns import PATTERN_NAMES, make_pattern
from .photo import load_photo, photo_size
from .rank import check_length, first_operation, rank_of, signal_image, with_samples
from .stage import STAGE_FIELDS, Stage, check_keys, parse_stage
from .style import THEMES
from .tomlpos import key_lines, toml_error

if TYPE_CHECKING:
    from .display import Frames

THEME_NAMES = tuple(THEMES)
MAX_SIDE = 100_000  # a sanity bound; the frame and cell limits refuse big images first
COLORS = ("gray", "rgb")


IMAGE_FIELDS = {
    "values": f.Field(
        lambda v, k: f.planes(v, k, max_side=MAX_SIDE, max_planes=MAX_CHANNELS),
        f.PLANES_SCHEMA,
        "Inline pixel values, a list of equally long rows; or a list of such planes, one per "
        "channel (or give `pattern`, `planes` or `file`).",
        None,
    ),
    "planes": f.Field(
        lambda v, k: v,
        {},
        "Channels one by one: a list of tables, each with `values` or a `pattern` (and its "
        "`low`, `high`, `period`, `seed`); patterns take the image's `size`.",
        None,
    ),
    "channels": f.Field(
        f.pos_int(1, MAX_CHANNELS),
        f.int_schema(1, MAX_CHANNELS),
        "pattern: this many channels of the pattern (random: each its own seed, seed + c); default 1.",
        None,
    ),
    "color": f.Field(
        f.choice(COLORS),
        f.choice_schema(COLORS),
        'file: "gray" (one channel, default) or "rgb" (three channels: R, G, B).',
        None,
    ),
    "names": f.Field(
        f.names(MAX_CHANNELS),
        {"type": "array", "items": {"type": "string", "maxLength": 12}},
        'Names of the channels in labels and equations, e.g. ["R", "G", "B"]; default: R, G, B for '
        "an rgb file, else in[0], in[1], …",
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
    "file": f.Field(
        f.text_of(300),
        {"type": "string"},
        "A PNG or JPEG photograph, relative to the scenario file; read as grayscale 0–255.",
        None,
    ),
    "crop": f.Field(
        f.crop_box,
        {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 4, "maxItems": 4},
        "file: the part to keep, [top, left, height, width] in the photo's pixels.",
        None,
    ),
    "resize": f.Field(
        f.int_pair(1, 512),
        f.pair_schema(1, 512),
        "file: resample (Lanczos) to [rows, cols] after cropping; an integer for a square.",
        None,
    ),
    "seed": f.Field(
        f.pos_int(0, 2**32 - 1),
        f.int_schema(0, 2**32 - 1),
        "Seed of the `random` pattern (same seed, same image).",
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
    "theme": f.Field(
        f.choice(THEME_NAMES),
        f.choice_schema(THEME_NAMES),
        'Colours of the chrome: "light", "dark" or "contrast" (projectors); numbers meet WCAG AA in each.',
        "light",
    ),
    "scale": f.Field(
        f.number_between(1, 4),
        {"type": "number", "minimum": 1, "maximum": 4},
        "Size of text, strokes and the room they need (1 to 4), for projectors; auto cells grow by √scale.",
        1,
    ),
    "highlight": f.Field(
        f.colour,
        f.COLOUR_SCHEMA,
        "Accent of the window, kernel and current output cell; default: the theme's (light: #e69f00).",
        None,
    ),
    "kernel_fill": f.Field(
        f.colour, f.COLOUR_SCHEMA, "Background of the kernel cells; default: the theme's.", None
    ),
    "background": f.Field(f.colour, f.COLOUR_SCHEMA, "Picture background; default: the theme's.", None),
}

TIMING_FIELDS = {
    "step_ms": f.Field(f.ms, f.MS_SCHEMA, "Duration of each step frame, ms.", 500),
    "poster_ms": f.Field(f.ms, f.MS_SCHEMA, "Hold on the poster (first frame), ms.", 1500),
    "final_ms": f.Field(f.ms, f.MS_SCHEMA, "Hold on the finished output (last frame), ms.", 3000),
    "detail_steps": f.Field(
        f.auto_or(f.pos_int(1, 100_000)),
        f.auto_schema(f.int_schema(1, 100_000)),
        "Photos and chains: steps shown one per frame before the rest fills progressively faster; "
        '"auto": the first output row (at most 32) when a stage has over 64 steps. With channels '
        "this is the first channel's; each later one shows 3 (or fewer) before filling fast.",
        None,
    ),
}


PLANE_FIELDS = {k: IMAGE_FIELDS[k] for k in ("values", "pattern", "low", "high", "period", "seed")}
PLANE_FIELDS["values"] = f.Field(
    lambda v, k: f.matrix(v, k, max_side=MAX_SIDE),
    f.MATRIX_SCHEMA,
    "Inline pixel values of this plane.",
    None,
)


def _cell_index(value: Any, key: str) -> tuple[int, ...]:
    """[row, col], or [channel, row, col]; a signal's [sample] or [channel, sample]: non-negative
    integers (how many, and their range, are checked later against the output's shape)."""
    ok = isinstance(value, (list, tuple)) and len(value) in (1, 2, 3)
    if not ok or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value):
        raise ScenarioError(
            key,
            "must be [row, col], or [channel, row, col] with channels; a signal's [sample] or "
            f"[channel, sample] (got {f.show(value)})",
        )
    return tuple(int(v) for v in value)


RECEPTIVE_FIELDS = {
    "cell": f.Field(
        _cell_index,
        {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 1, "maxItems": 3},
        "The output cell whose receptive field is traced back to the image: [row, col], or "
        "[channel, row, col] when the output has channels (as `.output()` indexes it); a signal's "
        "[sample] or [channel, sample].",
    ),
    "stage": f.Field(
        f.pos_int(-MAX_STAGES, MAX_STAGES - 1),
        f.int_schema(-MAX_STAGES, MAX_STAGES - 1),
        "The stage whose output holds `cell`: an index from 0, or from the end (−1: the last).",
        -1,
    ),
}


TOP_FIELDS = {
    "title": f.Field(
        f.text_of(120, drawn=True),
        {"type": "string", "maxLength": 120},
        "Title drawn above the frames; default: the operation's name, e.g. 2-D convolution.",
        None,
    ),
    "caption": f.Field(
        f.text_of(200, drawn=True),
        {"type": "string", "maxLength": 200},
        "One line shown under the title.",
        None,
    ),
    "image": f.Field(lambda v, k: v, {}, "The input image: `values`, a `pattern` with `size`, or a `file`."),
    **STAGE_FIELDS,
    "stages": f.Field(
        lambda v, k: v,
        {},
        "A chain or a graph: a list of tables, each with an `operation` and its keys, applied in "
        "order, each reading the map before it or the maps its `inputs` name.",
        None,
    ),
    "receptive_field": f.Field(
        lambda v, k: v,
        {},
        "After the fill, trace one output cell's receptive field back to the image, map by map, "
        "and write its size: a table with `cell` and `stage`.",
        None,
    ),
    "render": f.Field(lambda v, k: v, {}, "Drawing options.", None),
    "timing": f.Field(lambda v, k: v, {}, "Frame durations.", None),
}


@dataclass(frozen=True)
class Limits:
    """Work a scenario may ask for; the CLI's --max-frames/--max-cells raise them."""

    max_frames: int = 5000
    max_cells: int = 50_000
    max_work: int = 100_000  #: cells repainted or written over all steps; see ``work``


@dataclass(frozen=True, eq=False, init=False)
class Scenario(Illustration):
    """One illustration. Keyword arguments mirror the scenario file's keys; where the file has a
    table (``image``, ``kernel``) a 2-D numpy array is accepted too. A single-operation scenario
    also answers for its stage's keys (``s.kernel``, ``s.padding``, …).

    The parts and their numbers are an ``Illustration`` (what frames and alt text read); the
    methods here are thin calls down to the stages that draw and write."""

    def __init__(
        self, *, name: str = "scenario", limits: Limits = Limits(), base: str | Path = ".", **keys: Any
    ) -> None:
        parsed, (shape, channels, make_image), stages = _parse_parts(keys, Path(base))
        photo = isinstance(parsed["image"], dict) and bool(parsed["image"].get("file"))
        picture = drawn_as_picture(stages, photo)
        for st in stages:
            if picture and st.operation == "conv_transpose2d" and st.transpose_view == "direct":
                name = f"{st.prefix}.transpose_view" if st.prefix else "transpose_view"
                raise ScenarioError(name, "'direct' is drawn for grids of numbers only; use 'scatter' here")
        for st in stages:  # another view draws one map on grids of numbers
            if st.view is not None and (picture or st.has_channels):
                name = f"{st.prefix}.view" if st.prefix else "view"
                raise ScenarioError(
                    name, f"'{st.view}' is drawn for one map without bias, not in a chain or photo"
                )
        if not picture:
            stages = (_grid_view(stages[0], keys),)
            if stages[0].rank == 1:
                check_length(stages[0], limits.max_cells)
        timing = _parse_options(parsed["timing"], Timing, TIMING_FIELDS, "timing")
        if timing.detail_steps is not None and not picture:
            raise ScenarioError(
                "timing.detail_steps", "only applies to photos and chains; a grid of numbers shows every step"
            )
        given = parsed["render"] if isinstance(parsed["render"], dict) else {}
        if picture and given.get("output_colormap", "auto") != "auto":
            raise ScenarioError(
                "render.output_colormap",
                "only applies to grids of numbers; the maps of photos and chains use `colormap` "
                "(PRGn when signed)",
            )
        cone = _parse_cone(parsed["receptive_field"], stages)
        frames = frame_count(stages, picture, timing.detail_steps, cone)
        colour = photo and channels == 3  # an RGB photograph is drawn in colour too
        _check_limits(
            shape,
            channels,
            stages,
            frames,
            limits,
            extra=shape[0] * shape[1] if colour else 0,
            picture=bool(picture),
            cone=cone,
        )
        image = make_image()  # only now, so a huge pattern is refused before any work
        if cone is not None:
            layered = image.layered or any(st.layered for st in stages)
            cone = _check_cell(cone, stages, layered)
        values = {
            "title": parsed["title"] or _default_title(stages),
            "caption": parsed["caption"],
            "image": image,
            "stages": stages,
            "render": _parse_options(parsed["render"], Render, RENDER_FIELDS, "render"),
            "timing": timing,
            "name": name,
            "cone": cone,
        }
        for key, value in values.items():
            object.__setattr__(self, key, value)

    def restyled(self, **render: Any) -> Scenario:
        """The same illustration with other ``render`` options, e.g. ``s.restyled(theme="dark",
        scale=2)``: checked as in a file, the other options kept, the numbers not recomputed."""
        kept = {k: v for k, v in dataclasses.asdict(self.render).items() if v is not None}
        copy = object.__new__(Scenario)
        copy.__dict__.update(self.__dict__)
        copy.__dict__["render"] = _parse_options({**kept, **render}, Render, RENDER_FIELDS, "render")
        return copy

    def output(self) -> np.ndarray:
        """The output (float64) of the last stage, as torch.nn.functional computes it: (C_out, H',
        W') for a scenario with channels, else the (H', W') map; a signal's (C_out, L') or (L',)."""
        out = self.computations[-1].output
        if self.stages[-1].rank == 1:
            out = out[:, 0]
        return out.copy() if self.layered else out[0].copy()

    def frames(self) -> Frames:
        """The display list of every frame (what each exporter draws)."""
        from .frames import build  # drawing code loads only when frames are asked for

        return build(self)

    def save(self, path: str | Path, **options: Any) -> int:
        """Write the animation to ``path``, the format chosen by its suffix (``.gif``, ``.html``,
        ``.mp4``, ``.webm``, ``.png``, ``.svg``, ``.pdf``, ``.storyboard.pdf``, ``.tex`` for beamer,
        …); ``options`` are the format's (``frame="last"``, ``scale=2``, ``aspect="16:9"``,
        ``frames=[0, 5, "last"]``). Returns the bytes written (of the main file)."""
        from . import export

        return export.write_atomic(path, self.frames(), export.for_path(path), **options)

    def to_bytes(self, fmt: str = "gif", **options: Any) -> bytes:
        """The animation as a file's bytes in format ``fmt`` (e.g. "gif"), with its ``options``."""
        import io

        from . import export

        buf = io.BytesIO()
        export.write_to(export.get(fmt), self.frames(), buf, stem=self.name, **options)
        return buf.getvalue()

    def to_html(self) -> str:
        """The HTML player as a fragment (its JS and CSS included) for a notebook or a web page."""
        from .export.html import fragment

        return fragment(self.frames())

    def _repr_html_(self) -> str:
        """Jupyter shows the player when a scenario is the last expression of a cell."""
        return self.to_html()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The player (``text/html``) and a still (``image/png``, the last frame) from one display
        list: a notebook shows the player, or its poster where scripts are stripped (the HTML's
        own ``<img>``); converters without HTML (nbconvert to LaTeX/PDF) show the PNG."""
        from .export.html import fragment
        from .export.still import still_png

        shown = self.frames()
        return {"text/html": fragment(shown), "image/png": still_png(shown)}

    def __repr__(self) -> str:
        (h, w), (oh, ow) = self.image.shape, self.output_shape
        cin, cout = self.image.channels, self.stages[-1].out_channels
        size_in = f"{cin}×{h}×{w}" if self.layered else f"{h}×{w}"
        size_out = f"{cout}×{oh}×{ow}" if self.layered else f"{oh}×{ow}"
        if self.image.rank == 1:
            size_in = f"{cin}×{w}" if self.layered else f"{w}"
            size_out = f"{cout}×{ow}" if self.layered else f"{ow}"
        frames = f"{self.n_frames} frames"
        return f"Scenario({self.name!r}, {self.operations}, image {size_in} → {size_out}, {frames})"


ImagePlan = tuple[tuple[int, int], int, Callable[[], Image]]  #: (rows, cols), channels, how to make it


def _parse_image(data: Any, base: Path) -> ImagePlan:
    """The image's shape and channels, and how to make it (deferred: built only after the limits
    pass)."""
    if isinstance(data, np.ndarray):
        stack = f.planes(data, "image", max_side=MAX_SIDE, max_planes=MAX_CHANNELS)
        image = Image(stack, layered=data.ndim == 3)
        return image.shape, image.channels, lambda: image
    t = f.parse_table(data, IMAGE_FIELDS, "image")
    sources = [k for k in ("values", "pattern", "file", "planes") if t[k] is not None]
    if len(sources) != 1:
        raise ScenarioError(
            "image", f"give exactly one of `values`, `pattern`, `planes` or `file` {f.got(sources)}"
        )
    own = {
        "values": ("names",),
        "pattern": ("size", "seed", "period", "low", "high", "channels", "names"),
        "planes": ("size", "names"),
        "file": ("crop", "resize", "color", "names"),
    }
    errors = Collect()
    for key in ("size", "seed", "crop", "resize", "channels", "color", "names", "low", "high", "period"):
        if data.get(key) is not None and key not in own[sources[0]]:  # given, not defaulted
            errors.add(f"image.{key}", f"does not apply to an image given by `{sources[0]}`")
    if t["size"] is not None and t["planes"] is not None and not _any_pattern(t["planes"]):
        errors.add("image.size", "only applies to planes given by a `pattern`; these have `values`")
    with errors:
        _check_period(data, "image")
    errors.done()
    if t["file"] is not None:
        plan = _parse_photo(t, base)
    elif t["planes"] is not None:
        plan = _parse_planes(t)
    elif t["values"] is not None:
        stack = t["values"]
        layered = isinstance(data, dict) and _is_3d(data["values"])
        plan = (stack.shape[1:], stack.shape[0], lambda: Image(stack, layered=layered))
    else:
        plan = _parse_pattern(t, t, "image", t["channels"] or 1)
    if t["names"] is not None and len(t["names"]) != plan[1]:
        raise ScenarioError("image.names", f"{len(t['names'])} names, but the image has {plan[1]} channels")
    if t["names"] is None:
        return plan
    shape, channels, make = plan
    return shape, channels, lambda: dataclasses.replace(make(), names=t["names"])


PERIODIC = ("checkerboard", "stripes")  #: the patterns that take a `period`


def _check_period(table: dict[str, Any], key: str) -> None:
    """`period` given to a pattern that has none."""
    if table.get("period") is not None and table.get("pattern") not in (None, *PERIODIC):
        raise ScenarioError(
            f"{key}.period",
            f"only applies to patterns {' and '.join(map(repr, PERIODIC))} "
            f"(got pattern {table['pattern']!r})",
        )


def _any_pattern(planes: Any) -> bool:
    return not isinstance(planes, (list, tuple)) or any(
        not isinstance(p, dict) or p.get("pattern") is not None for p in planes
    )


def _as_signal(make: Callable[[], Image]) -> Callable[[], Image]:
    return lambda: dataclasses.replace(make(), rank=1)


def _is_3d(values: Any) -> bool:
    if isinstance(values, np.ndarray):
        return values.ndim == 3
    return (
        isinstance(values, (list, tuple))
        and bool(values)
        and isinstance(values[0], (list, tuple))
        and bool(values[0])
        and (isinstance(values[0][0], (list, tuple)))
    )


def _parse_pattern(t: dict[str, Any], top: dict[str, Any], prefix: str, channels: int) -> ImagePlan:
    """A pattern of the image's `size`, on ``channels`` planes (random: seed + c for plane c)."""
    if top["size"] is None:
        raise ScenarioError("image.size", f"is required with pattern {t['pattern']!r}")
    if t["high"] < t["low"]:
        raise ScenarioError(f"{prefix}.high", f"must be at least {prefix}.low (got {t['high']} < {t['low']})")
    if t["seed"] is not None and t["pattern"] != "random":
        raise ScenarioError(
            f"{prefix}.seed", f"only applies to pattern 'random' (got pattern {t['pattern']!r})"
        )

    def make() -> Image:
        planes = [
            make_pattern(
                t["pattern"], top["size"], t["low"], t["high"], period=t["period"], seed=(t["seed"] or 0) + c
            )
            for c in range(channels)
        ]
        values = np.stack(planes)
        values.setflags(write=False)
        return Image(values, t["pattern"], layered=channels > 1 or top.get("channels") is not None)

    return top["size"], channels, make


def _parse_planes(t: dict[str, Any]) -> ImagePlan:
    """`planes`: each table gives one channel by `values` or a `pattern` of the image's size."""
    tables = t["planes"]
    if not isinstance(tables, (list, tuple)) or not tables:
        raise ScenarioError("image.planes", f"must be a non-empty list of tables (got {f.show(tables)})")
    if len(tables) > MAX_CHANNELS:
        raise ScenarioError("image.planes", f"at most {MAX_CHANNELS} planes (got {len(tables)})")
    makers, shape = [], None
    for i, table in enumerate(tables):
        key = f"image.planes[{i}]"
        p = f.parse_table(table, PLANE_FIELDS, key)
        if (p["values"] is None) == (p["pattern"] is None):
            given = [k for k in ("values", "pattern") if p[k] is not None]
            raise ScenarioError(key, f"give exactly one of `values` or `pattern` {f.got(given)}")
        if p["values"] is not None:
            errors = Collect()
            for name in ("low", "high", "period", "seed"):
                if table.get(name) is not None:
                    errors.add(f"{key}.{name}", "does not apply to a plane given by `values`")
            errors.done()
            plane = p["values"]
            makers.append(lambda plane=plane: plane)
            here = plane.shape
        else:
            _check_period(table, key)
            here, _, make = _parse_pattern(p, t, key, 1)
            makers.append(lambda make=make: make().values[0])
        if shape is not None and here != shape:
            raise ScenarioError(
                key, f"is {here[0]}×{here[1]} but plane 0 is {shape[0]}×{shape[1]}; planes must have one size"
            )
        shape = here

    def make() -> Image:
        values = np.stack([m() for m in makers])
        values.setflags(write=False)
        return Image(values, None, layered=True)

    return shape, len(tables), make


def _parse_photo(t: dict[str, Any], base: Path) -> ImagePlan:
    path = base / t["file"]
    rows, cols = photo_size(path, "image.file")
    crop = t["crop"]
    if crop is not None and (crop[0] + crop[2] > rows or crop[1] + crop[3] > cols):
        raise ScenarioError(
            "image.crop", f"[top, left, height, width] = {list(crop)} goes beyond the {rows}×{cols} photo"
        )
    shape = t["resize"] or ((crop[2], crop[3]) if crop else (rows, cols))
    color = t["color"] or "gray"

    def make() -> Image:
        values = load_photo(path, "image.file", crop, t["resize"], color)
        names = ("R", "G", "B") if color == "rgb" else None
        return Image(values, f"file {t['file']}", names, layered=color == "rgb")

    return shape, 3 if color == "rgb" else 1, make


def _grid_view(st: Stage, keys: dict[str, Any]) -> Stage:
    """On grids of numbers a transposed layer with channels or a bias is drawn as the equivalent
    convolution (the 'direct' view, one window per output value): its default view there."""
    if st.operation != "conv_transpose2d" or st.transpose_view == "direct":
        return st
    given = keys.get("transpose_view") or (keys.get("stages") or [{}])[0].get("transpose_view")
    if st.rank == 1:
        return _signal_view(st, given)
    if not st.has_channels:
        return st
    if given == "scatter":
        name = f"{st.prefix}.transpose_view" if st.prefix else "transpose_view"
        raise ScenarioError(
            name, "'scatter' is drawn for one channel without bias; a layer with channels is 'direct'"
        )
    for axis, k in enumerate(st.kernel_size):  # what _check_transpose asks of a 'direct' view
        limit, pad = st.dilation[axis] * (k - 1), st.padding[2 * axis]
        if pad > limit:
            name = f"{st.prefix}.padding" if st.prefix else "padding"
            raise ScenarioError(
                name,
                f"a transposed layer with channels or a bias is drawn as its equivalent convolution, which "
                f"needs padding ≤ dilation·(kernel − 1) = {limit} (got {pad})",
            )
    return dataclasses.replace(st, transpose_view="direct")


def _signal_view(st: Stage, given: Any) -> Stage:
    """A signal's transposed convolution is drawn as its equivalent convolution (one window per
    output sample, as conv1d)."""
    name = f"{st.prefix}.transpose_view" if st.prefix else "transpose_view"
    if given == "scatter":
        raise ScenarioError(
            name, "a signal is drawn 'direct' (the equivalent convolution); 'scatter' is 2-D only"
        )
    limit, pad = st.dilation[1] * (st.kernel_size[1] - 1), st.padding[2]
    if pad > limit:
        raise ScenarioError(
            f"{st.prefix}.padding" if st.prefix else "padding",
            f"a signal's transposed convolution is drawn as its equivalent convolution, which needs "
            f"padding ≤ dilation·(kernel − 1) = {limit} (got {pad})",
        )
    return dataclasses.replace(st, transpose_view="direct")


def _parse_cone(data: Any, stages: tuple[Stage, ...]) -> Cone | None:
    """``receptive_field``: its stage as an index from 0; the cell as given (checked once the
    image says whether the output has channels)."""
    if data is None:
        return None
    t = f.parse_table(data, RECEPTIVE_FIELDS, "receptive_field")
    n, stage = len(stages), t["stage"]
    if not -n <= stage < n:
        last = "0" if n == 1 else f"0 to {n - 1}"
        raise ScenarioError(
            "receptive_field.stage", f"must be {last}, or −1 for the last, with {n} stage(s) (got {stage})"
        )
    return Cone(t["cell"], stage % n)  # type: ignore[arg-type]  (made (c, row, col) by _check_cell)


def _check_cell(cone: Cone, stages: tuple[Stage, ...], layered: bool) -> Cone:
    """The cell as (channel, row, col), inside its stage's output: [row, col] without channels,
    [channel, row, col] with, as ``.output()`` indexes the map."""
    st = stages[cone.stage]
    signal = st.rank == 1  # (sample,) or (channel, sample)
    shape = (st.out_channels, *st.output_shape[signal:])[0 if layered else 1 :]
    names = (("channel", "sample") if signal else ("channel", "row", "col"))[-len(shape) :]
    size = "×".join(map(str, shape))
    ranges = ", ".join(f"{name} 0 to {n - 1}" for name, n in zip(names, shape, strict=True))
    cell = cone.cell
    if len(cell) != len(shape) or not all(0 <= v < n for v, n in zip(cell, shape, strict=True)):
        raise ScenarioError(
            "receptive_field.cell",
            f"must be [{', '.join(names)}] inside the {size} output of stage {cone.stage} "
            f"({st.op_name}): {ranges} (got {list(cell)})",
        )
    full = (*cell[:-1], 0, cell[-1]) if signal else cell
    # in a graph, only the maps the cell is computed from (a branch beside its path has no field)
    path = None if is_chain(stages) else tuple(m for m in ancestors(stages, cone.stage + 1) if m > 0)
    return Cone(full if layered else (0, *full), cone.stage, path)


def _parse_options(data: Any, cls: type, table: dict[str, f.Field], prefix: str) -> Any:
    if isinstance(data, cls):
        return data
    return cls(**f.parse_table({} if data is None else data, table, prefix))


def _parse_parts(keys: dict[str, Any], base: Path) -> tuple[dict[str, Any], ImagePlan, tuple[Stage, ...]]:
    """The top-level table, the image and the stages (the render and timing tables checked
    too), with every independent mistake reported at once: a stage whose input is unknown (the
    image or the stage before it failed) has its own keys checked, and a top-level table with an
    unknown key (a misspelt stage key, say) only its values."""
    errors = Collect()
    parsed = f.parse_table(keys, TOP_FIELDS, "", errors)
    plan = stages = None
    rank = rank_of(keys)  # a signal's values are samples, its keys integers (see rank.py)
    if parsed.get("image") is not None:
        with errors:
            image = signal_image(parsed["image"], first_operation(keys)) if rank == 1 else parsed["image"]
            plan = _parse_image(image, base)
            if rank == 1:
                plan = (plan[0], plan[1], _as_signal(plan[2]))
    if all(k in TOP_FIELDS for k in keys):
        with errors:
            stages = _parse_stages(parsed, keys, *(plan[:2] if plan else (None, None)), rank)
    for name, cls, table in (("render", Render, RENDER_FIELDS), ("timing", Timing, TIMING_FIELDS)):
        with errors:
            _parse_options(parsed.get(name), cls, table, name)
    if parsed.get("receptive_field") is not None:
        with errors:
            f.parse_table(parsed["receptive_field"], RECEPTIVE_FIELDS, "receptive_field")
    errors.done()
    return parsed, plan, stages


def _parse_stages(
    parsed: dict[str, Any],
    keys: dict[str, Any],
    shape: tuple[int, int] | None,
    channels: int | None,
    rank: int = 2,
) -> tuple[Stage, ...]:
    """The top-level operation keys as one stage, or each table of ``stages`` in turn, each taking
    the previous output as its input (``shape`` None: the input is unknown, only the keys are
    checked)."""
    top = {name: keys[name] for name in STAGE_FIELDS if keys.get(name) is not None}
    if parsed["stages"] is None:
        if shape is None:
            check_keys(top, "")
            return ()
        stage = parse_stage(top, "", shape, channels, rank)
        return (dataclasses.replace(stage, name=stage.op_name, inputs=(INPUT,), input_channels=(channels,)),)
    if top:
        name = next(iter(top))
        raise ScenarioError(name, "goes inside each [[stages]] table when `stages` is given")
    tables = parsed["stages"]
    if not isinstance(tables, (list, tuple)) or not tables:
        raise ScenarioError("stages", f"must be a non-empty list of tables (got {f.show(tables)})")
    if len(tables) > MAX_STAGES:
        raise ScenarioError("stages", f"at most {MAX_STAGES} stages (got {len(tables)})")
    return parse_stages(tables, shape, channels, rank)


TITLES = {
    "conv2d": "2-D convolution",
    "conv_transpose2d": "Transposed convolution",
    "max_pool2d": "Max pooling",
    "avg_pool2d": "Average pooling",
    "upsample": "Upsampling",
    "relu": "ReLU",
    "adaptive_avg_pool2d": "Adaptive average pooling",
    "adaptive_max_pool2d": "Adaptive max pooling",
    "leaky_relu": "Leaky ReLU",
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "gelu": "GELU",
    "hardtanh": "Hardtanh",
    "identity": "Identity",
    "batch_norm": "Batch normalization",
    "cat": "Concatenation",
    "add": "Addition",
    "conv1d": "1-D convolution",
    "conv_transpose1d": "1-D transposed convolution",
    "max_pool1d": "1-D max pooling",
    "avg_pool1d": "1-D average pooling",
}


def _default_title(stages: tuple[Stage, ...]) -> str:
    if len(stages) == 1:
        return TITLES[stages[0].op_name]
    return f"A {'chain' if is_chain(stages) else 'graph'} of {len(stages)} stages"


def work(stages: tuple[Stage, ...], frames: int, picture: bool, cone: Cone | None = None) -> int:
    """What rendering costs in the grid view, or the picture view (``picture``), in cells painted
    or written (see cost.grid_cost and cost.chain_cost). Time follows it (about 0.1–0.2 ms a unit
    here), so the limit bounds the real cost, whatever the mix of steps, kernel taps and dilation."""
    return (chain_cost if picture else grid_cost)(stages, frames, cone).work


def _check_limits(
    image: tuple[int, int],
    channels: int,
    stages: tuple[Stage, ...],
    frames: int,
    limits: Limits,
    extra: int = 0,
    picture: bool = False,
    cone: Cone | None = None,
) -> None:
    """Refuse, before any work, a scenario whose view needs too many frames, cells (every channel
    counts; ``extra``: cells drawn besides the stages' maps, the colour panel of an RGB photo) or
    drawing work (see :mod:`.cost`)."""
    size = f"a {image[0]}×{image[1]} image" if channels == 1 else f"a {channels}×{image[0]}×{image[1]} image"
    if stages[0].rank == 1:
        size = f"a {image[1]}-sample signal" if channels == 1 else f"a {channels}×{image[1]} signal"
    check((chain_cost if picture else grid_cost)(stages, frames, cone, extra), limits, size)


def load(path: str | Path, *, limits: Limits = Limits(), **overrides: Any) -> Scenario:
    """Read and validate a scenario file; keyword ``overrides`` replace top-level keys."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        # a UTF-8 byte-order mark (some Windows editors write one) is not part of the TOML
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise ConvanimError(f"{path}: no such scenario file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConvanimError(f"{path}: cannot read: {err}") from None
    except tomllib.TOMLDecodeError as err:
        line, message = toml_error(err)
        raise ConvanimError(f"{path}{f':{line}' if line else ''}: invalid TOML: {message}") from None
    try:
        if "name" in data:
            raise ScenarioError("name", "unknown key; the name is the file name")
        return Scenario(name=path.stem, limits=limits, base=path.parent, **{**data, **overrides})
    except ScenarioError as err:  # each mistake with the line of its key, in the file's order
        raise located(err, key_lines(text)) from None


def schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of scenario files, built from the same tables as validation."""
    top = f.table_schema(TOP_FIELDS, "A convanim scenario: one animated illustration.")
    image = f.table_schema(IMAGE_FIELDS, "The input image.")
    image["oneOf"] = [
        {"required": ["values"]},
        {"required": ["pattern", "size"]},
        {"required": ["planes"]},
        {"required": ["file"]},
    ]
    plane = f.table_schema(PLANE_FIELDS, "One channel of the image.")
    plane["oneOf"] = [{"required": ["values"]}, {"required": ["pattern"]}]
    image["properties"]["planes"] = {
        "type": "array",
        "minItems": 1,
        "maxItems": MAX_CHANNELS,
        "items": plane,
        "description": image["properties"]["planes"]["description"],
    }
    with_samples(image, plane)
    kernel = f.table_schema(KERNEL_FIELDS, "The kernel.")
    with_samples(kernel)
    kernel["oneOf"] = [{"required": ["values"]}, {"required": ["preset"]}]
    stage = f.table_schema({**GRAPH_FIELDS, **STAGE_FIELDS}, "One operation of a chain or graph.")
    stage["properties"]["kernel"] = kernel
    one_filter = f.table_schema(FILTER_FIELDS, "One filter: a plane per input channel it reads, and a bias.")
    with_samples(one_filter)
    one_filter["oneOf"] = [{"required": ["values"]}, {"required": ["preset"]}, {"required": ["presets"]}]
    filters = {"type": "array", "minItems": 1, "maxItems": MAX_CHANNELS, "items": one_filter}
    stage["properties"]["filters"] = {**filters, "description": stage["properties"]["filters"]["description"]}
    for key, sub in (
        ("image", image),
        ("kernel", kernel),
        ("filters", filters),
        ("stages", {"type": "array", "minItems": 1, "maxItems": MAX_STAGES, "items": stage}),
        ("receptive_field", f.table_schema(RECEPTIVE_FIELDS, "A receptive field to animate after the fill.")),
        ("render", f.table_schema(RENDER_FIELDS, "Drawing options.")),
        ("timing", f.table_schema(TIMING_FIELDS, "Frame durations in milliseconds.")),
    ):
        top["properties"][key] = {**sub, "description": top["properties"][key]["description"]}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "convanim scenario", **top}


__all__ = ["Image", "Kernel", "Limits", "Render", "Scenario", "Stage", "Timing", "load", "schema"]
