"""The scenario: a validated, immutable description of one illustration (file or keywords)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import fields as f
from .cost import FRAME_WORK
from .detail import stage_input
from .errors import Collect, ScenarioError, located
from .filters import Kernel
from .graph import INPUT, MAX_STAGES, ancestors, is_chain, parse_stages
from .graph import sources as stage_sources
from .image_table import MAX_SIDE, ImagePlan, as_signal, parse_image
from .limits import Limits, check_limits, work
from .model import Cone, Illustration, Image, Render, Timing, drawn_as_picture, frame_count, network_view
from .rank import check_length, first_operation, rank_of, signal_image
from .scenario_keys import RECEPTIVE_FIELDS, RENDER_FIELDS, THEME_NAMES, TIMING_FIELDS, TOP_FIELDS, schema
from .stage import STAGE_FIELDS, Stage, check_keys, parse_stage
from .tomlfile import read_toml
from .tomlpos import key_lines

if TYPE_CHECKING:
    from .display import Frames


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
        render = _parse_options(parsed["render"], Render, RENDER_FIELDS, "render")
        if render.view == "network" and stages[0].rank == 1:
            raise ScenarioError(
                "render.view", "'network' draws 2-D maps; a signal's stages are drawn as a chain"
            )
        network = network_view(stages, render.view)
        frames = frame_count(stages, picture, timing.detail_steps, cone, network)
        colour = photo and channels == 3  # an RGB photograph is drawn in colour too
        check_limits(
            shape,
            channels,
            stages,
            frames,
            limits,
            extra=shape[0] * shape[1] if colour else 0,
            picture=bool(picture),
            cone=cone,
            network=network,
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
            "render": render,
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

    def stage_view(self, name: str, *, limits: Limits = Limits()) -> Scenario:
        """Stage ``name`` alone on the map it reads, drawn by its own view (a convolution with
        channels: the layer view, step by step), e.g. to step through one stage of a network;
        refused in one line when it reads several maps or is over the ``limits``."""
        i, st, x = stage_input(self, name)
        stage = _grid_view(dataclasses.replace(st, inputs=(INPUT,), name=st.op_name), {})
        picture = drawn_as_picture((stage,), False)
        frames = frame_count((stage,), picture, None)
        check_limits(x.shape[1:], x.shape[0], (stage,), frames, limits, picture=picture)
        names = self.image.names if stage_sources(self.stages)[i] == (0,) else None
        copy = object.__new__(Scenario)
        copy.__dict__.update(
            title=f"{self.title}: {name}",
            caption=f"stage {i + 1} of {len(self.stages)}, {name}, on the map it reads",
            image=Image(x, None, names, layered=True),
            stages=(stage,),
            render=dataclasses.replace(self.render, view=None),
            timing=self.timing,
            name=f"{self.name}-{name}",
            cone=None,
        )
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
            plan = parse_image(image, base)
            if rank == 1:
                plan = (plan[0], plan[1], as_signal(plan[2]))
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


def load(path: str | Path, *, limits: Limits = Limits(), **overrides: Any) -> Scenario:
    """Read and validate a scenario file; keyword ``overrides`` replace top-level keys."""
    path = Path(path)
    data, text = read_toml(path)
    try:
        if "name" in data:
            raise ScenarioError("name", "unknown key; the name is the file name")
        return Scenario(name=path.stem, limits=limits, base=path.parent, **{**data, **overrides})
    except ScenarioError as err:  # each mistake with the line of its key, in the file's order
        raise located(err, key_lines(text)) from None


__all__ = [
    "FRAME_WORK",
    "MAX_SIDE",
    "RENDER_FIELDS",
    "THEME_NAMES",
    "Image",
    "Kernel",
    "Limits",
    "Render",
    "Scenario",
    "Stage",
    "Timing",
    "load",
    "schema",
    "work",
]
